/**
 * @module
 * Reads everything an audit needs (live values, configuration lines, kernel version) and runs
 * it: the one entry point of tune for the CLI and the library.
 */
import { release } from 'node:os'
import { TcpdoctorError } from '../errors.js'
import { readNetnsFiles } from '../kernel/netns-files.js'
import { resolveNetns, type NetnsTarget } from '../kernel/netns.js'
import { readSnapshot } from '../snapshot/file.js'
import type { AuditInput, ProfileName, Recommendation, SysctlValue, TuneFinding } from './types.js'
import { KEYS } from './keys.js'
import { parseKernelVersion } from './kernel-version.js'
import { readConfigs, readSysctls, sysctlRel } from './read.js'
import { runAudit } from './audit/index.js'
import { recommendations } from './audit/profile.js'
import { msg } from '../i18n/index.js'

export interface TuneOptions {
  profile: ProfileName
  /** /proc or a fixture root. */
  procRoot: string
  /** Only this directory's *.conf files (--sysctl-dir); default: every sysctl.d location. */
  sysctlDir?: string
  /** os.release() unless given (tests). */
  kernelRelease?: string
  /** --netns: audit (and apply to) this namespace's net.* keys, read inside it. One namespace. */
  netns?: string
  /** --from: audit the sysctls recorded in a snapshot (no live read, no sysctl.d files). */
  from?: string
}

export interface TuneAudit {
  input: AuditInput
  findings: TuneFinding[]
  recommendations: Recommendation[]
  /** The namespace audited, when --netns named one (apply writes there). */
  netns?: NetnsTarget
  /** The snapshot audited (--from): nothing live was read, nothing can be applied. */
  from?: string
}

interface SnapshotSysctls { kernel: string; values: Record<string, string>; initialNetns: boolean; netns: string }

function fromSnapshot(opts: TuneOptions): TuneAudit {
  const snap = readSnapshot(opts.from!)
  const s = snap.sysctls as SnapshotSysctls | null | undefined
  if (!s)
    throw new TcpdoctorError('TD_USAGE', msg('err.tune.tuneFromTheSnapshot', { from: opts.from }), { hint: msg('hint.tune.takeANewOne') })
  const kernel = parseKernelVersion(opts.kernelRelease ?? (s.kernel || snap.kernel))
  const values = new Map<string, SysctlValue>()
  for (const spec of KEYS) {
    const v = s.values[spec.key]
    values.set(spec.key, v === undefined ? { key: spec.key, from: 'missing' } : { key: spec.key, value: v, from: 'netns' })
  }
  // The configuration files of the host the snapshot came from are not in it.
  const input: AuditInput = { kernel, values, configs: [], profile: opts.profile, childNetns: !s.initialNetns, present: new Set(Object.keys(s.values)) }
  return { input, findings: runAudit(input), recommendations: recommendations(input), from: opts.from }
}

/** Resolves --netns to one namespace (TD_USAGE for "all": tune audits one at a time). */
function oneNetns(spec: string | undefined, procRoot: string): NetnsTarget | undefined {
  if (spec === undefined) return undefined
  const targets = resolveNetns(spec, procRoot)
  if (targets.length !== 1) throw new TcpdoctorError('TD_USAGE', msg('err.tune.tuneNetnsTakesOne', { spec, targetsCount: targets.length }), { hint: msg('hint.tune.nameOneTcpdoctorTune') })
  return targets[0]
}

export function auditSysctls(opts: TuneOptions): TuneAudit {
  if (opts.from !== undefined) return fromSnapshot(opts)
  const netns = oneNetns(opts.netns, opts.procRoot)
  const kernel = parseKernelVersion(opts.kernelRelease ?? release())
  const { values, childNetns } = readSysctls(KEYS, { procRoot: opts.procRoot, initialFallback: opts.procRoot === '/proc', netns })
  const configs = readConfigs(opts.sysctlDir)
  const keys = [...new Set(configs.map((c) => c.key))]
  const exists = readNetnsFiles(netns, keys.map(sysctlRel), opts.procRoot)
  const present = new Set(keys.filter((_k, i) => { const f = exists[i]!; return !('error' in f && (f.error === 'ENOENT' || f.error === 'ENOTDIR')) }))
  const input: AuditInput = { kernel, values, configs, profile: opts.profile, childNetns, present }
  return { input, findings: runAudit(input), recommendations: recommendations(input), ...(netns?.path !== undefined ? { netns } : {}) }
}
