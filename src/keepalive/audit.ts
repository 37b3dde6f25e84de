/**
 * @module
 * The dead-peer audit: for each ESTABLISHED socket, is keepalive on, how long has it been idle,
 * and how long would the kernel take to notice that the peer is gone. Pure: sockets (with
 * tcp_info and timers) and sysctls in, rows out.
 *
 * What can be seen from outside the process: the one timer inet_diag reports (retransmit/probe
 * timers take precedence over the keepalive timer, net/ipv4/inet_diag.c), tcp_info. What cannot:
 * per-socket TCP_KEEPIDLE/INTVL/CNT and TCP_USER_TIMEOUT. So the keepalive estimate is the timer's
 * next probe plus the sysctl interval x probes, and says it assumed the defaults.
 * Rules (Documentation/networking/ip-sysctl.rst): keepalive takes tcp_keepalive_time +
 * intvl x probes (7200 + 75 x 9 s = 2 h 11 min 15 s by default); with unacknowledged data the
 * retransmission timeout rules instead (tcp_retries2 = 15 -> 924.6 s); with neither, an idle
 * connection to a vanished peer stays ESTABLISHED forever.
 */
import type { Socket, SocketTimer } from '../model/socket.js'
import { keepaliveDefaultMs, retries2TimeoutMs, type TcpSysctls } from '../kernel/procfs/sysctl.js'

export type KeepaliveState = 'on' | 'off' | 'unknown'

/** How the detection time was worked out. */
export type DetectBasis =
  /** keepalive timer: next probe + interval x remaining probes (sysctl defaults assumed) */
  | 'keepalive'
  /** unacknowledged data: the retransmission timeout (tcp_retries2) */
  | 'retries2'
  /** nothing would notice */
  | 'none'

export interface KeepaliveRow {
  socket: Socket
  keepalive: KeepaliveState
  timer?: SocketTimer
  /** Time since data (or an ACK) was last received: min(lastDataRecvMs, lastAckRecvMs). */
  idleMs?: number
  /** Data sent and not yet acknowledged (tcp_info unacked, or bytes in the send queue). */
  unackedData: boolean
  /** Upper estimate of the time from now until the kernel would declare a dead peer; null: never. */
  detectMs: number | null
  basis: DetectBasis
  /** The estimate used sysctl defaults for values a socket may override (TCP_KEEPINTVL/CNT, TCP_USER_TIMEOUT). */
  assumedDefaults: boolean
  /** No keepalive, no unacked data, idle >= minIdleMs: a vanished peer would never be noticed. */
  neverNotices: boolean
}

export interface KeepaliveAudit {
  /** The sysctl defaults the estimates used. */
  defaults: { keepaliveTimeS?: number; keepaliveIntvlS?: number; keepaliveProbes?: number; retries2?: number; keepaliveTotalMs?: number; retries2TimeoutMs?: number }
  minIdleMs: number
  rows: KeepaliveRow[]
  neverNotice: number
}

/** Audits ESTABLISHED sockets (others are skipped). Sockets need info (tcp_info) for idle times. */
export function auditKeepalive(sockets: readonly Socket[], tcp: TcpSysctls, opts: { minIdleMs?: number } = {}): KeepaliveAudit {
  const minIdleMs = opts.minIdleMs ?? 60_000
  const retries2Ms = tcp.retries2 === undefined ? undefined : retries2TimeoutMs(tcp.retries2, tcp.rtoMaxMs)
  const rows: KeepaliveRow[] = []
  for (const s of sockets) {
    if (s.state !== 'ESTABLISHED') continue
    const info = s.info
    const idleMs = info ? Math.min(info.lastDataRecvMs, info.lastAckRecvMs) : undefined
    const unackedData = (info?.unacked ?? 0) > 0 || s.sendQ > 0
    const timer = s.timer && s.timer.name !== 'off' ? s.timer : undefined
    let keepalive: KeepaliveState = 'off'
    let detectMs: number | null = null
    let basis: DetectBasis = 'none'
    let assumedDefaults = false
    if (timer?.name === 'keepalive') {
      keepalive = 'on'
      basis = 'keepalive'
      assumedDefaults = true
      const left = Math.max(0, (tcp.keepaliveProbes ?? 9) - timer.retrans)
      detectMs = timer.expiresMs + left * (tcp.keepaliveIntvlS ?? 75) * 1000
    } else if (timer || unackedData) {
      // A retransmit/probe timer hides the keepalive timer: keepalive may or may not be on.
      keepalive = timer ? 'unknown' : 'off'
      if (unackedData || timer?.name === 'on' || timer?.name === 'persist') {
        basis = 'retries2'
        assumedDefaults = true
        detectMs = retries2Ms ?? null
      }
    }
    const neverNotices = basis === 'none' && keepalive === 'off' && (idleMs === undefined || idleMs >= minIdleMs)
    const row: KeepaliveRow = { socket: s, keepalive, unackedData, detectMs, basis, assumedDefaults, neverNotices }
    if (timer) row.timer = timer
    if (idleMs !== undefined) row.idleMs = idleMs
    rows.push(row)
  }
  return {
    defaults: {
      keepaliveTimeS: tcp.keepaliveTimeS,
      keepaliveIntvlS: tcp.keepaliveIntvlS,
      keepaliveProbes: tcp.keepaliveProbes,
      retries2: tcp.retries2,
      keepaliveTotalMs: keepaliveDefaultMs(tcp),
      retries2TimeoutMs: retries2Ms,
    },
    minIdleMs,
    rows,
    neverNotice: rows.filter((r) => r.neverNotices).length,
  }
}
