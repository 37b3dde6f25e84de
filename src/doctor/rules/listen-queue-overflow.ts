/**
 * @module
 * LISTEN_QUEUE_OVERFLOW: a listener's accept queue is full (Recv-Q reached the backlog, which is
 * min(listen() backlog, somaxconn)), or ListenOverflows grew over the interval: the application
 * does not call accept() fast enough, and the kernel drops SYNs and final ACKs. Not a flood, and
 * syncookies do not help.
 */
import { absolute, delta, earlierOf, rate } from '../input.js'
import { perNamespace, type Draft } from '../rule.js'
import { processText, topProcesses } from '../offenders.js'
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
    const doingVars = { process: p ? processText(p) : '?', pid: p?.pid ?? 0, state: activity?.state ?? '?', cpu: activity?.cpuPercent ?? '?', threads: activity ? Object.entries(activity.threads).map(([k, v]) => `${k} ${v}`).join(', ') : '?' }
    out.push({
      severity,
      magnitude: Math.max(l.recvQ / Math.max(1, l.sendQ), (overflows ?? 0) / Math.max(1, t.minOverflows)),
      vars: { listener: listenerText(l), port: l.local.port, queue: l.recvQ, backlog: l.sendQ, process: p ? processText(p) : '?' },
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
        ['doctor.ev.overflows', { delta: overflows ?? '?', total: absolute(ns, 'TcpExtListenOverflows') ?? '?', drops: absolute(ns, 'TcpExtListenDrops') ?? '?' }],
        ['doctor.ev.processes', { processes: p ? processText(p) : '?' }],
        ...(activity ? [['doctor.ev.ownerState', doingVars] as [string, Record<string, string | number>]] : []),
      ],
      fixes: [
        ...(doing ? [[`doctor.LISTEN_QUEUE_OVERFLOW.fix.${doing}`, doingVars] as [string, Record<string, string | number>]] : []),
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.accept', { process: p ? processText(p) : '?', port: l.local.port }],
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.backlog', { backlog: l.sendQ, somaxconn: somaxconn ?? '?' }],
        ['doctor.LISTEN_QUEUE_OVERFLOW.fix.notFlood'],
      ],
    })
  }
  return out
})
