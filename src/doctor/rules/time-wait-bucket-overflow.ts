/**
 * @module
 * TIME_WAIT_BUCKET_OVERFLOW: TIME_WAIT sockets reached tcp_max_tw_buckets and the kernel now
 * closes connections without TIME_WAIT (TcpExtTCPTimeWaitOverflow, "TCP: time wait bucket table
 * overflow"): late segments of an old connection can then corrupt a new one. The limit is a DoS
 * guard; ip-sysctl.rst: "you must not lower the limit artificially".
 */
import { absolute, delta, rate, stateOf, type NamespaceInput } from '../input.js'
import { perNamespace } from '../rule.js'
import type { DoctorConfig } from '../config.js'
import { processText, topDestinations, topProcesses, destinationsText } from '../offenders.js'

/** Whether the namespace is overflowing (or at) its TIME_WAIT limit; shared with SYSCTL_RISK. */
export function twOverflowing(ns: NamespaceInput, config: DoctorConfig, recentKernelEvent: boolean): boolean {
  const t = config.thresholds.TIME_WAIT_BUCKET_OVERFLOW
  const max = ns.sysctls?.tcp.tcpMaxTwBuckets
  const tw = ns.sockets.filter((s) => stateOf(s) === 'TIME_WAIT').length
  const overflows = delta(ns, 'TcpExtTCPTimeWaitOverflow')
  if (overflows !== undefined && overflows >= Math.max(1, t.minOverflows)) return true
  if (max !== undefined && max > 0 && tw >= max * t.bucketsFraction && (absolute(ns, 'TcpExtTCPTimeWaitOverflow') ?? 0) > 0) return true
  return overflows === undefined && (absolute(ns, 'TcpExtTCPTimeWaitOverflow') ?? 0) > 0 && recentKernelEvent
}

export const timeWaitBucketOverflow = perNamespace('TIME_WAIT_BUCKET_OVERFLOW', 'warning', (ns, config, input) => {
  const t = config.thresholds.TIME_WAIT_BUCKET_OVERFLOW
  const events = input.kernelLog.events.filter((e) => e.kind === 'time_wait_overflow')
  if (!twOverflowing(ns, config, events.length > 0)) return []
  const max = ns.sysctls?.tcp.tcpMaxTwBuckets
  const timeWait = ns.sockets.filter((s) => stateOf(s) === 'TIME_WAIT')
  const overflows = delta(ns, 'TcpExtTCPTimeWaitOverflow')
  const perS = rate(ns, 'TcpExtTCPTimeWaitOverflow')
  const dests = topDestinations(timeWait)
  const procs = topProcesses(timeWait)
  const low = max !== undefined && max < t.lowBuckets
  return [{
    severity: (perS ?? 0) >= 100 ? 'critical' : 'warning',
    magnitude: Math.max(1, (overflows ?? 0) / Math.max(1, t.minOverflows)),
    vars: { tw: timeWait.length, max: max ?? '?', overflows: overflows ?? absolute(ns, 'TcpExtTCPTimeWaitOverflow') ?? 0 },
    evidence: {
      timeWait: timeWait.length,
      tcp_max_tw_buckets: max ?? null,
      lowered: low,
      counters: { TcpExtTCPTimeWaitOverflow: { delta: overflows ?? null, rate: perS ?? null, total: absolute(ns, 'TcpExtTCPTimeWaitOverflow') ?? null } },
      destinations: dests,
      processes: procs,
      kernelLog: events.slice(-3).map((e) => ({ text: e.text, time: e.time ?? null })),
      sysctlScope: ns.sysctlScope,
    },
    details: [
      ['doctor.ev.twBuckets', { tw: timeWait.length, max: max ?? '?' }],
      ['doctor.ev.twOverflow', { delta: overflows ?? '?', rate: perS === undefined ? '?' : Math.round(perS * 10) / 10, total: absolute(ns, 'TcpExtTCPTimeWaitOverflow') ?? '?' }],
      ['doctor.ev.destinations', { destinations: destinationsText(dests) }],
      ...(procs.length ? [['doctor.ev.processes', { processes: procs.map((p) => `${processText(p)} x${p.count}`).join(', ') }] as [string, Record<string, string | number>]] : []),
      ...(events.length ? [['doctor.ev.kmsg', { n: events.length, text: events.at(-1)!.text }] as [string, Record<string, string | number>]] : []),
    ],
    fixes: [
      low ? ['doctor.TIME_WAIT_BUCKET_OVERFLOW.fix.raise', { max: max ?? '?' }] : ['doctor.TIME_WAIT_BUCKET_OVERFLOW.fix.neverLower', { max: max ?? '?' }],
      ['doctor.TIME_WAIT_BUCKET_OVERFLOW.fix.reuse'],
      ['doctor.TIME_WAIT_BUCKET_OVERFLOW.fix.myths'],
    ],
  }]
})
