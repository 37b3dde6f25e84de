/**
 * @module
 * Parses NETLINK_SOCK_DIAG dump replies (struct nlmsghdr + struct inet_diag_msg + rtattrs) into
 * sockets. Pure: bytes in, sockets out; the live dump and recorded dumps (ss -D, snapshots) share it.
 * Layout: include/uapi/linux/inet_diag.h; tcp_info: include/uapi/linux/tcp.h.
 */
import { TcpdoctorError } from '../../errors.js'
import { formatIPv4, formatIPv6 } from '../../model/address.js'
import { TIMER_NAMES, type Socket, type SocketMemory, type SocketTimer, type TcpInfo } from '../../model/socket.js'
import { stateName } from '../../model/state.js'
import {
  AF_INET, AF_INET6, INET_DIAG_CONG, INET_DIAG_INFO, INET_DIAG_MEMINFO, INET_DIAG_MSG_LEN, INET_DIAG_SKMEMINFO,
  IDIAG, INET_DIAG_SKV6ONLY, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSG_NOOP, NLM_F_DUMP_INTR, SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK,
} from './constants.js'
import { msg } from '../../i18n/index.js'

const align4 = (n: number): number => (n + 3) & ~3

export interface ScanResult {
  /** NLMSG_DONE seen. */
  done: boolean
  /** NLM_F_DUMP_INTR seen: the socket tables changed during the dump; the result may miss or repeat rows. */
  interrupted: boolean
}

/**
 * Walks the netlink messages in buf[0, len) and calls onSocket(offsetOfInetDiagMsg, bodyLength)
 * for each SOCK_DIAG_BY_FAMILY (or compat TCPDIAG_GETSOCK) message. Throws TD_PARSE on malformed framing and TD_NETLINK on an
 * NLMSG_ERROR message.
 */
export function scanDiag(buf: Uint8Array, len: number, onSocket: (off: number, bodyLen: number) => void): ScanResult {
  if (len > buf.length) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.netlinkLengthBeyondBuffer', { len, size: buf.length }))
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  let p = 0
  let interrupted = false
  while (p < len) {
    if (len - p < NLMSG_HDRLEN) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.netlinkTrailingBytesAt', { left: len - p, p }))
    const msgLen = dv.getUint32(p, true)
    const type = dv.getUint16(p + 4, true)
    const flags = dv.getUint16(p + 6, true)
    if (msgLen < NLMSG_HDRLEN || msgLen > len - p)
      throw new TcpdoctorError('TD_PARSE', msg('err.kernel.netlinkMessageAtOffset', { p, msgLen, left: len - p }))
    if (flags & NLM_F_DUMP_INTR) interrupted = true
    if (type === NLMSG_DONE) return { done: true, interrupted }
    if (type === NLMSG_ERROR) {
      if (msgLen < NLMSG_HDRLEN + 4) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.netlinkTruncatedNlmsgError'))
      const errno = -dv.getInt32(p + NLMSG_HDRLEN, true)
      if (errno === 0) return { done: true, interrupted } // an ACK
      throw new TcpdoctorError('TD_NETLINK', msg('err.kernel.sockDiagTheKernel', { errno }), {
        hint: errno === 2 ? msg('hint.kernel.noInetDiag') : undefined,
      })
    }
    if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
      if (msgLen < NLMSG_HDRLEN + INET_DIAG_MSG_LEN)
        throw new TcpdoctorError('TD_PARSE', msg('err.kernel.netlinkInetDiagMsg', { p, size: msgLen - NLMSG_HDRLEN, INET_DIAG_MSG_LEN }))
      onSocket(p + NLMSG_HDRLEN, msgLen - NLMSG_HDRLEN)
    } else if (type !== NLMSG_NOOP) {
      // Unknown message types are skipped, as ss does.
    }
    p += align4(msgLen)
  }
  return { done: false, interrupted }
}

/** idiag_state of the inet_diag_msg at off. */
export const stateAt = (buf: Uint8Array, off: number): number => buf[off + IDIAG.state]!
/** Local port (host order) of the inet_diag_msg at off. */
export const localPortAt = (buf: Uint8Array, off: number): number => (buf[off + IDIAG.sport]! << 8) | buf[off + IDIAG.sport + 1]!
/** Remote port of the inet_diag_msg at off. */
export const remotePortAt = (buf: Uint8Array, off: number): number => (buf[off + IDIAG.dport]! << 8) | buf[off + IDIAG.dport + 1]!
/** Socket inode of the inet_diag_msg at off. */
export const inodeAt = (buf: Uint8Array, off: number): number =>
  (buf[off + IDIAG.inode]! | (buf[off + IDIAG.inode + 1]! << 8) | (buf[off + IDIAG.inode + 2]! << 16) | (buf[off + IDIAG.inode + 3]! << 24)) >>> 0

