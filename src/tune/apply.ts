/**
 * @module
 * The only writer of /proc/sys in tcpdoctor. Writes each value, reads it back, and reports
 * before and after. Refuses keys the running kernel removed.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import type { KernelVersion } from './kernel-version.js'
import { isRemoved, keySpec } from './keys.js'
import { normalizeValue, sysctlPath } from './read.js'

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

function read(path: string): string | undefined {
  try {
    return normalizeValue(readFileSync(path, 'utf8'))
  } catch {
    return undefined // absent in this namespace or on this kernel
  }
}

/** Writes the changes under procRoot/sys. Needs root for the real /proc. */
export function applySysctls(changes: readonly Change[], opts: { procRoot: string; kernel: KernelVersion; childNetns: boolean }): Applied[] {
  for (const c of changes) {
    const spec = keySpec(c.key)
    if (isRemoved(spec, opts.kernel))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', `${c.key} was removed in Linux ${spec!.removedIn}; refusing to write it`, { hint: `tcpdoctor explain ${spec!.topic}` })
  }
  const out: Applied[] = []
  for (const c of changes) {
    const path = sysctlPath(opts.procRoot, c.key)
    const before = read(path)
    if (before === undefined) {
      out.push({ key: c.key, skipped: keySpec(c.key)?.scope === 'global' && opts.childNetns ? 'global' : 'missing' })
      continue
    }
    try {
      // Multi-field values (ip_local_port_range) are written tab-separated, as the kernel prints them.
      writeFileSync(path, c.value.split(' ').join('\t') + '\n')
    } catch (err) {
      throw fromSystemError(err, `writing ${path}`)
    }
    out.push({ key: c.key, before, after: read(path) })
  }
  return out
}
