/**
 * @module
 * RETRANSMISSION_HIGH: connected sockets retransmit a large share of what they send: loss or
 * congestion on the path to the top peers. Measured per socket from tcp_info (segs_out,
 * total_retrans) between the two samples (lifetime values with one sample), so SYN and FIN
 * retries of sockets that are not carrying data do not count; the namespace's MIB counters are
 * shown beside.
 */
import type { Socket } from '../../model/socket.js'
import { delta, earlierOf, rate, stateOf } from '../input.js'
import { perNamespace } from '../rule.js'
import { destinationsText, listeningPorts, ownersText, processText, topPeerServices, topProcesses } from '../offenders.js'

const DATA_STATES = new Set(['ESTABLISHED', 'CLOSE_WAIT'])

export const retransmissionHigh = perNamespace('RETRANSMISSION_HIGH', 'warning', (ns, config) => {
  const t = config.thresholds.RETRANSMISSION_HIGH
  let segs = 0
  let retrans = 0
  const lossy: Socket[] = []
  const windowed = ns.earlier !== undefined
  for (const s of ns.sockets) {
    if (!DATA_STATES.has(stateOf(s)) || !s.info || s.info.segsOut === undefined) continue
    const e = earlierOf(ns, s)
    if (windowed && !e) continue
    const dSegs = s.info.segsOut - (e?.segsOut ?? 0)
    const dRetr = s.info.totalRetrans - (e?.totalRetrans ?? 0)
    if (dSegs < 0 || dRetr < 0) continue
    segs += dSegs
    retrans += dRetr
    if (dRetr > 0) lossy.push(s)
  }
  if (segs < Math.max(1, t.minSegments)) return []
  const ratio = retrans / segs
  if (ratio < t.ratio) return []
  const dests = topPeerServices(lossy, listeningPorts(ns.sockets))
  const procs = topProcesses(lossy)
  const counter = (name: string): { delta: number | null; rate: number | null } => ({ delta: delta(ns, name) ?? null, rate: rate(ns, name) === undefined ? null : Math.round(rate(ns, name)! * 10) / 10 })
  const percent = Math.round(ratio * 1000) / 10
  return [{
    severity: ratio >= t.criticalRatio ? 'critical' : 'warning',
    magnitude: ratio / Math.max(0.0001, t.ratio),
    vars: { percent, destination: dests[0]?.destination ?? '?', port: dests[0]?.port ?? 0, process: ownersText(lossy) || '?' },
    evidence: {
      window: windowed ? 'interval' : 'lifetime',
      segmentsOut: segs,
      retransmitted: retrans,
      ratio: Math.round(ratio * 10000) / 10000,
      threshold: t.ratio,
      destinations: dests,
      processes: procs,
      counters: {
        TcpRetransSegs: counter('TcpRetransSegs'),
        TcpOutSegs: counter('TcpOutSegs'),
        TcpExtTCPSynRetrans: counter('TcpExtTCPSynRetrans'),
        TcpExtTCPLostRetransmit: counter('TcpExtTCPLostRetransmit'),
        TcpExtTCPTimeouts: counter('TcpExtTCPTimeouts'),
        TcpExtTCPFastRetrans: counter('TcpExtTCPFastRetrans'),
      },
    },
    details: [
      ['doctor.ev.retransRatio', { retrans, segs, percent, window: windowed ? 'interval' : 'lifetime' }],
      ['doctor.ev.destinations', { destinations: destinationsText(dests) }],
      ['doctor.ev.retransCounters', { retransSegs: counter('TcpRetransSegs').rate ?? '?', timeouts: counter('TcpExtTCPTimeouts').delta ?? '?', fast: counter('TcpExtTCPFastRetrans').delta ?? '?' }],
      ...(procs.length ? [['doctor.ev.processes', { processes: procs.map((p) => processText(p)).join(', ') }] as [string, Record<string, string | number>]] : []),
    ],
    fixes: [
      ['doctor.RETRANSMISSION_HIGH.fix.path', { destination: dests[0]?.address ?? '?' }],
      ['doctor.RETRANSMISSION_HIGH.fix.capture', { port: dests[0]?.port ?? 0 }],
      ['doctor.RETRANSMISSION_HIGH.fix.local'],
    ],
  }]
})
