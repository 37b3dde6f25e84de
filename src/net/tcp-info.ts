/**
 * @module
 * getTcpInfo(socket) (SPEC 4): struct tcp_info of a Node socket (getsockopt TCP_INFO), decoded by
 * the same code that decodes INET_DIAG_INFO from sock_diag: rtt, rto, cwnd, retransmits, unacked,
 * last send/receive times, delivery rate, bytes.
 */
import type { Socket } from 'node:net'
import type { TcpInfo } from '../model/socket.js'
import { decodeTcpInfo } from '../kernel/sock-diag/parse.js'
import { IPPROTO_TCP, TCP_INFO, requireFd, sockoptError, sockoptNative } from './fd.js'

/** The kernel's tcp_info for this connected socket (net.Socket or tls.TLSSocket, IPv4 or IPv6). No Node version has this. */
export function getTcpInfo(socket: Socket): TcpInfo {
  const fd = requireFd(socket, 'getTcpInfo')
  let buf: Buffer
  try {
    buf = sockoptNative().getsockopt(fd, IPPROTO_TCP, TCP_INFO, 512)
  } catch (err) {
    throw sockoptError(err, 'getTcpInfo')
  }
  return decodeTcpInfo(new DataView(buf.buffer, buf.byteOffset, buf.length), 0, buf.length)
}
