/**
 * @module
 * TIME_WAIT_PORT_EXHAUSTION: this side closes first and keeps opening connections to the same
 * (dst ip, dst port): sockets to it, mostly TIME_WAIT, hold rangeFraction of the usable ephemeral
 * ports, and connect() is (about to be) failing with EADDRNOTAVAIL. TIME_WAIT lasts a hard-coded
 * 60 s on Linux: tcp_fin_timeout does not shorten it and tcp_tw_recycle is gone (4.12).
 */
import { perNamespace } from '../rule.js'
import { destinationJson, destinationText, destinationUse, portRange, twReuseApplies } from '../ports.js'

export const timeWaitPortExhaustion = perNamespace('TIME_WAIT_PORT_EXHAUSTION', 'warning', (ns, config) => {
  const t = config.thresholds.TIME_WAIT_PORT_EXHAUSTION
  const tcp = ns.sysctls?.tcp
  const range = portRange(tcp)
  if (range.usable === 0) return []
  const top = destinationUse(ns, range).find((d) => d.timeWait * 2 >= d.count)
  if (!top) return []
  const fraction = top.count / range.usable
  if (fraction < t.rangeFraction) return []
  const reuse = twReuseApplies(tcp, top)
  const severity = reuse ? 'info' : fraction >= t.criticalFraction ? 'critical' : 'warning'
  const procs = [...top.processes].map(([p, n]) => `${p} x${n}`).join(', ') || '?'
  return [{
    severity,
    magnitude: fraction / Math.max(0.01, t.rangeFraction),
    vars: { destination: destinationText(top), port: top.port, count: top.count, timeWait: top.timeWait, usable: range.usable, percent: Math.round(fraction * 100) },
    evidence: {
      destination: destinationJson(top),
      usablePorts: range.usable,
      portRange: [range.low, range.high],
      reservedPorts: range.reserved,
      fraction: Math.round(fraction * 1000) / 1000,
      threshold: t.rangeFraction,
      twReuseApplies: reuse,
      sysctls: { tcp_tw_reuse: tcp?.twReuse ?? null, ip_local_port_range: tcp?.localPortRange ?? null },
      sysctlScope: ns.sysctlScope,
    },
    details: [
      ['doctor.ev.tuple', { destination: destinationText(top), count: top.count, timeWait: top.timeWait, usable: range.usable, percent: Math.round(fraction * 100) }],
      ['doctor.ev.range', { low: range.low, high: range.high, reserved: range.reserved, usable: range.usable }],
      ['doctor.ev.twReuse', { value: tcp?.twReuse ?? '?' }],
      ...(procs === '?' ? [] : [['doctor.ev.processes', { processes: procs }] as [string, Record<string, string | number>]]),
    ],
    fixes: [
      ['doctor.TIME_WAIT_PORT_EXHAUSTION.fix.pool'],
      ['doctor.TIME_WAIT_PORT_EXHAUSTION.fix.spread'],
      ['doctor.TIME_WAIT_PORT_EXHAUSTION.fix.reuse', { value: tcp?.twReuse ?? '?' }],
      ['doctor.TIME_WAIT_PORT_EXHAUSTION.fix.myths'],
    ],
  }]
})
