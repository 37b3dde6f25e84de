/**
 * @module
 * EPHEMERAL_RANGE_NARROW: fewer than minPorts usable ephemeral ports (ip_local_port_range minus
 * ip_local_reserved_ports). A warning when the busiest (src ip, dst ip, dst port) already holds
 * usedFraction of them (connect() gets EADDRNOTAVAIL when it holds all); info when the range is
 * narrow but not in demand.
 */
import { perNamespace } from '../rule.js'
import { destinationJson, destinationText, destinationUse, portRange } from '../ports.js'

export const ephemeralRangeNarrow = perNamespace('EPHEMERAL_RANGE_NARROW', 'warning', (ns, config) => {
  const t = config.thresholds.EPHEMERAL_RANGE_NARROW
  const tcp = ns.sysctls?.tcp
  if (!tcp?.localPortRange) return []
  const range = portRange(tcp)
  if (range.usable >= t.minPorts) return []
  const top = destinationUse(ns, range)[0]
  const used = top?.count ?? 0
  const fraction = range.usable === 0 ? 1 : used / range.usable
  const severity = fraction >= t.criticalFraction ? 'critical' : fraction >= t.usedFraction ? 'warning' : 'info'
  const procs = top ? [...top.processes].map(([p, n]) => `${p} x${n}`).join(', ') || '?' : '?'
  return [{
    severity,
    magnitude: severity === 'info' ? t.minPorts / Math.max(1, range.usable) / 100 : fraction / Math.max(0.01, t.usedFraction),
    vars: { low: range.low, high: range.high, usable: range.usable, used, percent: Math.round(fraction * 100), destination: top ? destinationText(top) : '-', port: top?.port ?? 0 },
    evidence: {
      portRange: [range.low, range.high],
      reservedPorts: range.reserved,
      usablePorts: range.usable,
      minPorts: t.minPorts,
      busiest: top ? destinationJson(top) : null,
      fraction: Math.round(fraction * 1000) / 1000,
      sysctlScope: ns.sysctlScope,
    },
    details: [
      ['doctor.ev.range', { low: range.low, high: range.high, reserved: range.reserved, usable: range.usable }],
      ...(top ? [['doctor.ev.tuple', { destination: destinationText(top), count: top.count, timeWait: top.timeWait, usable: range.usable, percent: Math.round(fraction * 100) }] as [string, Record<string, string | number>]] : []),
      ...(procs === '?' ? [] : [['doctor.ev.processes', { processes: procs }] as [string, Record<string, string | number>]]),
    ],
    fixes: [
      ['doctor.EPHEMERAL_RANGE_NARROW.fix.widen', { low: range.low, high: range.high }],
      ['doctor.EPHEMERAL_RANGE_NARROW.fix.reserved'],
      ['doctor.EPHEMERAL_RANGE_NARROW.fix.pool'],
    ],
  }]
})
