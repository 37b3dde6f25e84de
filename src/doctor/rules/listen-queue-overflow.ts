/**
 * @module
 * LISTEN_QUEUE_OVERFLOW: a listener's accept queue is full (Recv-Q reached the backlog, which is
 * min(listen() backlog, somaxconn)), or ListenOverflows grew over the interval: the application
 * does not call accept() fast enough, and the kernel drops SYNs and final ACKs. Not a flood, and
 * syncookies do not help.
 */
import { absolute, delta, earlierOf, lingering, rate, stateOf } from '../input.js'
import { formatEndpoint } from '../../model/endpoint-text.js'
import type { Socket } from '../../model/socket.js'
import { perNamespace, type Draft } from '../rule.js'
import { ownersText, processText, topProcesses } from '../offenders.js'
import { acceptQueueFull, activityOf, listenerText, listenersOf, ownerDoing } from '../listeners.js'

export const listenQueueOverflow = perNamespace('LISTEN_QUEUE_OVERFLOW', 'warning', (ns, config) => {
  const t = config.thresholds.LISTEN_QUEUE_OVERFLOW
  const overflows = delta(ns, 'TcpExtListenOverflows')
  const listeners = listenersOf(ns)
  let chosen = listeners.filter((l) => acceptQueueFull(l, t.queueFraction))
  if (chosen.length === 0 && (overflows ?? 0) >= Math.max(1, t.minOverflows)) {
    // Counters are per namespace: blame the fullest queue.
    const fullest = [...listeners].filter((l) => l.recvQ > 0).sort((a, b) => b.recvQ / Math.max(1, b.sendQ) - a.recvQ / Math.max(1, a.sendQ))[0]
    chosen = fullest ? [fullest] : []
    if (!fullest && listeners.length === 0) return []
  }
  const somaxconn = ns.sysctls?.tcp.somaxconn
  const out: Draft[] = []
  for (const l of chosen) {
    const p = topProcesses([l])[0]
    const wasFull = earlierOf(ns, l) !== undefined
    const severity = acceptQueueFull(l) && (overflows ?? 0) > 0 ? 'critical' : 'warning'
    const ovRate = rate(ns, 'TcpExtListenOverflows')
    // What the owner is doing decides the fix: a stopped or I/O-blocked server needs no backlog.
    const activity = p ? activityOf(ns, p.pid) : undefined
    const doing = activity ? ownerDoing(activity) : undefined
    const doingVars = { process: p ? processText(p) : '?', pid: p?.pid ?? 0, state: activity?.state ?? '?', cpu: activity?.cpuPercent ?? '?', threads: activity ? Object.entries(activity.threads).map(([k, v]) => `${v} ${k}`).join(', ') : '?' }
    out.push({
      severity,
      magnitude: Math.max(l.recvQ / Math.max(1, l.sendQ), (overflows ?? 0) / Math.max(1, t.minOverflows)),
      vars: { listener: listenerText(l), port: l.local.port, queue: l.recvQ, backlog: l.sendQ, process: ownersText([l]) || '?' },
      evidence: {
        listener: { address: l.local.address, port: l.local.port },
        acceptQueue: l.recvQ,
        backlog: l.sendQ,
        process: p ?? null,
        owner: activity ? { state: activity.state, threads: activity.threads, cpuPercent: activity.cpuPercent ?? null, doing: doing ?? null } : null,
        persisted: wasFull,
        counters: {
          TcpExtListenOverflows: { delta: overflows ?? null, rate: ovRate ?? null, total: absolute(ns, 'TcpExtListenOverflows') ?? null },
          TcpExtListenDrops: { delta: delta(ns, 'TcpExtListenDrops') ?? null, total: absolute(ns, 'TcpExtListenDrops') ?? null },
        },
        sysctls: { somaxconn: somaxconn ?? null },
      },
      details: [
        ['doctor.ev.acceptQueue', { listener: listenerText(l), queue: l.recvQ, backlog: l.sendQ, somaxconn: somaxconn ?? '?' }],
        // One sample has no interval: say so rather than print an unknown delta.
        overflows === undefined
          ? ['doctor.ev.overflowsTotal', { total: absolute(ns, 'TcpExtListenOverflows') ?? '?', drops: absolute(ns, 'TcpExtListenDrops') ?? '?' }]
          : ['doctor.ev.overflows', { delta: overflows, total: absolute(ns, 'TcpExtListenOverflows') ?? '?', drops: absolute(ns, 'TcpExtListenDrops') ?? '?' }],
        ['doctor.ev.processes', { processes: p ? processText(p) : '?' }],
        ...(activity ? [[activity.cpuPercent === undefined ? 'doctor.ev.ownerStateNoCpu' : 'doctor.ev.ownerState', doingVars] as [string, Record<string, string | number>]] : []),
      ],
      fixes: [
        ...(doing ? [[`doctor.LISTEN_QUEUE_OVERFLOW.fix.${doing}`, doingVars] as [string, Record<string, string | number>]] : []),
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.accept', { process: p ? processText(p) : '?', port: l.local.port }],
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.backlog', { backlog: l.sendQ, somaxconn: somaxconn ?? '?' }],
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.notFlood'],
      ],
    })
  }
  out.push(...clientSide(ns))
  return out
})

/** SYN_SENT to a destination are a hint of its full accept queue when others to it are up. */
const CLIENT_MIN_WAITING = 5

/**
 * The client side of a full accept queue: connections to one destination wait in SYN_SENT (their
 * SYNs or final ACKs dropped by the server's full queue) while others to the same destination
 * are ESTABLISHED, so it is reachable and listening. Info: the fix is on the server.
 */
function clientSide(ns: Parameters<typeof listenersOf>[0]): Draft[] {
  const up = new Map<string, number>()
  for (const s of ns.sockets) if (stateOf(s) === 'ESTABLISHED') { const k = formatEndpoint(s.remote, s.family); up.set(k, (up.get(k) ?? 0) + 1) }
  const waiting = new Map<string, Socket[]>()
  for (const s of lingering(ns, 'SYN_SENT')) {
    const k = formatEndpoint(s.remote, s.family)
    if (up.has(k)) waiting.set(k, [...(waiting.get(k) ?? []), s])
  }
  const out: Draft[] = []
  for (const [destination, group] of waiting) {
    if (group.length < CLIENT_MIN_WAITING) continue
    const vars = { count: group.length, destination, established: up.get(destination) ?? 0, process: ownersText(group) || '?' }
    out.push({
      severity: 'info',
      variant: 'client',
      magnitude: group.length / CLIENT_MIN_WAITING,
      vars,
      evidence: { side: 'client', destination: { address: group[0]!.remote.address, port: group[0]!.remote.port }, synSent: group.length, established: vars.established, processes: topProcesses(group) },
      details: [['doctor.ev.clientWaiting', vars]],
      fixes: [['doctor.LISTEN_QUEUE_OVERFLOW.fix.client', vars]],
    })
  }
  return out
}
