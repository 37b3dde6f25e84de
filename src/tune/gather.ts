/**
 * @module
 * Reads everything an audit needs (live values, configuration lines, kernel version) and runs
 * it: the one entry point of tune for the CLI and the library.
 */
import { existsSync } from 'node:fs'
import { release } from 'node:os'
import type { AuditInput, ProfileName, Recommendation, TuneFinding } from './types.js'
import { KEYS } from './keys.js'
import { parseKernelVersion } from './kernel-version.js'
import { readConfigs, readSysctls, sysctlPath } from './read.js'
import { runAudit } from './audit/index.js'
import { recommendations } from './audit/profile.js'

export interface TuneOptions {
  profile: ProfileName
  /** /proc or a fixture root. */
  procRoot: string
  /** Only this directory's *.conf files (--sysctl-dir); default: every sysctl.d location. */
  sysctlDir?: string
  /** os.release() unless given (tests). */
  kernelRelease?: string
}

export interface TuneAudit {
  input: AuditInput
  findings: TuneFinding[]
  recommendations: Recommendation[]
}

export function auditSysctls(opts: TuneOptions): TuneAudit {
  const kernel = parseKernelVersion(opts.kernelRelease ?? release())
  const { values, childNetns } = readSysctls(KEYS, { procRoot: opts.procRoot, initialFallback: opts.procRoot === '/proc' })
  const configs = readConfigs(opts.sysctlDir)
  const present = new Set(configs.map((c) => c.key).filter((k) => existsSync(sysctlPath(opts.procRoot, k))))
  const input: AuditInput = { kernel, values, configs, profile: opts.profile, childNetns, present }
  return { input, findings: runAudit(input), recommendations: recommendations(input) }
}
