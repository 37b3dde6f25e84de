/**
 * @module
 * ORPHAN_SOCKETS_HIGH: sockets closed by their application that the kernel still has to finish
 * (FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK without a file descriptor). Each can pin up to ~64 KB
 * of unswappable memory (ip-sysctl.rst); past tcp_max_orphans the kernel resets them ("too many
 * orphaned sockets"). Reported when the host count nears tcp_max_orphans (only readable in the
 * initial namespace: both are host-wide), or when a namespace holds minWithData orphans still
 * holding unsent data (stuck behind a zero window or a dead peer).
 */
import { absolute, delta, ownSysctls, stateOf } from '../input.js'
import { perNamespace } from '../rule.js'
import { destinationsText, portsText, processText, topDestinations, topLocalPorts, topPeers, topProcesses } from '../offenders.js'

const ORPHAN_STATES = new Set(['FIN_WAIT1', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK'])

export const orphanSocketsHigh = perNamespace('ORPHAN_SOCKETS_HIGH', 'warning', (ns, config, input) => {
  const t = config.thresholds.ORPHAN_SOCKETS_HIGH
  const orphans = ns.sockets.filter((s) => ORPHAN_STATES.has(stateOf(s)) && (s.inode === 0 || !s.process?.some((p) => !p.inferred)))
  const withData = orphans.filter((s) => s.sendQ > 1)
  const own = ownSysctls(ns)
  const max = own?.initialNetns ? own.tcp.tcpMaxOrphans : undefined
  const hostOrphans = ns.counters?.sockstat.orphan
  const hostHigh = max !== undefined && hostOrphans !== undefined && max > 0 && hostOrphans >= max * t.maxOrphansFraction
  const events = input.kernelLog.events.filter((e) => e.kind === 'too_many_orphans')
  const aborts = delta(ns, 'TcpExtTCPAbortOnMemory')
  const pressed = events.length > 0 || (aborts ?? 0) > 0
  if (!hostHigh && withData.length < Math.max(1, t.minWithData) && !(pressed && orphans.length > 0)) return []
  const bytes = withData.reduce((a, s) => a + s.sendQ, 0)
  const byState: Record<string, number> = {}
  for (const s of orphans) byState[stateOf(s)] = (byState[stateOf(s)] ?? 0) + 1
  const ports = topLocalPorts(orphans)
  const peers = topPeers(orphans)
  const destinations = topDestinations(orphans)
  const procs = topProcesses(orphans)
  const severity = pressed || (max !== undefined && hostOrphans !== undefined && hostOrphans >= max) ? 'critical' : 'warning'
  return [{
    severity,
    magnitude: Math.max(withData.length / Math.max(1, t.minWithData), hostHigh ? hostOrphans! / (max! * t.maxOrphansFraction) : 0),
    vars: { count: orphans.length, withData: withData.length, kb: Math.round(bytes / 1024), port: ports[0]?.port ?? 0 },
    evidence: {
      orphans: orphans.length,
      byState,
      withUnsentData: withData.length,
      unsentBytes: bytes,
      threshold: t.minWithData,
      hostOrphans: hostOrphans ?? null,
      tcp_max_orphans: max ?? null,
      tcp_orphan_retries: ns.sysctls?.tcp.orphanRetries ?? null,
      counters: { TcpExtTCPAbortOnMemory: { delta: aborts ?? null, total: absolute(ns, 'TcpExtTCPAbortOnMemory') ?? null } },
      ports,
      destinations,
      peers,
      processes: procs,
      kernelLog: events.slice(-3).map((e) => ({ text: e.text, time: e.time ?? null })),
    },
    details: [
      ['doctor.ev.orphanStates', { count: orphans.length, states: Object.entries(byState).map(([s, n]) => `${s} ${n}`).join(', ') }],
      ['doctor.ev.orphanData', { withData: withData.length, kb: Math.round(bytes / 1024), min: t.minWithData }],
      ['doctor.ev.orphanHost', { host: hostOrphans ?? '?', max: max ?? '?' }],
      ['doctor.ev.ports', { ports: portsText(ports) }],
      ['doctor.ev.destinations', { destinations: destinationsText(destinations) }],
      ...(procs.length ? [['doctor.ev.processes', { processes: procs.map((p) => `${processText(p)} x${p.count}`).join(', ') }] as [string, Record<string, string | number>]] : []),
    ],
    fixes: [
      ['doctor.ORPHAN_SOCKETS_HIGH.fix.cause'],
      ['doctor.ORPHAN_SOCKETS_HIGH.fix.retries', { value: ns.sysctls?.tcp.orphanRetries ?? '?' }],
      ['doctor.ORPHAN_SOCKETS_HIGH.fix.neverLower', { max: max ?? '?' }],
    ],
  }]
})
