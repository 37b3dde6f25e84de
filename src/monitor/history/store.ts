/**
 * @module
 * The local history store (SQLite through better-sqlite3 12 on Node 20): raw samples kept for
 * `rawRetentionMs` (default 1 hour), averaged into minute rows kept for `minuteRetentionMs`
 * (default 7 days). WAL journal; every write is one transaction, so a crash mid-write leaves the
 * previous state. node:sqlite is used instead when the running Node has it.
 */
import { createRequire } from 'node:module'
import { TcpdoctorError } from '../../errors.js'
import type { StateName } from '../../model/state.js'
import type { HistoryPoint, RateCounter, Sample } from '../sample.js'
import { MIGRATIONS } from './schema.js'
import { msg } from '../../i18n/index.js'

export interface StoreOptions {
  rawRetentionMs?: number
  minuteRetentionMs?: number
  readonly?: boolean
}

interface Stmt {
  run(...a: unknown[]): unknown
  all(...a: unknown[]): unknown[]
  get(...a: unknown[]): unknown
}
interface Db {
  exec(sql: string): void
  prepare(sql: string): Stmt
  close(): void
}

const MINUTE = 60_000
/** Bytes the write-ahead log is cut back to after a checkpoint. */
export const WAL_LIMIT = 1 << 20

function openDb(path: string, readonly: boolean): Db {
  const require = createRequire(import.meta.url)
  const builtin = (process as { getBuiltinModule?: (n: string) => unknown }).getBuiltinModule?.('node:sqlite') as { DatabaseSync: new (p: string, o?: object) => Db } | undefined
  try {
    if (builtin) return new builtin.DatabaseSync(path, readonly ? { readOnly: true } : {})
    const Database = require('better-sqlite3') as new (p: string, o?: object) => Db
    return new Database(path, readonly ? { readonly: true, fileMustExist: true } : {})
  } catch (err) {
    throw new TcpdoctorError(readonly ? 'TD_NOT_FOUND' : 'TD_IO', msg('err.monitor.historyDatabase', { path, detail: (err as Error).message }), { cause: err })
  }
}

type Json<T> = Partial<Record<string, T>>

export class HistoryStore {
  private readonly db: Db
  private readonly rawKeep: number
  private readonly minuteKeep: number
  private lastMinute = 0

