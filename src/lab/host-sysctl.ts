/**
 * @module
 * The one place the lab changes a host-global sysctl (net.ipv4.tcp_mem has no per-namespace copy).
 * Only with TCPDOCTOR_LAB_HOST_SYSCTLS=1; the original value is written to a recovery file first,
 * restored on stop, on exit, and by `lab --cleanup` when the process that changed it is gone.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

const RUN_DIR = '/run'
const PREFIX = 'tcpdoctor-lab-sysctl-'

export const HOST_SYSCTL_OPT_IN = 'TCPDOCTOR_LAB_HOST_SYSCTLS'

function procPath(key: string): string {
  return join('/proc/sys', ...key.split('.'))
}

/** Whether the user allowed host-global changes. */
export function hostSysctlsAllowed(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[HOST_SYSCTL_OPT_IN] === '1'
}

/** A host sysctl changed for the length of one lab run. */
export class HostSysctl {
  private readonly file: string
  private readonly original: string
  private restored = false
  constructor(readonly key: string, value: string) {
    if (!hostSysctlsAllowed()) {
      throw new TcpdoctorError('TD_PERMISSION', msg('err.lab.thisScenarioChangesThe', { key }), {
        hint: msg('hint.lab.set1ToAllow', { HOST_SYSCTL_OPT_IN }),
      })
    }
    this.original = readFileSync(procPath(key), 'utf8').trim()
    this.file = join(RUN_DIR, `${PREFIX}${process.pid}-${key}`)
    writeFileSync(this.file, this.original + '\n') // recovery first, then the change
    writeFileSync(procPath(key), value)
  }
  /** Restores the original value. Idempotent, synchronous (it also runs at process exit). */
  restore(): void {
    if (this.restored) return
    this.restored = true
    writeFileSync(procPath(this.key), this.original)
    rmSync(this.file, { force: true })
  }
}

/** Restores host sysctls left changed by lab processes that no longer run (killed with SIGKILL). */
export function restoreStaleHostSysctls(): string[] {
  const restored: string[] = []
  let entries: string[]
  try {
    entries = readdirSync(RUN_DIR)
  } catch {
    return restored // no /run: nothing was ever saved there
  }
  for (const e of entries) {
    const m = new RegExp(`^${PREFIX}(\\d+)-(.+)$`).exec(e)
    if (!m) continue
    try {
      process.kill(Number(m[1]), 0)
      continue // its owner still runs
    } catch {
      // the owner is gone: restore
    }
    const file = join(RUN_DIR, e)
    writeFileSync(procPath(m[2]!), readFileSync(file, 'utf8').trim())
    rmSync(file, { force: true })
    restored.push(m[2]!)
  }
  return restored
}
