/**
 * @module
 * Link, IP and transport decoders, pure functions over bytes. decodePacket fills one reusable
 * Decoded object (no allocation per packet on the hot path): link types Ethernet (802.1Q/802.1ad
 * tags), Linux cooked SLL and SLL2, raw IPv4/IPv6 (101, 12, 14, 228, 229), null/loopback (0, 108),
 * NFLOG (239); IPv4 (options, fragments noted), IPv6 (extension headers), TCP with options (MSS,
 * window scale, SACK, timestamps), UDP, ICMP/ICMPv6.
 */

export const TH_FIN = 0x01
export const TH_SYN = 0x02
export const TH_RST = 0x04
export const TH_PUSH = 0x08
export const TH_ACK = 0x10
export const TH_URG = 0x20
export const TH_ECE = 0x40
export const TH_CWR = 0x80

export type DecodeResult = 'tcp' | 'udp' | 'icmp' | 'other' | 'fragment' | 'truncated' | 'unsupported-link'

export interface Decoded {
  /** 4 or 6 (0: no IP) */
  ipVersion: number
  /** IPv4 addresses as unsigned 32-bit numbers */
  src4: number
  dst4: number
  /** offsets of the 16-byte IPv6 addresses in buf */
  src6: number
  dst6: number
  buf: Uint8Array
  protocol: number
  /** IPv4: more-fragments or offset != 0; IPv6: a fragment header */
  fragment: boolean
  ipOptions: boolean
  srcPort: number
  dstPort: number
  seq: number
  ack: number
  /** 12 bits: NS/AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN */
  flags: number
  window: number
  /** TCP payload length from the IP length (what tshark calls tcp.len) */
  seglen: number
  /** -1 when absent */
  mss: number
  wscale: number
  sackPermitted: boolean
  sackBlocks: number
  tsVal: number
  tsEcr: number
  hasTs: boolean
  /** capture time of the record, epoch seconds (set by the caller; read by the tracker) */
  ts: number
  /** SLL2 ifindex / pcapng interface; used to tell duplicates of -i any apart */
  ifindex: number
  /** SLL packet type (0 to us, 4 outgoing, ...), -1 if the link has none */
  pktType: number
}

export function newDecoded(): Decoded {
  return {
    ipVersion: 0, src4: 0, dst4: 0, src6: 0, dst6: 0, buf: new Uint8Array(0), protocol: 0, fragment: false, ipOptions: false,
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, seglen: 0,
    mss: -1, wscale: -1, sackPermitted: false, sackBlocks: 0, tsVal: 0, tsEcr: 0, hasTs: false, ts: 0.5, ifindex: -1, pktType: -1,
  }
}

const u16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!
const u32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0

