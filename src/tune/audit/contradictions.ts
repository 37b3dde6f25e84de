/**
 * @module
 * Audits settings that cancel each other: reuse without timestamps, no syncookies with a small
 * SYN backlog, window scaling off with large buffers, keepalive interval above its idle time,
 * a per-socket buffer larger than all of TCP's memory.
 */
import type { Audit, TuneFinding } from '../types.js'

const PAGE = 4096

export const auditContradictions: Audit = (input) => {
  const out: TuneFinding[] = []
  const val = (key: string): string | undefined => input.values.get(key)?.value
  const push = (key: string, message: TuneFinding['message'], vars: TuneFinding['vars'], topic: string, severity: TuneFinding['severity'] = 'warning'): void => {
    out.push({ code: 'CONTRADICTION', severity, key, current: val(key), message, vars, topic })
  }
  const reuse = val('net.ipv4.tcp_tw_reuse')
  if (reuse !== undefined && reuse !== '0' && val('net.ipv4.tcp_timestamps') === '0') push('net.ipv4.tcp_tw_reuse', 'tune.f.reusets', { reuse }, 'tcp_tw_reuse')
  const backlog = val('net.ipv4.tcp_max_syn_backlog')
  if (val('net.ipv4.tcp_syncookies') === '0' && backlog !== undefined && Number(backlog) < 1024) push('net.ipv4.tcp_max_syn_backlog', 'tune.f.nocookies', { backlog }, 'syn-flood')
  const rmemMax = Number(val('net.ipv4.tcp_rmem')?.split(' ')[2] ?? NaN)
  if (val('net.ipv4.tcp_window_scaling') === '0' && rmemMax > 65535) push('net.ipv4.tcp_window_scaling', 'tune.f.wscalermem', { max: rmemMax }, 'tcp_window_scaling')
  const time = Number(val('net.ipv4.tcp_keepalive_time'))
  const intvl = Number(val('net.ipv4.tcp_keepalive_intvl'))
  if (Number.isFinite(time) && Number.isFinite(intvl) && intvl > time) push('net.ipv4.tcp_keepalive_intvl', 'tune.f.keepaliveorder', { intvl, time }, 'keepalive', 'info')
  const memMaxPages = Number(val('net.ipv4.tcp_mem')?.split(' ')[2] ?? NaN)
  for (const key of ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']) {
    const max = Number(val(key)?.split(' ')[2] ?? NaN)
    if (Number.isFinite(max) && Number.isFinite(memMaxPages) && max > memMaxPages * PAGE) push(key, 'tune.f.bufmem', { key, bytes: max, pages: memMaxPages }, 'tcp-memory')
  }
  return out
}
