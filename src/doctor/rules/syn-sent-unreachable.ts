/**
 * @module
 * SYN_SENT_UNREACHABLE: connections to one destination (ip:port) stuck in SYN_SENT while no
 * connection to it is up: the target does not exist, is down, or a firewall drops the SYNs.
 * A destination that also has ESTABLISHED connections is reachable (its accept queue may be
 * full: that is LISTEN_QUEUE_OVERFLOW on the server), so it is not reported here.
 */
import { formatEndpoint } from '../../model/endpoint-text.js'
import type { Socket } from '../../model/socket.js'
import { lingering, stateOf } from '../input.js'
import { perNamespace, type Draft } from '../rule.js'
import { maxOf, processText, seconds, topProcesses } from '../offenders.js'

const SYNCHRONIZED = new Set(['ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT'])

export const synSentUnreachable = perNamespace('SYN_SENT_UNREACHABLE', 'warning', (ns, config) => {
  const t = config.thresholds.SYN_SENT_UNREACHABLE
  const reached = new Set(ns.sockets.filter((s) => SYNCHRONIZED.has(stateOf(s))).map((s) => formatEndpoint(s.remote, s.family)))
  const byDest = new Map<string, Socket[]>()
  for (const s of lingering(ns, 'SYN_SENT')) {
    const k = formatEndpoint(s.remote, s.family)
    byDest.set(k, [...(byDest.get(k) ?? []), s])
  }
  const synRetries = ns.sysctls?.tcp.synRetries
  const out: Draft[] = []
  for (const [dest, group] of byDest) {
    if (group.length < t.minCount || reached.has(dest)) continue
    const processes = topProcesses(group)
    const retrans = maxOf(group.map((s) => s.timer?.retrans ?? 0))
    const p = processes[0]
    const first = group[0]!
    out.push({
      severity: group.length >= t.criticalCount ? 'critical' : 'warning',
      magnitude: group.length / Math.max(1, t.minCount),
      vars: { count: group.length, destination: dest, process: p ? processText(p) : '?' },
      evidence: { count: group.length, threshold: t.minCount, destination: { address: first.remote.address, port: first.remote.port }, established: 0, processes, maxSynRetransmits: retrans, tcp_syn_retries: synRetries ?? null },
      details: [
        ['doctor.ev.synSent', { count: group.length, destination: dest, min: t.minCount }],
        ['doctor.ev.processes', { processes: processes.map((x) => `${processText(x)} x${x.count}`).join(', ') || '?' }],
        ['doctor.ev.synRetries', { retrans, retries: synRetries ?? '?' }],
      ],
      fixes: [
        ['doctor.SYN_SENT_UNREACHABLE.fix.check', { destination: dest, address: first.remote.address, port: first.remote.port }],
        ['doctor.SYN_SENT_UNREACHABLE.fix.timeout', { retries: synRetries ?? '?', seconds: synRetries === undefined ? '?' : seconds(((2 << synRetries) - 1) * 1000) }],
      ],
    })
  }
  return out
})
