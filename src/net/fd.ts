/**
 * @module
 * The file descriptor behind a Node net.Socket, and the socket option numbers we use
 * (include/uapi/linux/tcp.h, asm-generic/socket.h). Node has no API for TCP_KEEPINTVL,
 * TCP_KEEPCNT, TCP_USER_TIMEOUT or TCP_INFO (ECOSYSTEM 1.1), so they go through the addon's
 * getsockopt/setsockopt on `socket._handle.fd` (undocumented, POSIX only; no handle before connect).
 */
import type { Socket } from 'node:net'
import { TcpdoctorError } from '../errors.js'
import { loadNative, type Native } from '../kernel/native.js'

export const SOL_SOCKET = 1
export const SO_KEEPALIVE = 9
export const IPPROTO_TCP = 6
export const TCP_KEEPIDLE = 4
export const TCP_KEEPINTVL = 5
export const TCP_KEEPCNT = 6
export const TCP_INFO = 11
export const TCP_USER_TIMEOUT = 18

/** The fd of a connected socket, or undefined when it has none yet (not connected, destroyed). */
export function socketFd(socket: Socket): number | undefined {
  const handle = (socket as unknown as { _handle?: { fd?: number } })._handle
  const fd = handle?.fd
  return typeof fd === 'number' && fd >= 0 ? fd : undefined
}

/** The fd or TD_INVALID_ARGUMENT saying why there is none. */
export function requireFd(socket: Socket, what: string): number {
  const fd = socketFd(socket)
  if (fd === undefined)
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', `${what}: the socket has no file descriptor (not connected yet, destroyed, or not a TCP socket)`, {
      hint: "call it after the 'connect' event (client) or in the 'connection' handler (server)",
    })
  return fd
}

/** The addon, for socket options (TD_NATIVE_MISSING with the build hint when absent). */
export function sockoptNative(): Native {
  return loadNative()
}

/** Reads an int socket option. */
export function getInt(native: Native, fd: number, level: number, name: number): number {
  const buf = native.getsockopt(fd, level, name, 4)
  if (buf.length < 4) throw new TcpdoctorError('TD_INTERNAL', `getsockopt(${level}, ${name}) returned ${buf.length} bytes`)
  return buf.readInt32LE(0)
}
