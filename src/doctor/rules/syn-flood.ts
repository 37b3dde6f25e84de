/**
 * @module
 * SYN_FLOOD: a listener's SYN queue (SYN_RECV request sockets) is at least backlogFraction of its
 * backlog, from many sources, while its accept queue is not full. A full accept queue also leaves
 * SYN_RECV behind (final ACKs dropped), but that is the application not accepting, not a flood
 * (LISTEN_QUEUE_OVERFLOW). Counters: TCPReqQFullDoCookies / TCPReqQFullDrop / SyncookiesSent;
 * the kernel log's "Possible SYN flooding on port" when recent.
 */
import { absolute, delta } from '../input.js'
import { perNamespace, type Draft } from '../rule.js'
import { processText, topProcesses } from '../offenders.js'
import { acceptQueueFull, listenerText, synRecvByListener } from '../listeners.js'

export const synFlood = perNamespace('SYN_FLOOD', 'warning', (ns, config, input) => {
  const t = config.thresholds.SYN_FLOOD
  const tcp = ns.sysctls?.tcp
  const out: Draft[] = []
  const cookies = delta(ns, 'TcpExtTCPReqQFullDoCookies') ?? 0
  const drops = delta(ns, 'TcpExtTCPReqQFullDrop') ?? 0
  for (const [l, reqs] of synRecvByListener(ns)) {
    const backlog = l.sendQ
    const limit = Math.max(t.minCount, Math.ceil(backlog * t.backlogFraction))
    if (reqs.length === 0 || acceptQueueFull(l)) continue
    if (reqs.length < limit && !(cookies + drops > 0 && reqs.length >= t.minCount)) continue
    const sources = new Set(reqs.map((s) => s.remote.address))
    const events = input.kernelLog.events.filter((e) => e.kind === 'syn_flood' && e.port === l.local.port)
    const p = topProcesses([l])[0]
    const full = reqs.length >= backlog
    const severity = full || drops > 0 || tcp?.syncookies === 0 ? 'critical' : 'warning'
    const counters = {
      TcpExtTCPReqQFullDoCookies: { delta: delta(ns, 'TcpExtTCPReqQFullDoCookies') ?? null, total: absolute(ns, 'TcpExtTCPReqQFullDoCookies') ?? null },
      TcpExtTCPReqQFullDrop: { delta: delta(ns, 'TcpExtTCPReqQFullDrop') ?? null, total: absolute(ns, 'TcpExtTCPReqQFullDrop') ?? null },
      TcpExtSyncookiesSent: { delta: delta(ns, 'TcpExtSyncookiesSent') ?? null, total: absolute(ns, 'TcpExtSyncookiesSent') ?? null },
    }
    const fixes: Draft['fixes'] = [tcp?.syncookies === 0 ? ['doctor.SYN_FLOOD.fix.cookiesOff'] : ['doctor.SYN_FLOOD.fix.cookiesOn', { value: tcp?.syncookies ?? '?' }]]
    fixes.push(['doctor.SYN_FLOOD.fix.filter', { port: l.local.port }])
    fixes.push(['doctor.SYN_FLOOD.fix.synack', { value: tcp?.synackRetries ?? '?' }])
    fixes.push(['doctor.SYN_FLOOD.fix.legit', { somaxconn: tcp?.somaxconn ?? '?', synBacklog: tcp?.tcpMaxSynBacklog ?? '?' }])
    out.push({
      severity,
      magnitude: reqs.length / Math.max(1, limit),
      vars: { count: reqs.length, listener: listenerText(l), port: l.local.port, sources: sources.size, process: p ? processText(p) : '?' },
      evidence: {
        listener: { address: l.local.address, port: l.local.port, backlog, acceptQueue: l.recvQ },
        synRecv: reqs.length,
        limit,
        sources: sources.size,
        sampleSources: [...sources].slice(0, 5),
        process: p ?? null,
        counters,
        sysctls: { tcp_syncookies: tcp?.syncookies ?? null, tcp_max_syn_backlog: tcp?.tcpMaxSynBacklog ?? null, somaxconn: tcp?.somaxconn ?? null, tcp_synack_retries: tcp?.synackRetries ?? null },
        kernelLog: events.map((e) => ({ text: e.text, time: e.time ?? null })),
      },
      details: [
        ['doctor.ev.synQueue', { count: reqs.length, listener: listenerText(l), backlog, sources: sources.size }],
        ['doctor.ev.cookies', { cookies: counters.TcpExtTCPReqQFullDoCookies.total ?? '?', cookiesDelta: counters.TcpExtTCPReqQFullDoCookies.delta ?? '?', drops: counters.TcpExtTCPReqQFullDrop.total ?? '?', sent: counters.TcpExtSyncookiesSent.total ?? '?' }],
        ['doctor.ev.synSysctls', { cookies: tcp?.syncookies ?? '?', synBacklog: tcp?.tcpMaxSynBacklog ?? '?', synack: tcp?.synackRetries ?? '?' }],
        ...(events.length ? [['doctor.ev.kmsg', { n: events.length, text: events.at(-1)!.text }] as [string, Record<string, string | number>]] : []),
        ['doctor.ev.processes', { processes: p ? processText(p) : '?' }],
      ],
      fixes,
    })
  }
  return out
})
