/**
 * @module
 * CLOSE_WAIT_LEAK: the peer closed, our application never did. The kernel has no timer for
 * CLOSE_WAIT (it lasts until close()), so no sysctl fixes it: name the process and the port.
 * One finding per owning process holding at least minCount of them (sockets that stayed over the
 * interval); the time since the peer's FIN is estimated from tcp_info (last receive).
 */
import type { Socket } from '../../model/socket.js'
import { earlierOf, lingering, type NamespaceInput } from '../input.js'
import { perNamespace, type Draft } from '../rule.js'
import type { DoctorConfig } from '../config.js'
import { listeningPorts, maxOf, ownerOf, ownersText, peersText, processText, seconds, servicesFilter, servicesText, topLocalPorts, topPeers, topProcesses, topServices } from '../offenders.js'

function draftFor(ns: NamespaceInput, group: Socket[], config: DoctorConfig): Draft {
  const t = config.thresholds.CLOSE_WAIT_LEAK
  const ports = topLocalPorts(group)
  const peers = topPeers(group)
  const processes = topProcesses(group)
  const idleMs = maxOf(group.map((s) => (s.info ? s.info.lastDataRecvMs : 0)))
  const ageMs = maxOf(group.map((s) => earlierOf(ns, s)?.ageMs ?? 0))
  const unread = group.reduce((a, s) => a + s.recvQ, 0)
  const oldestS = seconds(Math.max(idleMs, ageMs))
  const p = processes[0]
  // Named by the service: the local port when this side serves it, else the remote service the
  // application connects to (a client-side leak to 10.0.0.5:6379 has random local ports).
  const services = topServices(group, listeningPorts(ns.sockets))
  const where = services.slice(0, 3).map((x) => x.service).join(', ') + (services.length > 3 ? ', ...' : '')
  const filter = servicesFilter(services)
  const owners = ownersText(group) || '?'
  const severity = group.length >= t.criticalCount || oldestS >= t.criticalIdleS ? 'critical' : 'warning'
  return {
    severity,
    magnitude: group.length / Math.max(1, t.minCount),
    vars: { count: group.length, port: ports[0]?.port ?? 0, where, process: owners, oldest: oldestS },
    evidence: { count: group.length, threshold: t.minCount, services: services.slice(0, 10), ports, peers, processes, oldestS, unreadBytes: unread },
    details: [
      ['doctor.ev.pileup', { count: group.length, state: 'CLOSE_WAIT', total: ns.sockets.filter((s) => s.state === 'CLOSE_WAIT').length, min: t.minCount }],
      ['doctor.ev.processes', { processes: processes.map((x) => `${processText(x)} x${x.count}`).join(', ') || '?' }],
      ['doctor.ev.services', { services: servicesText(services.slice(0, 5)) }],
      ['doctor.ev.peers', { peers: peersText(peers) }],
      ['doctor.ev.cwIdle', { oldest: oldestS, unread }],
    ],
    fixes: [
      [services[0]?.side === 'client' ? 'doctor.CLOSE_WAIT_LEAK.fix.closeClient' : 'doctor.CLOSE_WAIT_LEAK.fix.close', { process: owners, port: ports[0]?.port ?? 0, where }],
      ['doctor.CLOSE_WAIT_LEAK.fix.find', { filter: filter ? ` ${filter}` : '' }],
      ['doctor.CLOSE_WAIT_LEAK.fix.noSysctl'],
    ],
  }
}

export const closeWaitLeak = perNamespace('CLOSE_WAIT_LEAK', 'warning', (ns, config) => {
  const t = config.thresholds.CLOSE_WAIT_LEAK
  const piled = lingering(ns, 'CLOSE_WAIT')
  if (piled.length < t.minCount || piled.length === 0) return []
  const groups = new Map<string, Socket[]>()
  for (const s of piled) {
    const o = ownerOf(s)
    // All the workers of one program are one leak ("nginx, 2 processes"), not one finding each.
    const k = o ? `cmd:${o.command}` : `port:${s.local.port}`
    groups.set(k, [...(groups.get(k) ?? []), s])
  }
  const big = [...groups.values()].filter((g) => g.length >= t.minCount)
  return (big.length ? big : [piled]).map((g) => draftFor(ns, g, config))
})
