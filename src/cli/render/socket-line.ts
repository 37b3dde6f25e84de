/**
 * @module
 * ss-style text for one socket's extras: users:(...), timer:(...), skmem:(...), tcp_info fields.
 */
import type { Socket, TcpInfo } from '../../model/socket.js'

const ms = (us: number): string => (us / 1000).toFixed(3).replace(/\.?0+$/, '')

/** users:(("nginx",pid=12,fd=6),...) as ss -p prints it; inferred owners end with ~. */
export function formatUsers(s: Socket): string {
  if (!s.process?.length) return ''
  return `users:(${s.process.map((p) => `("${p.command}",pid=${p.pid},fd=${p.fd}${p.inferred ? ',inferred' : ''})`).join(',')})`
}

/**
 * A timer's time left exactly as ss prints it (iproute2 misc/ss.c print_ms_timer): minutes, then
 * seconds (dropped from 10 minutes on), then milliseconds (dropped once there are minutes or 10+
 * seconds): 119min, 1min59sec, 59sec, 7.200ms, 200ms, and "" for 0. Scripts that parse ss keep working.
 */
export function ssTimerText(timeoutMs: number): string {
  const t = Math.max(0, Math.trunc(timeoutMs))
  let secs = Math.floor(t / 1000)
  const minutes = Math.floor(secs / 60)
  secs %= 60
  let msecs = t % 1000
  let out = ''
  if (minutes) {
    msecs = 0
    out += `${minutes}min`
    if (minutes > 9) secs = 0
  }
  if (secs) {
    if (secs > 9) msecs = 0
    out += `${secs}${msecs ? '.' : 'sec'}`
  }
  if (msecs) out += `${String(msecs).padStart(3, '0')}ms`
  return out
}

/** timer:(keepalive,1min59sec,0) as ss -o prints it; '' for no timer. */
export function formatTimerParts(name: string, expiresMs: number, retrans: number): string {
  if (name === 'off') return ''
  return `timer:(${name},${ssTimerText(expiresMs)},${retrans})`
}

/** formatTimerParts for a decoded socket. */
export function formatTimer(s: Socket): string {
  return s.timer ? formatTimerParts(s.timer.name, s.timer.expiresMs, s.timer.retrans) : ''
}

/** skmem:(r0,rb131072,...) as ss -m prints it. */
export function formatMem(s: Socket): string {
  const m = s.mem
  if (!m) return ''
  return `skmem:(r${m.rmemAlloc},rb${m.rcvbuf},t${m.wmemAlloc},tb${m.sndbuf},f${m.fwdAlloc},w${m.wmemQueued},o${m.optmem},bl${m.backlog},d${m.drops})`
}

/** The most useful tcp_info fields, ss -i style. */
export function formatInfo(s: Socket): string {
  const i: TcpInfo | undefined = s.info
  if (!i) return ''
  const parts = [
    s.congestion ?? '',
    `rtt:${ms(i.rttUs)}/${ms(i.rttvarUs)}`,
    `rto:${Math.round(i.rtoUs / 1000)}`,
    `mss:${i.sndMss}`,
    `cwnd:${i.sndCwnd}`,
    i.sndSsthresh < 0xffff ? `ssthresh:${i.sndSsthresh}` : '',
    i.bytesSent !== undefined ? `bytes_sent:${i.bytesSent}` : '',
    i.bytesRetrans ? `bytes_retrans:${i.bytesRetrans}` : '',
    i.bytesAcked !== undefined ? `bytes_acked:${i.bytesAcked}` : '',
    i.bytesReceived !== undefined ? `bytes_received:${i.bytesReceived}` : '',
    `lastsnd:${i.lastDataSentMs}`,
    `lastrcv:${i.lastDataRecvMs}`,
    `lastack:${i.lastAckRecvMs}`,
    i.deliveryRate ? `delivery_rate:${Math.round(i.deliveryRate * 8)}bps` : '',
    `retrans:${i.retransmits}/${i.totalRetrans}`,
    i.lost ? `lost:${i.lost}` : '',
    i.unacked ? `unacked:${i.unacked}` : '',
    i.minRttUs !== undefined ? `minrtt:${ms(i.minRttUs)}` : '',
  ]
  return parts.filter(Boolean).join(' ')
}
