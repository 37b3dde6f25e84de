/**
 * @module
 * The only writer of /proc/sys in tcpdoctor. Writes each value, reads it back, and reports
 * before and after. Refuses keys the running kernel removed.
 */
import { TcpdoctorError, fromSystemError } from '../errors.js'
import type { KernelVersion } from './kernel-version.js'
import { isRemoved, keySpec } from './keys.js'
import { normalizeValue, sysctlPath, sysctlRel } from './read.js'
import { readNetnsFiles, writeNetnsFiles } from '../kernel/netns-files.js'
import type { NetnsTarget } from '../kernel/netns.js'
import { msg } from '../i18n/index.js'

export interface Change {
  key: string
  value: string
}

export interface Applied {
  key: string
  before?: string
  after?: string
  /** Why it was not written. */
  skipped?: 'global' | 'missing'
}

function readValue(netns: NetnsTarget | undefined, procRoot: string, key: string): string | undefined {
  const [f] = readNetnsFiles(netns, [sysctlRel(key)], procRoot)
  return f && 'text' in f ? normalizeValue(f.text) : undefined // absent in this namespace or on this kernel
}

/** Writes the changes under procRoot/sys, or inside opts.netns (tune --netns). Needs root for the real /proc. */
export function applySysctls(changes: readonly Change[], opts: { procRoot: string; kernel: KernelVersion; childNetns: boolean; netns?: NetnsTarget }): Applied[] {
  for (const c of changes) {
    const spec = keySpec(c.key)
    if (isRemoved(spec, opts.kernel))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.tune.wasRemovedInLinux', { key: c.key, removedIn: spec!.removedIn }), { hint: msg('hint.cli.tcpdoctorExplain', { topic: spec!.topic }) })
  }
  const out: Applied[] = []
  const where = opts.netns?.path !== undefined ? msg('err.tune.inNamespace', { label: opts.netns.label }) : ''
  for (const c of changes) {
    const before = readValue(opts.netns, opts.procRoot, c.key)
    if (before === undefined) {
      out.push({ key: c.key, skipped: keySpec(c.key)?.scope === 'global' && opts.childNetns ? 'global' : 'missing' })
      continue
    }
    // Multi-field values (ip_local_port_range) are written tab-separated, as the kernel prints them.
    const [err] = writeNetnsFiles(opts.netns, [{ rel: sysctlRel(c.key), text: c.value.split(' ').join('\t') + '\n' }], opts.procRoot)
    if (err) throw fromSystemError(Object.assign(new Error(err), { code: err }), msg('err.tune.writing', { path: sysctlPath(opts.procRoot, c.key), where }))
    out.push({ key: c.key, before, after: readValue(opts.netns, opts.procRoot, c.key) })
  }
  return out
}
