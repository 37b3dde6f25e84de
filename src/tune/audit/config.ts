/**
 * @module
 * Audits the sysctl.d / sysctl.conf lines: keys this kernel removed, keys that do nothing,
 * keys that do not exist, and keys set to different values in several files.
 */
import type { Audit, TuneFinding } from '../types.js'
import { keySpec, isRemoved } from '../keys.js'
import { atLeast } from '../kernel-version.js'

export const auditConfig: Audit = (input) => {
  const out: TuneFinding[] = []
  const seen = new Map<string, { value: string; where: string }[]>()
  for (const line of input.configs) {
    const where = `${line.file}:${line.line}`
    const spec = keySpec(line.key)
    const list = seen.get(line.key) ?? []
    list.push({ value: line.value, where })
    seen.set(line.key, list)
    if (spec && isRemoved(spec, input.kernel)) {
      out.push({ code: 'REMOVED_KEY', severity: 'warning', key: line.key, current: line.value, where, message: 'tune.f.removed.config', vars: { where, key: line.key, version: spec.removedIn! }, topic: spec.topic })
      continue
    }
    if (spec?.noopSince && atLeast(input.kernel, spec.noopSince)) {
      out.push({ code: 'NO_EFFECT', severity: 'info', key: line.key, current: line.value, where, message: 'tune.f.noop', vars: { key: line.key, version: spec.noopSince, where }, topic: spec.topic })
      continue
    }
    // Only judge TCP/IP keys we can see: another namespace hides global ones.
    const global = spec?.scope === 'global' && input.childNetns
    if (/^net\.(ipv4|core)\./.test(line.key) && !input.present.has(line.key) && !global)
      out.push({ code: 'UNKNOWN_KEY', severity: 'warning', key: line.key, current: line.value, where, message: 'tune.f.unknown', vars: { where, key: line.key }, topic: 'sysctl-risk' })
  }
  for (const [key, list] of seen) {
    const values = new Set(list.map((l) => l.value))
    if (values.size < 2) continue
    const last = list[list.length - 1]!
    out.push({ code: 'CONFIG_CONFLICT', severity: 'warning', key, current: last.value, message: 'tune.f.conflict', vars: { key, files: list.map((l) => `${l.where} (${l.value})`).join(', '), value: last.value }, topic: keySpec(key)?.topic ?? 'sysctl-risk' })
  }
  return out
}
