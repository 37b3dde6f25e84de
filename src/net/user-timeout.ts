/**
 * @module
 * setUserTimeout(socket, ms) / getUserTimeout(socket) (SPEC 4): TCP_USER_TIMEOUT (RFC 5482), the
 * longest time sent data may stay unacknowledged before the kernel drops the connection with
 * ETIMEDOUT -- instead of tcp_retries2's ~15 min. It also bounds keepalive when set
 * (tcp_keepalive_timer: the connection dies once no ACK came for user_timeout). 0 = system default.
 * Kernel fact: with TCP_USER_TIMEOUT set, the keepalive probe count (TCP_KEEPCNT) is ignored; the
 * connection dies at the first keepalive tick at least user_timeout after the last ACK
 * (net/ipv4/tcp_timer.c tcp_keepalive_timer), and the retransmission timeout is clamped to the
 * remaining user timeout (tcp_clamp_rto_to_user_timeout), so unacknowledged data fails close to it.
 * No Node version has an API for it; this goes through the addon.
 */
import type { Socket } from 'node:net'
import { TcpdoctorError } from '../errors.js'
import { IPPROTO_TCP, TCP_USER_TIMEOUT, getInt, requireFd, sockoptError, sockoptNative } from './fd.js'
import { msg } from '../i18n/index.js'

/** TD_INVALID_ARGUMENT unless ms is an integer in 0..2^31-1. */
export function validateUserTimeout(ms: number): void {
  if (!Number.isInteger(ms) || ms < 0 || ms > 0x7fffffff) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.userTimeoutMustBe', { ms }))
}

/** Sets TCP_USER_TIMEOUT in milliseconds (0 restores the default) and returns the value read back. */
export function setUserTimeout(socket: Socket, ms: number): number {
  validateUserTimeout(ms)
  const fd = requireFd(socket, 'setUserTimeout')
  const native = sockoptNative()
  try {
    native.setsockoptInt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, ms)
  } catch (err) {
    throw sockoptError(err, 'setUserTimeout')
  }
  return getInt(native, fd, IPPROTO_TCP, TCP_USER_TIMEOUT)
}

/** TCP_USER_TIMEOUT in milliseconds; 0 means the system default (tcp_retries2). */
export function getUserTimeout(socket: Socket): number {
  return getInt(sockoptNative(), requireFd(socket, 'getUserTimeout'), IPPROTO_TCP, TCP_USER_TIMEOUT)
}
