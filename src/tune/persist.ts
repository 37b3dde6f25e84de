/**
 * @module
 * Writes the sysctl.d file that makes tune's values survive a reboot, keeping a backup of the
 * previous one, and reverts to that backup.
 */
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fromSystemError } from '../errors.js'

export const PERSIST_NAME = '90-tcpdoctor.conf'

export function persistPaths(dir: string): { file: string; backup: string } {
  const file = join(dir, PERSIST_NAME)
  return { file, backup: `${file}.bak` }
}

/** Writes dir/90-tcpdoctor.conf; an existing one is first copied to .bak. */
export function writePersist(dir: string, content: string): { file: string; backup?: string } {
  const { file, backup } = persistPaths(dir)
  try {
    mkdirSync(dir, { recursive: true })
    let saved: string | undefined
    if (existsSync(file)) {
      copyFileSync(file, backup)
      saved = backup
    }
    writeFileSync(`${file}.tmp`, content)
    renameSync(`${file}.tmp`, file)
    return { file, ...(saved ? { backup: saved } : {}) }
  } catch (err) {
    throw fromSystemError(err, `writing ${file}`)
  }
}

/** Restores the backup over the file, or removes the file when there is no backup. */
export function revertPersist(dir: string): { action: 'restored' | 'removed' | 'nothing'; file: string; backup: string } {
  const { file, backup } = persistPaths(dir)
  try {
    if (existsSync(backup)) {
      renameSync(backup, file)
      return { action: 'restored', file, backup }
    }
    if (existsSync(file)) {
      rmSync(file)
      return { action: 'removed', file, backup }
    }
    return { action: 'nothing', file, backup }
  } catch (err) {
    throw fromSystemError(err, `reverting ${file}`)
  }
}
