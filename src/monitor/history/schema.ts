/**
 * @module
 * The history database schema, versioned: each migration runs once, in order, inside a
 * transaction, and its number is recorded in `migrations`. Add a migration; never edit one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: raw samples (1 s) and minute rows; states and rates as JSON objects.
  `CREATE TABLE samples (at INTEGER PRIMARY KEY, total INTEGER NOT NULL, states TEXT NOT NULL, rates TEXT NOT NULL);
   CREATE TABLE samples_1m (at INTEGER PRIMARY KEY, n INTEGER NOT NULL, total REAL NOT NULL, states TEXT NOT NULL, rates TEXT NOT NULL);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
]