  constructor(readonly path: string, opts: StoreOptions = {}) {
    this.rawKeep = opts.rawRetentionMs ?? 3600_000
    this.minuteKeep = opts.minuteRetentionMs ?? 7 * 86400_000
    this.db = openDb(path, opts.readonly ?? false)
    if (opts.readonly) return
    // A sample a second dirties a few pages: the WAL would grow to SQLite's default checkpoint
    // (1,000 pages, 4 MB) and keep that size. A checkpoint every 256 pages, and the file cut back
    // to WAL_LIMIT after it, keep the database within its retention plus about 1 MB.
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 2000; PRAGMA wal_autocheckpoint = 256; PRAGMA journal_size_limit = ${WAL_LIMIT}`)
    this.db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
    const row = this.db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null }
    const have = row.v ?? 0
    if (have > MIGRATIONS.length) throw new TcpdoctorError('TD_IO', msg('err.monitor.historyDatabaseHasSchema', { path, have, MIGRATIONSCount: MIGRATIONS.length }))
    for (let v = have + 1; v <= MIGRATIONS.length; v++) {
      this.tx(() => {
        this.db.exec(MIGRATIONS[v - 1]!)
        this.db.prepare('INSERT INTO migrations (version, applied_at) VALUES (?, ?)').run(v, Date.now())
      })
    }
  }

  private tx(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      this.db.exec('ROLLBACK')
      throw err
    }
  }

  schemaVersion(): number {
    return ((this.db.prepare('SELECT MAX(version) AS v FROM migrations').get() as { v: number | null }).v ?? 0)
  }

  /** Records one sample; rolls finished minutes up and applies retention, all in one transaction. */
  record(s: Sample): void {
    this.tx(() => {
      this.db.prepare('INSERT OR REPLACE INTO samples (at, total, states, rates) VALUES (?, ?, ?, ?)').run(s.at, s.total, JSON.stringify(s.states), JSON.stringify(s.counters))
      const minute = Math.floor(s.at / MINUTE) * MINUTE
      if (this.lastMinute === 0) this.lastMinute = minute
      if (minute > this.lastMinute) {
        this.rollup(this.lastMinute, minute)
        this.lastMinute = minute
        this.db.prepare('DELETE FROM samples WHERE at < ?').run(s.at - this.rawKeep)
        this.db.prepare('DELETE FROM samples_1m WHERE at < ?').run(s.at - this.minuteKeep)
      }
    })
  }

  /** Averages the raw rows of [from, to) into minute rows. */
  private rollup(from: number, to: number): void {
    const rows = this.db.prepare('SELECT at, total, states, rates FROM samples WHERE at >= ? AND at < ? ORDER BY at').all(from, to) as { at: number; total: number; states: string; rates: string }[]
    const byMinute = new Map<number, typeof rows>()
    for (const r of rows) {
      const m = Math.floor(r.at / MINUTE) * MINUTE
      let l = byMinute.get(m)
      if (!l) byMinute.set(m, (l = []))
      l.push(r)
    }
    const ins = this.db.prepare('INSERT OR REPLACE INTO samples_1m (at, n, total, states, rates) VALUES (?, ?, ?, ?, ?)')
    for (const [m, l] of byMinute) {
      const p = average(l.map(parseRow), m, 60)
      ins.run(m, l.length, p.total, JSON.stringify(p.states), JSON.stringify(p.rates))
    }
  }

  /** Rows in [from, to], oldest first; raw rows where they are kept, minute rows before; `stepS` averages into buckets. */
  query(from: number, to: number, stepS?: number): HistoryPoint[] {
    const raw = (this.db.prepare('SELECT at, total, states, rates FROM samples WHERE at >= ? AND at <= ? ORDER BY at').all(from, to) as RowText[]).map(parseRow)
    const firstRaw = raw[0]?.at ?? Infinity
    const minutes = (this.db.prepare('SELECT at, total, states, rates FROM samples_1m WHERE at >= ? AND at <= ? AND at < ? ORDER BY at').all(from, to, Math.floor(firstRaw / MINUTE) * MINUTE) as RowText[]).map((r) => ({ ...parseRow(r), step: 60 }))
    const all = [...minutes, ...raw]
    if (!stepS || stepS <= 1) return all
    const ms = stepS * 1000
    const buckets = new Map<number, HistoryPoint[]>()
    for (const p of all) {
      const b = Math.floor(p.at / ms) * ms
      let l = buckets.get(b)
      if (!l) buckets.set(b, (l = []))
      l.push(p)
    }
    return [...buckets].map(([b, l]) => average(l, b, stepS))
  }

  /** Row counts and the database file's pages, for the soak test. */
  stats(): { raw: number; minutes: number; bytes: number } {
    const raw = (this.db.prepare('SELECT COUNT(*) AS n FROM samples').get() as { n: number }).n
    const minutes = (this.db.prepare('SELECT COUNT(*) AS n FROM samples_1m').get() as { n: number }).n
    const pc = (this.db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count
    const ps = (this.db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size
    return { raw, minutes, bytes: pc * ps }
  }

  close(): void {
    this.db.close()
  }
}

interface RowText {
  at: number
  total: number
  states: string
  rates: string
}

function parseRow(r: RowText): HistoryPoint {
  return { at: r.at, step: 1, total: r.total, states: JSON.parse(r.states) as Json<number>, rates: JSON.parse(r.rates) as Json<number> }
}

function average(l: readonly HistoryPoint[], at: number, step: number): HistoryPoint {
  const states: Json<number> = {}
  const rates: Json<number> = {}
  let total = 0
  for (const p of l) {
    total += p.total
    for (const [k, v] of Object.entries(p.states)) states[k] = (states[k] ?? 0) + (v ?? 0)
    for (const [k, v] of Object.entries(p.rates)) rates[k] = (rates[k] ?? 0) + (v ?? 0)
  }
  const n = l.length || 1
  for (const k of Object.keys(states)) states[k] = states[k]! / n
  for (const k of Object.keys(rates)) rates[k] = rates[k]! / n
  return { at, step, total: total / n, states: states as Partial<Record<StateName, number>>, rates: rates as Partial<Record<RateCounter, number>> }
}
