/**
 * @module
 * Says where global keys came from when this process is in a child network namespace.
 */
import type { Audit, TuneFinding } from '../types.js'
import { KEYS } from '../keys.js'

export const auditGlobals: Audit = (input) => {
  if (!input.childNetns) return []
  const out: TuneFinding[] = []
  for (const spec of KEYS) {
    if (spec.scope !== 'global' || spec.noopSince) continue
    const v = input.values.get(spec.key)
    const read = v?.from === 'initial'
    out.push({ code: 'GLOBAL_KEY', severity: 'info', key: spec.key, current: v?.value, message: read ? 'tune.f.global' : 'tune.f.global.unreadable', vars: { key: spec.key }, topic: spec.topic })
  }
  return out
}