/** Decodes one record. end = off + caplen. Returns what it found; fills d for tcp/udp/icmp. */
export function decodePacket(buf: Uint8Array, off: number, caplen: number, linktype: number, d: Decoded): DecodeResult {
  const end = off + caplen
  d.buf = buf
  d.ipVersion = 0
  d.pktType = -1
  d.ifindex = -1
  let ethertype = -1
  let p = off
  switch (linktype) {
    case 1: // Ethernet
      if (end - p < 14) return 'truncated'
      ethertype = u16(buf, p + 12)
      p += 14
      break
    case 113: // SLL
      if (end - p < 16) return 'truncated'
      d.pktType = u16(buf, p)
      ethertype = u16(buf, p + 14)
      p += 16
      break
    case 276: // SLL2
      if (end - p < 20) return 'truncated'
      ethertype = u16(buf, p)
      d.ifindex = u32(buf, p + 4)
      d.pktType = buf[p + 10]!
      p += 20
      break
    case 101: case 12: case 14: // raw IP
      if (end - p < 1) return 'truncated'
      ethertype = buf[p]! >> 4 === 6 ? 0x86dd : 0x0800
      break
    case 228: ethertype = 0x0800; break
    case 229: ethertype = 0x86dd; break
    case 0: case 108: { // BSD null (host order) / loop (network order)
      if (end - p < 4) return 'truncated'
      let fam = u32(buf, p)
      if (linktype === 0 && (fam & 0xffff) === 0) fam = ((fam >>> 24) | ((fam >>> 8) & 0xff00)) >>> 0
      ethertype = fam === 2 ? 0x0800 : fam === 24 || fam === 28 || fam === 30 ? 0x86dd : -1
      p += 4
      break
    }
    case 239: { // NFLOG: family, version, resource id, then TLVs (little-endian host order as written by Linux)
      if (end - p < 4) return 'truncated'
      const fam = buf[p]!
      p += 4
      let found = -1
      while (p + 4 <= end) {
        const tlen = buf[p]! | (buf[p + 1]! << 8)
        const ttype = buf[p + 2]! | (buf[p + 3]! << 8)
        if (tlen < 4) return 'truncated'
        if (ttype === 9) { found = p + 4; break }
        p += (tlen + 3) & ~3
      }
      if (found < 0) return 'other'
      p = found
      ethertype = fam === 2 ? 0x0800 : fam === 10 ? 0x86dd : -1
      break
    }
    default:
      return 'unsupported-link'
  }
  // 802.1Q / 802.1ad / QinQ tags
  while (ethertype === 0x8100 || ethertype === 0x88a8 || ethertype === 0x9100) {
    if (end - p < 4) return 'truncated'
    ethertype = u16(buf, p + 2)
    p += 4
  }
  // PPPoE session: 6-byte header, then the PPP protocol (0x0021 IPv4, 0x0057 IPv6)
  if (ethertype === 0x8864) {
    if (end - p < 8) return 'truncated'
    const ppp = u16(buf, p + 6)
    p += 8
    ethertype = ppp === 0x0021 ? 0x0800 : ppp === 0x0057 ? 0x86dd : -1
  }
  if (ethertype === 0x0800) return decodeIPv4(buf, p, end, d)
  if (ethertype === 0x86dd) return decodeIPv6(buf, p, end, d)
  return 'other'
}

function decodeIPv4(buf: Uint8Array, p: number, end: number, d: Decoded): DecodeResult {
  if (end - p < 20) return 'truncated'
  const vihl = buf[p]!
  if (vihl >> 4 !== 4) return 'other'
  const ihl = (vihl & 15) * 4
  if (ihl < 20 || end - p < ihl) return 'truncated'
  const total = u16(buf, p + 2)
  if (total < ihl) return 'truncated'
  d.ipVersion = 4
  d.ipOptions = ihl > 20
  const frag = u16(buf, p + 6)
  d.fragment = (frag & 0x3fff) !== 0
  d.protocol = buf[p + 9]!
  d.src4 = u32(buf, p + 12)
  d.dst4 = u32(buf, p + 16)
  if (d.fragment) return 'fragment'
  return decodeTransport(buf, p + ihl, end, total - ihl, d)
}

function decodeIPv6(buf: Uint8Array, p: number, end: number, d: Decoded): DecodeResult {
  if (end - p < 40) return 'truncated'
  if (buf[p]! >> 4 !== 6) return 'other'
  let plen = u16(buf, p + 4)
  let next = buf[p + 6]!
  d.ipVersion = 6
  d.src6 = p + 8
  d.dst6 = p + 24
  d.fragment = false
  d.ipOptions = false
  let q = p + 40
  // extension headers: hop-by-hop 0, routing 43, fragment 44, destination 60, AH 51, mobility 135
  for (let i = 0; i < 16; i++) {
    if (next === 0 || next === 43 || next === 60 || next === 135) {
      if (end - q < 8) return 'truncated'
      const l = (buf[q + 1]! + 1) * 8
      next = buf[q]!
      q += l
      plen -= l
      d.ipOptions = true
    } else if (next === 44) {
      if (end - q < 8) return 'truncated'
      const fo = u16(buf, q + 2)
      next = buf[q]!
      q += 8
      plen -= 8
      if ((fo & 0xfff9) !== 0) { d.fragment = true; d.protocol = next; return 'fragment' }
    } else if (next === 51) {
      if (end - q < 8) return 'truncated'
      const l = (buf[q + 1]! + 2) * 4
      next = buf[q]!
      q += l
      plen -= l
    } else break
  }
  if (plen < 0 || q > end) return 'truncated'
  d.protocol = next
  return decodeTransport(buf, q, end, plen, d)
}

