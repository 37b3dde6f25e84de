/**
 * @module
 * The commented sysctl.d fragment: the profile's recommendations with the reason for each, and
 * the configuration lines to delete.
 */
import type { Lang } from '../i18n/index.js'
import { t } from '../i18n/index.js'
import type { Recommendation, TuneAudit } from './index.js'
import { wrapText } from '../knowledge/wrap.js'

function comment(text: string): string {
  return text.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')
}

/** The text of 90-tcpdoctor.conf for these recommendations. */
export function formatFragment(audit: TuneAudit, recs: readonly Recommendation[], lang: Lang): string {
  const { input } = audit
  const lines: string[] = []
  lines.push(comment(t(lang, 'tune.fragment.header', { profile: input.profile, kernel: input.kernel.release })))
  lines.push(comment(t(lang, 'tune.fragment.load')))
  for (const f of audit.findings) {
    if ((f.code === 'REMOVED_KEY' || f.code === 'NO_EFFECT' || f.code === 'UNKNOWN_KEY') && f.where && /:\d+$/.test(f.where))
      lines.push(comment(t(lang, 'tune.fragment.stale', { where: f.where, line: `${f.key} = ${f.current ?? ''}` })))
  }
  if (recs.length === 0) lines.push(comment(t(lang, 'tune.fragment.empty', { profile: input.profile })))
  for (const r of recs) {
    lines.push('')
    lines.push(comment(wrapText(t(lang, 'tune.fragment.why', { reason: t(lang, r.reason, r.vars), topic: r.topic, current: r.current ?? '-' }), 96)))
    lines.push(`${r.key} = ${r.value}`)
  }
  return lines.join('\n') + '\n'
}
