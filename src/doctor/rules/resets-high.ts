/**
 * @module
 * RESETS_HIGH: RSTs sent (TcpOutRsts) plus connections ended by one (TcpEstabResets,
 * TcpAttemptFails) at minPerSecond or more, and at least minShareOfOpens of the connections
 * opened meanwhile: refused connects (nothing listens), aborts (close() with unread data,
 * SO_LINGER 0), or a peer/middlebox resetting. Needs two counter samples (--interval > 0). The
 * counters are per namespace and name no port; the abort counters say which kind it is. RSTs
 * answering late segments of connections that skipped TIME_WAIT (TCPTimeWaitOverflow) are left out.
 *
 * When the kernel counted the resets itself over the same window (root, Linux 6.10+: BPF on
 * tcp:tcp_send_reset and tcp:tcp_receive_reset, NamespaceInput.kernelResets), the finding names
 * them: by kind and reason, peer host and service port, and the process behind them where the
 * kernel or a socket dump shows it. Without it nothing is named, as before.
 */
import { absolute, delta, type NamespaceInput } from '../input.js'
import { perNamespace } from '../rule.js'
import { listenersOf } from '../listeners.js'
import { ownerText, type ResetGroup } from '../reset-groups.js'
import type { Text } from '../rule.js'

const DETAIL = ['TcpExtTCPAbortOnData', 'TcpExtTCPAbortOnClose', 'TcpExtTCPAbortOnLinger', 'TcpExtTCPAbortOnTimeout', 'TcpExtTCPAbortOnMemory', 'TcpExtEmbryonicRsts', 'TcpExtTCPChallengeACK'] as const

function d(ns: NamespaceInput, name: string): number {
  return delta(ns, name) ?? 0
}

/** Groups shown in details (all of the top 10 are in the evidence). */
const SHOWN = 5

/** One line per group: "refused: 10.0.0.5 -> :6379 (NO_SOCKET) 812". */
function groupLine(g: ResetGroup): Text {
  const owner = ownerText(g.owner)
  return [`doctor.ev.reset.${g.kind}`, { service: g.service, reason: g.reason ?? '-', count: g.count, owner: owner ? `, ${owner}` : '' }]
}

/** A fix per named cause, the larger group's first. */
function namedFixes(top: ResetGroup | undefined, refused: ResetGroup | undefined, abort: ResetGroup | undefined): Text[] {
  const out: [number, Text][] = []
  if (refused) out.push([refused.count, ['doctor.RESETS_HIGH.fix.refusedNamed', { peer: refused.peer, port: refused.port, service: refused.service }]])
  if (abort) out.push([abort.count, ['doctor.RESETS_HIGH.fix.abortNamed', { service: abort.service, reason: abort.reason ?? '-', owner: ownerText(abort.owner) || '?' }]])
  if (top && top.direction === 'received' && !out.length) out.push([top.count, ['doctor.RESETS_HIGH.fix.peerNamed', { service: top.service }]])
  return out.sort((a, b) => b[0] - a[0]).map(([, x]) => x)
}

export const resetsHigh = perNamespace('RESETS_HIGH', 'warning', (ns, config) => {
  const t = config.thresholds.RESETS_HIGH
  const ms = ns.counters?.intervalMs ?? 0
  if (!ns.counters?.first || ms <= 0) return []
  // A close that overflowed tcp_max_tw_buckets skips TIME_WAIT, so the peer's late FIN or ACK
  // meets no socket and draws an RST: those belong to TIME_WAIT_BUCKET_OVERFLOW, not here.
  const twOverflow = d(ns, 'TcpExtTCPTimeWaitOverflow')
  const sent = Math.max(0, d(ns, 'TcpOutRsts') - twOverflow)
  const received = d(ns, 'TcpEstabResets') + d(ns, 'TcpAttemptFails')
  const opens = d(ns, 'TcpActiveOpens') + d(ns, 'TcpPassiveOpens')
  const perS = ((sent + received) * 1000) / ms
  const share = opens > 0 ? (sent + received) / opens : Infinity
  if (perS < t.minPerSecond || share < t.minShareOfOpens) return []
  const detail: Record<string, number> = {}
  for (const n of DETAIL) detail[n] = d(ns, n)
  const kinds = Object.entries(detail).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1])
  const listening = listenersOf(ns).map((l) => l.local.port)
  const round = (x: number): number => Math.round(x * 10) / 10
  const kr = ns.kernelResets
  const groups = kr?.groups ?? []
  const named = groups.length > 0
  const top = groups[0]
  const refused = groups.find((g) => g.kind === 'refused')
  const abort = groups.find((g) => g.direction === 'sent' && g.kind !== 'refused' && g.kind !== 'noSocket')
  return [{
    severity: perS >= t.criticalPerSecond ? 'critical' : 'warning',
    magnitude: perS / Math.max(0.1, t.minPerSecond),
    ...(named ? { variant: 'named' } : {}),
    vars: { perS: round(perS), sentPerS: round((sent * 1000) / ms), recvPerS: round((received * 1000) / ms), top: top ? `${top.service} (${top.reason ?? top.kind})` : '' },
    evidence: {
      perSecond: round(perS),
      threshold: t.minPerSecond,
      intervalS: ms / 1000,
      sent: { TcpOutRsts: d(ns, 'TcpOutRsts'), afterTimeWaitOverflow: Math.min(d(ns, 'TcpOutRsts'), twOverflow) },
      received: { TcpEstabResets: d(ns, 'TcpEstabResets'), TcpAttemptFails: d(ns, 'TcpAttemptFails') },
      opened: { TcpActiveOpens: d(ns, 'TcpActiveOpens'), TcpPassiveOpens: d(ns, 'TcpPassiveOpens') },
      shareOfOpens: Number.isFinite(share) ? round(share) : null,
      aborts: detail,
      totals: { TcpOutRsts: absolute(ns, 'TcpOutRsts') ?? null, TcpEstabResets: absolute(ns, 'TcpEstabResets') ?? null },
      listeningPorts: listening.slice(0, 10),
      ...(kr ? { kernelResets: { seconds: kr.windowMs / 1000, sent: kr.sent, received: kr.received, dropped: kr.dropped, groups: groups.slice(0, 10) } } : {}),
    },
    // The two largest groups, the rates, then the other groups and the abort counters (diagnose shows three lines without --verbose).
    details: [
      ...groups.slice(0, 2).map(groupLine),
      ['doctor.ev.resets', { sent, received, seconds: ms / 1000, perS: round(perS), opens }],
      ...groups.slice(2, SHOWN).map(groupLine),
      ['doctor.ev.resetKinds', { kinds: kinds.map(([k, v]) => `${k.replace(/^TcpExt/, '')} ${v}`).join(', ') || '-' }],
    ],
    fixes: [...(named ? namedFixes(top, refused, abort) : []), ['doctor.RESETS_HIGH.fix.refused'], ['doctor.RESETS_HIGH.fix.abort'], ['doctor.RESETS_HIGH.fix.capture']],
  }]
})
