/**
 * @module
 * Audits values that hurt whatever the profile: lowered tcp_max_tw_buckets / tcp_max_orphans,
 * syncookies off, a very low tcp_fin_timeout (and what it does not do), a narrow or low port
 * range, timestamps/SACK/window scaling off, tcp_retries2 too low, tcp_abort_on_overflow.
 */
import type { Audit, TuneFinding } from '../types.js'
import type { MessageKey } from '../../i18n/index.js'
import { rangeSize } from '../profiles.js'

export const auditRisky: Audit = (input) => {
  const out: TuneFinding[] = []
  const val = (key: string): string | undefined => input.values.get(key)?.value
  const add = (severity: TuneFinding['severity'], key: string, message: MessageKey, vars: Record<string, string | number>, recommended?: string, topic = key.split('.').pop()!): void => {
    out.push({ code: 'RISKY_VALUE', severity, key, current: val(key), ...(recommended !== undefined ? { recommended } : {}), message, vars, topic })
  }
  // The kernel sizes both limits from the established hash: ehash entries / 2 (tcp_init, tcp_sk_init).
  const ehash = Math.abs(Number(val('net.ipv4.tcp_ehash_entries') ?? NaN))
  const memDefault = Number.isFinite(ehash) && ehash > 0 ? Math.floor(ehash / 2) : undefined
  for (const [key, message] of [['net.ipv4.tcp_max_tw_buckets', 'tune.f.twbuckets'], ['net.ipv4.tcp_max_orphans', 'tune.f.orphans']] as const) {
    const v = val(key)
    if (v === undefined) continue
    const floor = memDefault ?? 16384
    if (Number(v) < floor) add('warning', key, message, { value: v, default: memDefault ?? `>= ${floor}` }, memDefault !== undefined ? String(memDefault) : undefined)
  }
  const cookies = val('net.ipv4.tcp_syncookies')
  if (cookies === '0') add('warning', 'net.ipv4.tcp_syncookies', 'tune.f.syncookies0', {}, '1')
  if (cookies === '2') add('info', 'net.ipv4.tcp_syncookies', 'tune.f.syncookies2', {}, '1')
  const fin = val('net.ipv4.tcp_fin_timeout')
  if (fin !== undefined && Number(fin) < 60) add(Number(fin) < 10 ? 'warning' : 'info', 'net.ipv4.tcp_fin_timeout', Number(fin) < 10 ? 'tune.f.fintimeout.low' : 'tune.f.fintimeout', { value: fin }, '60')
  const range = val('net.ipv4.ip_local_port_range')
  const size = rangeSize(range)
  if (range !== undefined && size !== undefined) {
    const [lo = 0, hi = 0] = range.split(' ').map(Number)
    if (size < 28232) add('warning', 'net.ipv4.ip_local_port_range', 'tune.f.range.narrow', { value: range, size: size.toLocaleString('en-US') }, '32768 60999', 'ephemeral-port-range')
    if (lo < 1024) add('warning', 'net.ipv4.ip_local_port_range', 'tune.f.range.low', { low: lo }, undefined, 'ip_local_port_range')
    else if (lo % 2 === hi % 2) add('info', 'net.ipv4.ip_local_port_range', 'tune.f.range.parity', { value: range }, undefined, 'ip_local_port_range')
  }
  if (val('net.ipv4.tcp_timestamps') === '0') add('warning', 'net.ipv4.tcp_timestamps', 'tune.f.timestamps0', {}, '1')
  if (val('net.ipv4.tcp_sack') === '0') add('warning', 'net.ipv4.tcp_sack', 'tune.f.sack0', {}, '1')
  if (val('net.ipv4.tcp_window_scaling') === '0') add('warning', 'net.ipv4.tcp_window_scaling', 'tune.f.wscale0', {}, '1')
  const r2 = val('net.ipv4.tcp_retries2')
  if (r2 !== undefined && Number(r2) < 8) add('warning', 'net.ipv4.tcp_retries2', 'tune.f.retries2', { value: r2 }, '15')
  if (val('net.ipv4.tcp_abort_on_overflow') === '1') add('info', 'net.ipv4.tcp_abort_on_overflow', 'tune.f.abortoverflow', {}, '0')
  return out
}
