/**
 * @module
 * TCP_MEMORY_PRESSURE: TCP's memory (sockstat "mem", pages, host-wide) reached tcp_mem[1]
 * (pressure: the kernel shrinks buffers) or tcp_mem[2] (high: allocations fail, sockets are
 * aborted, "TCP: out of memory -- consider tuning tcp_mem"). tcp_mem is global and readable only
 * from the initial namespace; elsewhere the namespace's own counters (TCPMemoryPressures,
 * TCPAbortOnMemory) still tell.
 */
import { absolute, delta, ownSysctls } from '../input.js'
import { perNamespace } from '../rule.js'

export const tcpMemoryPressure = perNamespace('TCP_MEMORY_PRESSURE', 'warning', (ns, config, input) => {
  const t = config.thresholds.TCP_MEMORY_PRESSURE
  const own = ownSysctls(ns)
  const mem = own?.initialNetns ? own.tcp.tcpMem : undefined
  const pages = ns.counters?.sockstat.memPages
  const pressures = delta(ns, 'TcpExtTCPMemoryPressures')
  const aborts = delta(ns, 'TcpExtTCPAbortOnMemory')
  const events = input.kernelLog.events.filter((e) => e.kind === 'out_of_memory')
  const overPressure = mem !== undefined && pages !== undefined && pages >= mem[1] * t.warnFractionOfPressure
  const overHigh = mem !== undefined && pages !== undefined && pages >= mem[2]
  const countersSay = (pressures ?? 0) > 0 || (aborts ?? 0) > 0
  if (!overPressure && !countersSay) return []
  const severity = overHigh || (aborts ?? 0) > 0 ? 'critical' : 'warning'
  const pageKb = 4
  return [{
    severity,
    magnitude: mem && pages !== undefined ? pages / mem[1] : 1 + (aborts ?? 0),
    vars: { pages: pages ?? '?', mb: pages === undefined ? '?' : Math.round((pages * pageKb) / 1024), pressure: mem?.[1] ?? '?', high: mem?.[2] ?? '?' },
    evidence: {
      memPages: pages ?? null,
      tcp_mem: mem ?? null,
      counters: {
        TcpExtTCPMemoryPressures: { delta: pressures ?? null, total: absolute(ns, 'TcpExtTCPMemoryPressures') ?? null },
        TcpExtTCPAbortOnMemory: { delta: aborts ?? null, total: absolute(ns, 'TcpExtTCPAbortOnMemory') ?? null },
      },
      sockets: ns.counters?.sockstat.alloc ?? null,
      orphans: ns.counters?.sockstat.orphan ?? null,
      kernelLog: events.slice(-3).map((e) => ({ text: e.text, time: e.time ?? null })),
    },
    details: [
      ['doctor.ev.tcpMem', { pages: pages ?? '?', low: mem?.[0] ?? '?', pressure: mem?.[1] ?? '?', high: mem?.[2] ?? '?' }],
      ['doctor.ev.memCounters', { pressures: pressures ?? '?', aborts: aborts ?? '?' }],
      ...(events.length ? [['doctor.ev.kmsg', { n: events.length, text: events.at(-1)!.text }] as [string, Record<string, string | number>]] : []),
    ],
    fixes: [['doctor.TCP_MEMORY_PRESSURE.fix.who'], ['doctor.TCP_MEMORY_PRESSURE.fix.buffers'], ['doctor.TCP_MEMORY_PRESSURE.fix.tcpMem', { high: mem?.[2] ?? '?' }]],
  }]
})
