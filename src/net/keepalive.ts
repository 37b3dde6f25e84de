/**
 * @module
 * setKeepAlive(socket, { idle, interval, count }) and getKeepAlive(socket) (SPEC 4).
 * Node 20's socket.setKeepAlive(true, ms) sets SO_KEEPALIVE and TCP_KEEPIDLE but also forces
 * TCP_KEEPINTVL=1 s and TCP_KEEPCNT=10 (libuv's defaults, nodejs/node#38313), and every later call
 * rewrites them. So we call it first, then set TCP_KEEPIDLE/INTVL/CNT ourselves through the addon;
 * interval and count left out get the sysctl defaults back (tcp_keepalive_intvl/probes), not
 * libuv's 1 s x 10. Times are milliseconds, rounded up to whole seconds (the kernel counts seconds).
 * Where Node has setKeepAlive(enable, idle, interval, count) (Node 24+; ECOSYSTEM 1.1) that is used.
 */
import { readFileSync } from 'node:fs'
import { Socket as NetSocket, type Socket } from 'node:net'
import { tryNative } from '../kernel/native.js'
import { normalizeSysctlText, sysctlNumber } from '../kernel/procfs/sysctl.js'
import { TcpdoctorError } from '../errors.js'
import { IPPROTO_TCP, SOL_SOCKET, SO_KEEPALIVE, TCP_KEEPCNT, TCP_KEEPIDLE, TCP_KEEPINTVL, getInt, requireFd, sockoptError, sockoptNative } from './fd.js'
import { msg } from '../i18n/index.js'

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
  if (!Number.isFinite(ms) || ms <= 0) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.mustBeAPositive', { what, ms }))
  const s = Math.ceil(ms / 1000)
  if (s > MAX_SECONDS) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.mustBeAtMost', { what, MAX_SECONDS, s }))
  return s
}

/** Checks the options (TD_INVALID_ARGUMENT) and returns idle and interval in whole seconds. */
export function validateKeepAlive(opts: KeepAliveOptions): { idle: number; interval: number | undefined } {
  if (opts === null || typeof opts !== 'object') throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.keepaliveOptionsMustBe', { opts: String(opts) }))
  const idle = seconds(opts.idle ?? 7_200_000, 'idle')
  const interval = opts.interval === undefined ? undefined : seconds(opts.interval, 'interval')
  if (opts.count !== undefined && (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > MAX_COUNT))
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.countMustBeAn', { MAX_COUNT, count: opts.count }))
  return { idle, interval }
}

/**
 * Node's own setKeepAlive(enable, initialDelay, interval, count) (nodejs/node#63825, libuv
 * uv_tcp_keepalive_ex) where this Node has it: Node 20 has only the two-argument form
 * (setKeepAlive.length === 2) that also forces interval 1 s x 10.
 */
export function nodeHasKeepAliveIntervalCount(socket?: Socket): boolean {
  const fn = (socket ?? NetSocket.prototype).setKeepAlive as (...a: unknown[]) => unknown
  return typeof fn === 'function' && fn.length >= 4
}

/**
 * Turns keepalive on with the given timing and returns what the kernel now holds (read back).
 * The socket must be connected (TD_SOCKET_NOT_CONNECTED / TD_SOCKET_DESTROYED otherwise; see
 * configureSocket() to apply on 'connect'). Uses Node's own 4-argument setKeepAlive where this
 * Node has it, else the addon's setsockopt after Node's 2-argument call. Throws TD_NATIVE_MISSING
 * when neither can set interval and count, TD_INVALID_ARGUMENT for bad values. IPv4 and IPv6
 * alike (the options are IPPROTO_TCP level).
 */
export function setKeepAlive(socket: Socket, opts: KeepAliveOptions = {}): KeepAliveSettings {
  const { idle, interval } = validateKeepAlive(opts)
  const fd = requireFd(socket, 'setKeepAlive')
  // What the caller left out gets the system defaults back (libuv overwrites them with 1 s x 10).
  const intvl = interval ?? sysctlDefault('tcp_keepalive_intvl')
  const count = opts.count ?? sysctlDefault('tcp_keepalive_probes')
  const native = tryNative()
  if (nodeHasKeepAliveIntervalCount(socket) && intvl !== undefined && count !== undefined) {
    ;(socket.setKeepAlive as (e: boolean, d: number, i: number, c: number) => Socket)(true, idle * 1000, intvl * 1000, count)
    if (!native) return { enabled: true, idleMs: idle * 1000, intervalMs: intvl * 1000, count, detectMs: (idle + intvl * count) * 1000 }
    const got = getKeepAlive(socket)
    if (got.enabled && got.idleMs === idle * 1000 && got.intervalMs === intvl * 1000 && got.count === count) return got
    // Node took the call but did not set what we asked (an API shape we did not expect): setsockopt below.
  }
  if (!native) sockoptNative() // throws TD_NATIVE_MISSING with the build hint
  const n = native!
  // First Node's own call (keeps Node's idea of the socket in step), then ours, which win.
  socket.setKeepAlive(true, idle * 1000)
  try {
    n.setsockoptInt(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
    n.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle)
    if (intvl !== undefined) n.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPINTVL, intvl)
    if (count !== undefined) n.setsockoptInt(fd, IPPROTO_TCP, TCP_KEEPCNT, count)
  } catch (err) {
    throw sockoptError(err, 'setKeepAlive')
  }
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
  requireFd(socket, 'disableKeepAlive')
  socket.setKeepAlive(false)
}
