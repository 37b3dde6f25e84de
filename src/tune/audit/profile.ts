/**
 * @module
 * Audits the live values against the chosen profile; the failing rules are also the
 * recommendations that --fragment prints and --apply writes.
 */
import type { Audit, AuditInput, Recommendation, TuneFinding } from '../types.js'
import { KEYS, defaultFor, isRemoved } from '../keys.js'
import { NOT_RESET_BY_DEFAULT, PROFILES, satisfies } from '../profiles.js'

/** Time for keepalive to declare a silent peer dead, for the message. */
function detectText(input: AuditInput): string {
  const n = (k: string): number => Number(input.values.get(`net.ipv4.${k}`)?.value ?? NaN)
  const total = n('tcp_keepalive_time') + n('tcp_keepalive_intvl') * n('tcp_keepalive_probes')
  if (!Number.isFinite(total)) return '?'
  return total >= 3600 ? `${Math.floor(total / 3600)} h ${Math.round((total % 3600) / 60)} min` : `${Math.round(total / 60)} min`
}

/** What the profile wants changed: one entry per key whose live value does not satisfy it. */
export function recommendations(input: AuditInput): Recommendation[] {
  const out: Recommendation[] = []
  if (input.profile === 'default') {
    for (const spec of KEYS) {
      if (NOT_RESET_BY_DEFAULT.has(spec.key) || isRemoved(spec, input.kernel) || spec.noopSince) continue
      const def = defaultFor(spec, input.kernel)
      const cur = input.values.get(spec.key)?.value
      if (def !== undefined && cur !== undefined && cur !== def) out.push({ key: spec.key, value: def, current: cur, reason: 'tune.why.default', vars: {}, topic: spec.topic })
    }
    return out
  }
  const detect = detectText(input)
  for (const rule of PROFILES[input.profile]) {
    const cur = input.values.get(rule.key)?.value
    if (!satisfies(rule, cur)) out.push({ key: rule.key, value: rule.want, current: cur, reason: rule.reason, vars: { detect }, topic: rule.topic })
  }
  return out
}

export const auditProfile: Audit = (input) => {
  const rules = input.profile === 'default' ? [] : PROFILES[input.profile]
  return recommendations(input).map((r): TuneFinding => {
    const kind = rules.find((x) => x.key === r.key)?.kind
    const message = input.profile === 'default' ? 'tune.f.profile.default' : kind === 'min' ? 'tune.f.profile.min' : kind === 'max' ? 'tune.f.profile.max' : 'tune.f.profile.eq'
    return {
      code: 'PROFILE', severity: input.profile === 'default' ? 'info' : 'warning', key: r.key, current: r.current, recommended: r.value,
      message, vars: { profile: input.profile, key: r.key, value: r.current ?? '', want: r.value, ...r.vars }, ...(input.profile === 'default' ? {} : { reason: r.reason }), topic: r.topic,
    }
  })
}
