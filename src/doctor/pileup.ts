/**
 * @module
 * The shape shared by the closing-state pile-ups (FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK):
 * sockets that stayed in the state over the interval, counted against a floor, with their
 * ports, peers, owners (inferred for orphans), age and the sysctl that bounds them.
 */
import type { Socket } from '../model/socket.js'
import type { StateName } from '../model/state.js'
import { earlierOf, lingering, stateOf, type NamespaceInput } from './input.js'
import type { Draft, Text } from './rule.js'
import { destinationsText, maxOf, ownerOf, peersText, portsText, processText, seconds, topDestinations, topLocalPorts, topPeers, topProcesses } from './offenders.js'

export interface PileupOptions {
  state: StateName
  minCount: number
  criticalCount: number
  /** Extra evidence lines and fixes for the state. */
  extra(ns: NamespaceInput, piled: Socket[]): { evidence: Record<string, unknown>; details: Text[]; fixes: Text[] }
}

/** Judges one namespace; [] when the state holds fewer than minCount lingering sockets. */
export function judgePileup(ns: NamespaceInput, o: PileupOptions): Draft[] {
  const piled = lingering(ns, o.state)
  if (piled.length < o.minCount || piled.length === 0) return []
  const total = ns.sockets.filter((s) => stateOf(s) === o.state).length
  const orphans = piled.filter((s) => s.inode === 0 || !s.process?.some((p) => !p.inferred)).length
  const ports = topLocalPorts(piled)
  const peers = topPeers(piled)
  const destinations = topDestinations(piled)
  // Server side (local port is a listener's): "on :8080"; client side: "to 10.0.0.2:8080".
  const listening = new Set(ns.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port))
  const serverSide = ports[0] !== undefined && listening.has(ports[0].port)
  const where = serverSide ? `:${ports[0]!.port}` : destinations[0] ? `-> ${destinations[0].destination}` : '?'
  const processes = topProcesses(piled)
  const ageMs = maxOf(piled.map((s) => earlierOf(ns, s)?.ageMs ?? 0))
  const idleMs = maxOf(piled.map((s) => (s.info ? Math.min(s.info.lastAckRecvMs, s.info.lastDataRecvMs) : 0)))
  const retrans = maxOf(piled.map((s) => s.timer?.retrans ?? 0))
  const top = processes[0]
  const extra = o.extra(ns, piled)
  const details: Text[] = [
    ['doctor.ev.pileup', { count: piled.length, state: o.state, total, min: o.minCount }],
    ['doctor.ev.orphans', { orphans, withFd: piled.length - orphans }],
    serverSide ? ['doctor.ev.ports', { ports: portsText(ports) }] : ['doctor.ev.destinations', { destinations: destinationsText(destinations) }],
    ['doctor.ev.peers', { peers: peersText(peers) }],
  ]
  if (processes.length) details.push(['doctor.ev.processes', { processes: processes.map((p) => `${processText(p)} x${p.count}`).join(', ') }])
  if (ageMs > 0) details.push(['doctor.ev.age', { age: seconds(ageMs) }])
  if (idleMs > 0) details.push(['doctor.ev.idle', { idle: seconds(idleMs) }])
  if (retrans > 0) details.push(['doctor.ev.retrans', { retrans }])
  details.push(...extra.details)
  return [{
    severity: piled.length >= o.criticalCount ? 'critical' : 'warning',
    magnitude: piled.length / Math.max(1, o.minCount),
    vars: { count: piled.length, where, port: ports[0]?.port ?? 0, process: top ? processText(top) : '?', peer: peers[0]?.address ?? '?', orphans },
    evidence: {
      count: piled.length,
      total,
      threshold: o.minCount,
      orphans,
      withFd: piled.length - orphans,
      side: serverSide ? 'server' : 'client',
      ports,
      destinations,
      peers,
      processes,
      ageMinS: seconds(ageMs),
      maxIdleS: seconds(idleMs),
      maxRetransmits: retrans,
      ...extra.evidence,
    },
    details,
    fixes: extra.fixes,
  }]
}

/** The process a socket would be blamed on, for callers that need one name. */
export function blame(s: Socket): string {
  const p = ownerOf(s)
  return p ? p.command : '?'
}

/**
 * The extra evidence and fixes of an orphan pile-up (CLOSING, LAST_ACK): the tcp_orphan_retries in
 * force, a first fix specific to the state, the retry limit, and killing the sockets with ss -K.
 */
export function orphanRetryExtra(firstFix: Text[0], retriesFix: Text[0], killState: string): PileupOptions['extra'] {
  return (n) => {
    const r = n.sysctls?.tcp.orphanRetries
    return {
      evidence: { tcp_orphan_retries: r ?? null },
      details: [],
      fixes: [[firstFix], [retriesFix, { value: r ?? '?' }], ['doctor.fix.kill', { state: killState }]],
    }
  }
}
