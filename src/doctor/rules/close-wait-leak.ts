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
import { maxOf, ownerOf, peersText, portsText, processText, seconds, topLocalPorts, topPeers, topProcesses } from '../offenders.js'

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
  const severity = group.length >= t.criticalCount || oldestS >= t.criticalIdleS ? 'critical' : 'warning'
  return {
    severity,
    magnitude: group.length / Math.max(1, t.minCount),
    vars: { count: group.length, port: ports[0]?.port ?? 0, process: p ? processText(p) : '?', oldest: oldestS },
    evidence: { count: group.length, threshold: t.minCount, ports, peers, processes, oldestS, unreadBytes: unread },
    details: [
      ['doctor.ev.pileup', { count: group.length, state: 'CLOSE_WAIT', total: ns.sockets.filter((s) => s.state === 'CLOSE_WAIT').length, min: t.minCount }],
      ['doctor.ev.processes', { processes: processes.map((x) => `${processText(x)} x${x.count}`).join(', ') || '?' }],
      ['doctor.ev.ports', { ports: portsText(ports) }],
      ['doctor.ev.peers', { peers: peersText(peers) }],
      ['doctor.ev.cwIdle', { oldest: oldestS, unread }],
    ],
    fixes: [
      ['doctor.CLOSE_WAIT_LEAK.fix.close', { process: p ? processText(p) : '?', port: ports[0]?.port ?? 0 }],
      ['doctor.CLOSE_WAIT_LEAK.fix.find', { port: ports[0]?.port ?? 0 }],
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
    const k = o ? `pid:${o.pid}` : `port:${s.local.port}`
    groups.set(k, [...(groups.get(k) ?? []), s])
  }
  const big = [...groups.values()].filter((g) => g.length >= t.minCount)
  return (big.length ? big : [piled]).map((g) => draftFor(ns, g, config))
})
