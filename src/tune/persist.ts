/**
 * @module
 * Writes the sysctl.d file that makes tune's values survive a reboot, keeping a backup of the
 * previous one, and reverts to that backup. Every file we write starts with MARK; revert touches
 * a file only when it carries the mark, so a file tcpdoctor did not write (the user's own, or
 * ours edited by hand since) is never deleted or overwritten.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import { msg } from '../i18n/index.js'

export const PERSIST_NAME = '90-tcpdoctor.conf'

/** The first line of every file tune writes; its presence is what makes a file ours. */
export const MARK = '# tcpdoctor-managed: written by tcpdoctor tune --apply --persist; undo with tcpdoctor tune --revert --apply'

export function persistPaths(dir: string): { file: string; backup: string } {
  const file = join(dir, PERSIST_NAME)
  return { file, backup: `${file}.bak` }
}

/** Whether a file exists and starts with our mark. */
export function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').startsWith(MARK + '\n')
  } catch {
    return false // absent or unreadable: not something we may remove
  }
}

/**
 * Writes dir/90-tcpdoctor.conf with the mark. A file of that name that is not ours is first
 * copied to .bak (never over an existing .bak: that one holds the state before our first write).
 */
export function writePersist(dir: string, content: string): { file: string; backup?: string } {
  const { file, backup } = persistPaths(dir)
  try {
    mkdirSync(dir, { recursive: true })
    let saved: string | undefined
    if (existsSync(file) && !isOurs(file)) {
      if (existsSync(backup))
        throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.tune.wasNotWrittenBy', { file, backup }), { hint: msg('hint.tune.moveOneOfThem') })
      copyFileSync(file, backup)
      saved = backup
    } else if (existsSync(backup)) saved = backup
    writeFileSync(`${file}.tmp`, `${MARK}\n${content}`)
    renameSync(`${file}.tmp`, file)
    return { file, ...(saved ? { backup: saved } : {}) }
  } catch (err) {
    rmSync(`${file}.tmp`, { force: true })
    throw fromSystemError(err, msg('err.tune.writing2', { file }))
  }
}

export type RevertAction = 'restored' | 'removed' | 'nothing' | 'not-ours'

/**
 * Undoes writePersist: when the file is ours, restores the backup over it (or removes it when
 * there is none). A file without our mark is left alone ('not-ours'), and so is its backup.
 */
export function revertPersist(dir: string): { action: RevertAction; file: string; backup: string } {
  const { file, backup } = persistPaths(dir)
  try {
    if (!existsSync(file)) return { action: 'nothing', file, backup }
    if (!isOurs(file)) return { action: 'not-ours', file, backup }
    if (existsSync(backup)) {
      renameSync(backup, file)
      return { action: 'restored', file, backup }
    }
    rmSync(file)
    return { action: 'removed', file, backup }
  } catch (err) {
    throw fromSystemError(err, msg('err.tune.reverting', { file }))
  }
}