const TIMERS: readonly SocketTimer['name'][] = TIMER_NAMES

export interface DecodeOptions {
  /** Decode INET_DIAG_INFO, MEMINFO/SKMEMINFO and CONG attributes when present. */
  attributes?: boolean
}

/** True when the 16 bytes at a are :: (the IPv6 wildcard). */
export function isAnyV6(buf: Uint8Array, a: number): boolean {
  for (let k = 0; k < 16; k++) if (buf[a + k] !== 0) return false
  return true
}

/** INET_DIAG_SKV6ONLY of the message body at off (bodyLen bytes), or undefined when absent. */
export function v6onlyAt(buf: Uint8Array, off: number, bodyLen: number): boolean | undefined {
  let p = off + INET_DIAG_MSG_LEN
  const end = Math.min(off + bodyLen, buf.length)
  while (p + 4 <= end) {
    const len = buf[p]! | (buf[p + 1]! << 8)
    const type = (buf[p + 2]! | (buf[p + 3]! << 8)) & 0x3fff
    if (len < 4 || p + len > end) return undefined
    if (type === INET_DIAG_SKV6ONLY && len >= 5) return buf[p + 4] !== 0
    p += align4(len)
  }
  return undefined
}

/** Local address text of the inet_diag_msg at off. */
export function localAddressAt(buf: Uint8Array, off: number): string {
  return buf[off] === AF_INET6 ? formatIPv6(buf, off + IDIAG.src) : formatIPv4(buf, off + IDIAG.src)
}

/** Remote address text of the inet_diag_msg at off. */
export function remoteAddressAt(buf: Uint8Array, off: number): string {
  return buf[off] === AF_INET6 ? formatIPv6(buf, off + IDIAG.dst) : formatIPv4(buf, off + IDIAG.dst)
}

/** Decodes the inet_diag_msg (and its attributes) at off into a Socket. */
export function decodeSocket(buf: Uint8Array, off: number, bodyLen: number, opts: DecodeOptions = {}): Socket {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const family = buf[off]!
  if (family !== AF_INET && family !== AF_INET6) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.inetDiagMsgUnknown', { family }))
  const v6 = family === AF_INET6
  const timerNum = buf[off + IDIAG.timer]!
  const cookieLo = dv.getUint32(off + IDIAG.cookie, true)
  const cookieHi = dv.getUint32(off + IDIAG.cookie + 4, true)
  const cookie = cookieHi === 0 ? String(cookieLo) : String((BigInt(cookieHi) << 32n) | BigInt(cookieLo))
  const s: Socket = {
    family: v6 ? 'inet6' : 'inet',
    state: stateName(buf[off + IDIAG.state]!),
    local: { address: v6 ? formatIPv6(buf, off + IDIAG.src) : formatIPv4(buf, off + IDIAG.src), port: localPortAt(buf, off) },
    remote: { address: v6 ? formatIPv6(buf, off + IDIAG.dst) : formatIPv4(buf, off + IDIAG.dst), port: remotePortAt(buf, off) },
    recvQ: dv.getUint32(off + IDIAG.rqueue, true),
    sendQ: dv.getUint32(off + IDIAG.wqueue, true),
    uid: dv.getUint32(off + IDIAG.uid, true),
    inode: dv.getUint32(off + IDIAG.inode, true),
    cookie,
    ifindex: dv.getUint32(off + IDIAG.ifindex, true),
    // Declared up front (undefined is left out of JSON) so later assignments stay in-object:
    // at 300,000 sockets each out-of-object property store is garbage-collection time.
    timer: undefined,
    netns: undefined,
    process: undefined,
  }
  if (timerNum !== 0 || opts.attributes) {
    s.timer = { name: TIMERS[timerNum] ?? 'unknown', expiresMs: dv.getUint32(off + IDIAG.expires, true), retrans: buf[off + IDIAG.retrans]! }
  }
  if (opts.attributes && bodyLen > INET_DIAG_MSG_LEN) decodeAttributes(dv, off + INET_DIAG_MSG_LEN, off + bodyLen, s)
  // ss prints a dual-stack wildcard ([::] without IPV6_V6ONLY) as *: only those need the flag.
  if (v6 && isAnyV6(buf, off + IDIAG.src)) {
    const only = v6onlyAt(buf, off, bodyLen)
    if (only !== undefined) s.v6only = only
  }
  return s
}

