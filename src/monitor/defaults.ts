/** Where serve and history keep the database unless --db says otherwise. */
import { homedir } from 'node:os'
import { join } from 'node:path'

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TCPDOCTOR_DB) return env.TCPDOCTOR_DB
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state')
  return join(base, 'tcpdoctor', 'history.db')
}
