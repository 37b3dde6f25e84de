/**
 * @module
 * The file descriptor behind a Node net.Socket, and the socket option numbers we use
 * (include/uapi/linux/tcp.h, asm-generic/socket.h). Node has no API for TCP_KEEPINTVL,
 * TCP_KEEPCNT, TCP_USER_TIMEOUT or TCP_INFO (ECOSYSTEM 1.1), so they go through the addon's
 * getsockopt/setsockopt on `socket._handle.fd` (undocumented, POSIX only; no handle before connect).
 */
import type { Socket } from 'node:net'
import { TcpdoctorError, errnoCode, fromSystemError } from '../errors.js'
import { loadNative, type Native } from '../kernel/native.js'
import { msg } from '../i18n/index.js'

export const SOL_SOCKET = 1
export const SO_KEEPALIVE = 9
export const IPPROTO_TCP = 6
export const TCP_KEEPIDLE = 4
export const TCP_KEEPINTVL = 5
export const TCP_KEEPCNT = 6
export const TCP_INFO = 11
export const TCP_USER_TIMEOUT = 18

/** Anything with a Node stream handle: net.Socket, tls.TLSSocket (its TLSWrap exposes the TCP fd). */
type Handled = { _handle?: { fd?: number } | null; connecting?: boolean; destroyed?: boolean; readyState?: string }

/** The fd of a connected socket, or undefined when it has none yet (not connected, destroyed). */
export function socketFd(socket: Socket): number | undefined {
  const fd = (socket as unknown as Handled)._handle?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

/** Why a socket has no fd: 'destroyed', 'connecting' or 'unconnected' (never connected). */
export function socketPhase(socket: Socket): 'connected' | 'destroyed' | 'connecting' | 'unconnected' {
  const s = socket as unknown as Handled
  if (s.destroyed) return 'destroyed'
  if (socketFd(socket) !== undefined) return 'connected'
  if (s.connecting) return 'connecting'
  return 'unconnected'
}

/**
 * The fd, or a typed error saying why there is none: TD_SOCKET_DESTROYED for a destroyed or
 * closed socket, TD_SOCKET_NOT_CONNECTED for one still connecting or never connected.
 */
export function requireFd(socket: Socket, what: string): number {
  if (socket === null || typeof socket !== 'object' || typeof (socket as { on?: unknown }).on !== 'function')
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.expectedANetSocket', { what, got: socket === null ? 'null' : typeof socket }))
  const fd = socketFd(socket)
  if (fd !== undefined) return fd
  const phase = socketPhase(socket)
  if (phase === 'destroyed')
    throw new TcpdoctorError('TD_SOCKET_DESTROYED', msg('err.net.theSocketIsDestroyed', { what }), {
      hint: msg('hint.net.setOptionsWhileThe'),
    })
  throw new TcpdoctorError('TD_SOCKET_NOT_CONNECTED', msg('err.net.theSocketIsIt', { what, state: phase === 'connecting' ? msg('err.net.stillConnecting') : msg('err.net.notConnected') }), {
    hint: msg('hint.net.callItAfterThe'),
  })
}

/** The addon, for socket options (TD_NATIVE_MISSING with the build hint when absent). */
export function sockoptNative(): Native {
  return loadNative()
}

/**
 * A failed getsockopt/setsockopt as a TcpdoctorError: EBADF/ENOTSOCK (the fd went away between
 * our check and the call: the socket was destroyed) is TD_SOCKET_DESTROYED, ENOTCONN is
 * TD_SOCKET_NOT_CONNECTED, EINVAL TD_INVALID_ARGUMENT, the rest via fromSystemError.
 */
export function sockoptError(err: unknown, what: string): TcpdoctorError {
  const code = errnoCode(err)
  if (code === 'EBADF' || code === 'ENOTSOCK') return new TcpdoctorError('TD_SOCKET_DESTROYED', msg('err.net.theSocketSFile', { what, code }), { cause: err })
  if (code === 'ENOTCONN') return new TcpdoctorError('TD_SOCKET_NOT_CONNECTED', msg('err.net.theSocketIsNot', { what }), { cause: err })
  if (code === 'EINVAL') return new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.theKernelRefusedThe', { what }), { cause: err })
  return fromSystemError(err, what)
}

/** Reads an int socket option. */
export function getInt(native: Native, fd: number, level: number, name: number): number {
  let buf: Buffer
  try {
    buf = native.getsockopt(fd, level, name, 4)
  } catch (err) {
    throw sockoptError(err, `getsockopt(${level}, ${name})`)
  }
  if (buf.length < 4) throw new TcpdoctorError('TD_INTERNAL', msg('err.net.getsockoptReturnedBytes', { level, name, bytes: buf.length }))
  return buf.readInt32LE(0)
}
