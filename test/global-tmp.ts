/**
 * Vitest global setup: every test run gets its own temporary directory (TMPDIR, which
 * os.tmpdir() and child processes follow) and removes it afterwards, so no run leaves files in
 * /tmp whatever a test forgets. It removes only the directory it made.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'tcpdoctor-test-'))
  const before = process.env.TMPDIR
  process.env.TMPDIR = dir
  return () => {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
    rmSync(dir, { recursive: true, force: true })
  }
}
