/**
 * @module
 * HALF_OPEN_SUSPECTED: ESTABLISHED connections whose peer has gone silent: our data (or
 * keepalive probes) is retransmitted again and again and nothing has been heard for a while.
 * The peer vanished without FIN or RST (a crashed host, a mobile client, a NAT that forgot the
 * flow). With data in flight the kernel gives up after tcp_retries2; idle connections without
 * keepalive would stay forever, which `tcpdoctor keepalive` audits.
 */
import { retries2TimeoutMs } from '../../kernel/procfs/sysctl.js'
import type { Socket } from '../../model/socket.js'
import { stateOf } from '../input.js'
import { perNamespace } from '../rule.js'
import { listeningPorts, maxOf, ownersText, peersText, processText, seconds, servicesText, topLocalPorts, topPeers, topProcesses, topServices } from '../offenders.js'

function retransmitsOf(s: Socket): number {
  return Math.max(s.info?.retransmits ?? 0, s.timer && s.timer.name !== 'off' ? s.timer.retrans : 0)
}

export const halfOpenSuspected = perNamespace('HALF_OPEN_SUSPECTED', 'warning', (ns, config) => {
  const t = config.thresholds.HALF_OPEN_SUSPECTED
  const silent = ns.sockets.filter((s) => {
    if (stateOf(s) !== 'ESTABLISHED' || !s.info) return false
    const heardMs = Math.min(s.info.lastAckRecvMs, s.info.lastDataRecvMs)
    const probing = s.timer?.name === 'keepalive' ? s.timer.retrans >= 1 : s.info.unacked > 0 || s.sendQ > 0
    return probing && retransmitsOf(s) >= t.minRetransmits && heardMs >= t.minSilenceS * 1000
  })
  if (silent.length < Math.max(1, t.minCount)) return []
  const ports = topLocalPorts(silent)
  const peers = topPeers(silent)
  const processes = topProcesses(silent)
  const silenceMs = maxOf(silent.map((s) => Math.min(s.info!.lastAckRecvMs, s.info!.lastDataRecvMs)))
  const retrans = maxOf(silent.map(retransmitsOf))
  const tcp = ns.sysctls?.tcp
  const giveUpS = tcp?.retries2 === undefined ? undefined : seconds(retries2TimeoutMs(tcp.retries2, tcp.rtoMaxMs))
  const keepalive = silent.filter((s) => s.timer?.name === 'keepalive').length
  const p = processes[0]
  // Keepalive never fires while data is unacknowledged (the retransmit timer runs instead): for
  // those sockets TCP_USER_TIMEOUT is the fix that works, so it comes first.
  const withData = silent.filter((s) => s.timer?.name !== 'keepalive' && ((s.info?.unacked ?? 0) > 0 || s.sendQ > 0)).length
  const services = topServices(silent, listeningPorts(ns.sockets))
  const where = services.slice(0, 3).map((x) => x.service).join(', ')
  const fixes: [string, Record<string, string | number>?][] = withData * 2 >= silent.length
    ? [['doctor.HALF_OPEN_SUSPECTED.fix.userTimeoutFirst', { withData, count: silent.length, giveUp: giveUpS ?? '?' }], ['doctor.HALF_OPEN_SUSPECTED.fix.keepalive'], ['doctor.HALF_OPEN_SUSPECTED.fix.heartbeat']]
    : [['doctor.HALF_OPEN_SUSPECTED.fix.keepalive'], ['doctor.HALF_OPEN_SUSPECTED.fix.userTimeout'], ['doctor.HALF_OPEN_SUSPECTED.fix.heartbeat']]
  return [{
    severity: 'warning',
    magnitude: silent.length / Math.max(1, t.minCount),
    vars: { count: silent.length, port: ports[0]?.port ?? 0, where, process: ownersText(silent) || '?', peer: peers[0]?.address ?? '?' },
    evidence: { count: silent.length, threshold: t.minCount, withUnackedData: withData, services, ports, peers, processes, maxSilenceS: seconds(silenceMs), maxRetransmits: retrans, keepaliveProbing: keepalive, giveUpAfterS: giveUpS ?? null, tcp_retries2: tcp?.retries2 ?? null },
    details: [
      ['doctor.ev.halfOpen', { count: silent.length, silence: seconds(silenceMs), retrans }],
      ['doctor.ev.peers', { peers: peersText(peers) }],
      ['doctor.ev.services', { services: servicesText(services.slice(0, 5)) }],
      ['doctor.ev.processes', { processes: processes.map((x) => `${processText(x)} x${x.count}`).join(', ') || '?' }],
      ['doctor.ev.retries2', { retries2: tcp?.retries2 ?? '?', giveUp: giveUpS ?? '?' }],
    ],
    fixes,
  }]
})