function decodeAttributes(dv: DataView, start: number, end: number, s: Socket): void {
  let p = start
  while (p + 4 <= end) {
    const rtaLen = dv.getUint16(p, true)
    const type = dv.getUint16(p + 2, true) & 0x3fff // strip NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (rtaLen < 4 || p + rtaLen > end) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.rtattrAtLengthOutside', { p, rtaLen }))
    const dataOff = p + 4
    const dataLen = rtaLen - 4
    if (type === INET_DIAG_INFO) s.info = decodeTcpInfo(dv, dataOff, dataLen)
    else if (type === INET_DIAG_SKMEMINFO) s.mem = decodeSkMemInfo(dv, dataOff, dataLen)
    else if (type === INET_DIAG_MEMINFO && !s.mem && dataLen >= 16) {
      s.mem = { rmemAlloc: dv.getUint32(dataOff, true), rcvbuf: 0, wmemAlloc: dv.getUint32(dataOff + 4, true), sndbuf: 0, fwdAlloc: dv.getUint32(dataOff + 8, true), wmemQueued: dv.getUint32(dataOff + 12, true), optmem: 0, backlog: 0, drops: 0 }
    } else if (type === INET_DIAG_CONG) {
      let str = ''
      for (let i = 0; i < dataLen; i++) { const c = dv.getUint8(dataOff + i); if (c === 0) break; str += String.fromCharCode(c) }
      s.congestion = str
    }
    p += align4(rtaLen)
  }
}

function decodeSkMemInfo(dv: DataView, off: number, len: number): SocketMemory {
  const at = (i: number): number => (4 * i + 4 <= len ? dv.getUint32(off + 4 * i, true) : 0)
  return { rmemAlloc: at(0), rcvbuf: at(1), wmemAlloc: at(2), sndbuf: at(3), fwdAlloc: at(4), wmemQueued: at(5), optmem: at(6), backlog: at(7), drops: at(8) }
}

/** struct tcp_info grows with kernels: read each field only when the kernel sent it. */
export function decodeTcpInfo(dv: DataView, off: number, len: number): TcpInfo {
  const u8 = (o: number): number => (o < len ? dv.getUint8(off + o) : 0)
  const u32 = (o: number): number => (o + 4 <= len ? dv.getUint32(off + o, true) : 0)
  const opt32 = (o: number): number | undefined => (o + 4 <= len ? dv.getUint32(off + o, true) : undefined)
  const opt64 = (o: number): number | undefined => (o + 8 <= len ? Number(dv.getBigUint64(off + o, true)) : undefined)
  const info: TcpInfo = {
    state: u8(0), caState: u8(1), retransmits: u8(2), probes: u8(3), backoff: u8(4), options: u8(5),
    sndWscale: u8(6) & 0xf, rcvWscale: u8(6) >> 4,
    rtoUs: u32(8), atoUs: u32(12), sndMss: u32(16), rcvMss: u32(20), unacked: u32(24), sacked: u32(28), lost: u32(32),
    retrans: u32(36), lastDataSentMs: u32(44), lastAckSentMs: u32(48), lastDataRecvMs: u32(52), lastAckRecvMs: u32(56),
    pmtu: u32(60), rcvSsthresh: u32(64), rttUs: u32(68), rttvarUs: u32(72), sndSsthresh: u32(76), sndCwnd: u32(80),
    advmss: u32(84), reordering: u32(88), rcvRttUs: u32(92), rcvSpace: u32(96), totalRetrans: u32(100),
  }
  const extra: Partial<TcpInfo> = {
    pacingRate: opt64(104), bytesAcked: opt64(120), bytesReceived: opt64(128), segsOut: opt32(136), segsIn: opt32(140),
    notsentBytes: opt32(144), minRttUs: opt32(148), deliveryRate: opt64(160), busyTimeUs: opt64(168),
    rwndLimitedUs: opt64(176), sndbufLimitedUs: opt64(184), bytesSent: opt64(200), bytesRetrans: opt64(208),
    sndWnd: opt32(228), rcvWnd: opt32(232),
  }
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) (info as unknown as Record<string, number>)[k] = v
  return info
}