function decodeTransport(buf: Uint8Array, p: number, end: number, len: number, d: Decoded): DecodeResult {
  const proto = d.protocol
  if (proto === 6) return decodeTcp(buf, p, end, len, d)
  if (proto === 17) {
    if (end - p < 8) return 'truncated'
    d.srcPort = u16(buf, p)
    d.dstPort = u16(buf, p + 2)
    d.seglen = Math.max(0, len - 8)
    return 'udp'
  }
  if (proto === 1 || proto === 58) {
    if (end - p < 4) return 'truncated'
    d.srcPort = buf[p]! // type
    d.dstPort = buf[p + 1]! // code
    return 'icmp'
  }
  return 'other'
}

/** TCP header and options. len is the transport length from the IP header. */
export function decodeTcp(buf: Uint8Array, p: number, end: number, len: number, d: Decoded): DecodeResult {
  if (end - p < 20) return 'truncated'
  const hl = (buf[p + 12]! >> 4) * 4
  if (hl < 20 || hl > len) return 'truncated' // tshark: "bogus TCP header length"
  d.srcPort = u16(buf, p)
  d.dstPort = u16(buf, p + 2)
  d.seq = u32(buf, p + 4)
  d.ack = u32(buf, p + 8)
  d.flags = u16(buf, p + 12) & 0x0fff
  d.window = u16(buf, p + 14)
  d.seglen = len - hl
  d.mss = -1
  d.wscale = -1
  d.sackPermitted = false
  d.sackBlocks = 0
  d.hasTs = false
  // options (as far as captured)
  let o = p + 20
  const oend = Math.min(p + hl, end)
  while (o < oend) {
    const kind = buf[o]!
    if (kind === 0) break
    if (kind === 1) { o++; continue }
    if (o + 1 >= oend) break
    const l = buf[o + 1]!
    if (l < 2 || o + l > oend) break
    if (kind === 2 && l === 4) d.mss = u16(buf, o + 2)
    else if (kind === 3 && l === 3) d.wscale = buf[o + 2]!
    else if (kind === 4) d.sackPermitted = true
    else if (kind === 5) d.sackBlocks = (l - 2) >> 3
    else if (kind === 8 && l === 10) { d.hasTs = true; d.tsVal = u32(buf, o + 2); d.tsEcr = u32(buf, o + 6) }
    o += l
  }
  return 'tcp'
}

/** The text of an address of d (its source when src is true). */
export function addressText(d: Decoded, src: boolean): string {
  if (d.ipVersion === 4) return ipv4Text(src ? d.src4 : d.dst4)
  return ipv6Text(d.buf, src ? d.src6 : d.dst6)
}

/** Dotted-quad text of an IPv4 address held as an unsigned 32-bit number. */
export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`
}

/** RFC 5952 text of 16 bytes at off. */
export function ipv6Text(b: Uint8Array, off: number): string {
  const w: number[] = []
  for (let i = 0; i < 8; i++) w.push(u16(b, off + i * 2))
  if (w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff) return `::ffff:${b[off + 12]}.${b[off + 13]}.${b[off + 14]}.${b[off + 15]}`
  let bestAt = -1, bestLen = 1
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && w[j] === 0) j++
    if (j - i > bestLen) { bestAt = i; bestLen = j - i }
    i = j
  }
  const hex = w.map((x) => x.toString(16))
  if (bestAt < 0) return hex.join(':')
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`
}
