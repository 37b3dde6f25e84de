/**
 * @module
 * Audits live values against the running kernel: removed keys still active (old kernels),
 * no-op keys, and defaults that changed (tcp_tw_reuse 2 since 4.19, somaxconn 4096 since 5.4).
 */
import type { Audit, TuneFinding } from '../types.js'
import { KEYS, defaultFor, keySpec } from '../keys.js'
import { atLeast } from '../kernel-version.js'

export const auditKernel: Audit = (input) => {
  const out: TuneFinding[] = []
  const val = (key: string): string | undefined => input.values.get(key)?.value
  const recycle = val('net.ipv4.tcp_tw_recycle')
  if (recycle !== undefined && recycle !== '0')
    out.push({ code: 'REMOVED_KEY', severity: 'critical', key: 'net.ipv4.tcp_tw_recycle', current: recycle, recommended: '0', message: 'tune.f.removed.live', vars: { key: 'net.ipv4.tcp_tw_recycle', value: recycle, version: '4.12' }, topic: 'tcp_tw_recycle' })
  for (const spec of KEYS) {
    if (!spec.noopSince || !atLeast(input.kernel, spec.noopSince)) continue
    const v = val(spec.key)
    const def = defaultFor(spec, input.kernel)
    if (v !== undefined && def !== undefined && v !== def)
      out.push({ code: 'NO_EFFECT', severity: 'info', key: spec.key, current: v, message: 'tune.f.noop', vars: { key: spec.key, version: spec.noopSince, where: `${spec.key} = ${v}` }, topic: spec.topic })
  }
  const reuse = val('net.ipv4.tcp_tw_reuse')
  if (reuse !== undefined && atLeast(input.kernel, '4.19') && reuse !== '2' && input.profile !== 'loadgen')
    out.push({ code: 'DEFAULT_CHANGED', severity: 'info', key: 'net.ipv4.tcp_tw_reuse', current: reuse, recommended: '2', message: 'tune.f.twreuse', vars: { value: reuse }, topic: 'tcp_tw_reuse' })
  const somaxconn = val('net.core.somaxconn')
  const spec = keySpec('net.core.somaxconn')!
  const def = defaultFor(spec, input.kernel)
  if (somaxconn !== undefined && def !== undefined && Number(somaxconn) < Number(def)) {
    const old = somaxconn === '128' && atLeast(input.kernel, '5.4')
    out.push({
      code: 'DEFAULT_CHANGED', severity: 'warning', key: spec.key, current: somaxconn, recommended: def,
      message: old ? 'tune.f.olddefault' : 'tune.f.lowered',
      vars: { key: spec.key, value: somaxconn, default: def, version: '5.4' }, topic: 'somaxconn',
    })
  }
  return out
}
