/**
 * @module
 * setKeepAlive(socket, { idle, interval, count }) and getKeepAlive(socket) (SPEC 4).
 * Node 20's socket.setKeepAlive(true, ms) sets SO_KEEPALIVE and TCP_KEEPIDLE but also forces
 * TCP_KEEPINTVL=1 s and TCP_KEEPCNT=10 (libuv's defaults, nodejs/node#38313), and every later call
 * rewrites them. So we call it first, then set TCP_KEEPIDLE/INTVL/CNT ourselves through the addon;
 * interval and count left out get the sysctl defaults back (tcp_keepalive_intvl/probes), not
 * libuv's 1 s x 10. Times are milliseconds, rounded up to whole seconds (the kernel counts seconds).
 */
import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'
import { normalizeSysctlText, sysctlNumber } from '../kernel/procfs/sysctl.js'
import { TcpdoctorError } from '../errors.js'
import { IPPROTO_TCP, SOL_SOCKET, SO_KEEPALIVE, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, getInt, requireFd, sockoptNative } from './fd.js'

export interface KeepAliveOptions {
  /** Idle time before the first probe (TCP_KEEPIDLE), ms. Default 7200000 (the kernel's default). */
  idle?: number
  /** Between probes (TCP_KEEPINTVL), ms. */
  interval?: number
  /** Unanswered probes before the connection is dropped (TCP_KEEPCNT). */
  count?: number
}

export interface KeepAliveSettings {
  enabled: boolean
  idleMs: number
  intervalMs: number
  count: number
  /** Worst-case time to notice a dead idle peer: idle + interval x count. */
  detectMs: number
}

/** net.ipv4.<name> of this process's namespace (where its sockets live), if readable. */
function sysctlDefault(name: string): number | undefined {
  try {
    return sysctlNumber(normalizeSysctlText(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8')))
  } catch {
    return undefined // no /proc (unusual sandbox): libuv's values stay, getKeepAlive() shows them
  }
}

// Kernel limits (net/ipv4/tcp.c): MAX_TCP_KEEPIDLE and MAX_TCP_KEEPINTVL 32767 s, MAX_TCP_KEEPCNT 127.
const MAX_SECONDS = 32767
const MAX_COUNT = 127

function seconds(ms: number, what: string): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new TcpdoctorError('TD_INVALID_ARGUMENT', `${what} must be a positive number of milliseconds, not ${ms}`)
  const s = Math.ceil(ms / 1000)
  if (s > MAX_SECONDS) throw new TcpdoctorError('TD_INVALID_ARGUMENT', `${what} must be at most ${MAX_SECONDS} s, not ${s} s`)
  return s
}

/**
 * Turns keepalive on with the given timing and returns what the kernel now holds (read back).
 * The socket must be connected. Throws TD_NATIVE_MISSING without the addon when interval or
 * count is given (plain Node cannot set them), TD_INVALID_ARGUMENT for bad values.
 */
export function setKeepAlive(socket: Socket, opts: KeepAliveOptions = {}): KeepAliveSettings {
  const idle = seconds(opts.idle ?? 7_200_000, 'idle')
  const interval = opts.interval === undefined ? undefined : seconds(opts.interval, 'interval')
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_COUNT))
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', `count must be an integer in 1..${MAX_COUNT}, not ${opts.count}`)
  const fd = requireFd(socket, 'setKeepAlive')
  const native = sockoptNative()
  // First Node's own call (keeps Node's idea of the socket in step), then ours, which win.
  socket.setKeepAlive(true, idle * 1000)
  native.setsockoptInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
  native.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle)
  // What the caller left out gets the system defaults back (libuv just overwrote them with 1 s x 10).
  const intvl = interval ?? sysctlDefault('tcp_keepalive_intvl')
  const count = opts.count ?? sysctlDefault('tcp_keepalive_probes')
  if (intvl !== undefined) native.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl)
  if (count !== undefined) native.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPCNT, count)
  return getKeepAlive(socket)
}

/** What the kernel holds for this socket's keepalive (getsockopt). */
export function getKeepAlive(socket: Socket): KeepAliveSettings {
  const fd = requireFd(socket, 'getKeepAlive')
  const native = sockoptNative()
  const enabled = getInt(native, fd, SOL_SOCKET, SO_KEEPALIVE) !== 0
  const idleMs = getInt(native, fd, IPPROTO_TCP, TCP_KEEPIDLE) * 1000
  const intervalMs = getInt(native, fd, IPPROTO_TCP, TCP_KEEPINTVL) * 1000
  const count = getInt(native, fd, IPPROTO_TCP, TCP_KEEPCNT)
  return { enabled, idleMs, intervalMs, count, detectMs: idleMs + intervalMs * count }
}

/** Turns keepalive off (SO_KEEPALIVE=0). */
export function disableKeepAlive(socket: Socket): void {
  socket.setKeepAlive(false)
}
