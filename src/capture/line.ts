/**
 * @module
 * One line per packet the way tcpdump -n prints it (print-tcp.c, print-ip.c): addresses and
 * ports, flags `[S.]`, sequence numbers relative to the first one seen per connection (a SYN
 * starts over; tcpdump's tcp_seq_hash), ack, window, options, payload length. A small decoder
 * of its own for the live path: Ethernet, LINUX_SLL, LINUX_SLL2; IPv4, IPv6; TCP, UDP, ICMP, ICMPv6.
 */
export interface PacketSummary {
  family: 4 | 6 | 0
  protocol: 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'arp' | 'other'
  src: string
  dst: string
  sport?: number
  dport?: number
  flags?: string
  /** raw TCP header flags byte (for trackers) */
  flagBits?: number
  seq?: number
  ack?: number
  seqEnd?: number
  relative?: boolean
  win?: number
  options?: string[]
  /** payload length (TCP/UDP) or ICMP length */
  length: number
  /** the text after the addresses, as tcpdump prints it */
  text: string
}

const FLAG_CHARS: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']]

export function flagString(f: number): string {
  const s = FLAG_CHARS.filter(([b]) => f & b).map(([, c]) => c).join('')
  return s || 'none'
}

function ip4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`
}

function ip6(b: Uint8Array, o: number): string {
  const w: string[] = []
  for (let i = 0; i < 8; i++) w.push((((b[o + i * 2]! << 8) | b[o + i * 2 + 1]!) >>> 0).toString(16))
  // the longest run of two or more zero words becomes "::" (RFC 5952)
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (w[i] !== '0') { i++; continue }
    let j = i
    while (j < 8 && w[j] === '0') j++
    if (j - i > bestLen) { best = i; bestLen = j - i }
    i = j
  }
  if (best < 0) return w.join(':')
  return `${w.slice(0, best).join(':')}::${w.slice(best + bestLen).join(':')}`
}

const be16 = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!
const be32 = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0

interface SeqEntry { seq: number; ack: number }

/** tcpdump's relative sequence numbers: one entry per connection, keyed with the lower port first. */
export class SeqTracker {
  private map = new Map<string, SeqEntry>()
  private readonly limit = 100_000

  relative(src: string, sport: number, dst: string, dport: number, flags: number, seq: number, ack: number): { seq: number; ack: number; base: SeqEntry; rev: boolean; fresh: boolean } {
    // tcpdump tracks only segments with ACK set: a bare SYN (or RST) prints absolute numbers
    if (!(flags & 0x10)) return { seq, ack, base: { seq: 0, ack: 0 }, rev: false, fresh: true }
    const rev = sport > dport || (sport === dport && src > dst)
    const key = rev ? `${dst}|${src}|${dport}|${sport}` : `${src}|${dst}|${sport}|${dport}`
    let e = this.map.get(key)
    if (!e || flags & 0x02) {
      if (!e && this.map.size >= this.limit) this.map.delete(this.map.keys().next().value!)
      e = rev ? { ack: seq, seq: (ack - 1) >>> 0 } : { seq, ack: (ack - 1) >>> 0 }
      this.map.set(key, e)
      return { seq, ack, base: e, rev, fresh: true }
    }
    return rev
      ? { seq: (seq - e.ack) >>> 0, ack: (ack - e.seq) >>> 0, base: e, rev, fresh: false }
      : { seq: (seq - e.seq) >>> 0, ack: (ack - e.ack) >>> 0, base: e, rev, fresh: false }
  }
}

function tcpOptions(b: Uint8Array, o: number, end: number, thseq: number, thack: number, rev: boolean): string[] {
  const out: string[] = []
  while (o < end) {
    const kind = b[o]!
    if (kind === 0) { out.push('eol'); o++; continue }
    if (kind === 1) { out.push('nop'); o++; continue }
    const len = b[o + 1] ?? 0
    if (len < 2 || o + len > end) { out.push(`bad opt`); break }
    if (kind === 2 && len === 4) out.push(`mss ${be16(b, o + 2)}`)
    else if (kind === 3 && len === 3) out.push(`wscale ${b[o + 2]}`)
    else if (kind === 4) out.push('sackOK')
    else if (kind === 5) {
      const blocks: string[] = []
      for (let i = o + 2; i + 8 <= o + len; i += 8) {
        const base = rev ? thseq : thack
        blocks.push(`{${(be32(b, i) - base) >>> 0}:${(be32(b, i + 4) - base) >>> 0}}`)
      }
      out.push(`sack ${blocks.length} ${blocks.join('')}`)
    } else if (kind === 8 && len === 10) out.push(`TS val ${be32(b, o + 2)} ecr ${be32(b, o + 6)}`)
    else out.push(`unknown-${kind}`)
    o += len
  }
  return out
}

const ICMP4: Record<number, string> = { 0: 'echo reply', 3: 'unreachable', 8: 'echo request', 11: 'time exceeded' }
const UNREACH: Record<number, string> = { 0: 'net', 1: 'host', 2: 'protocol', 3: 'port' }

/** Decodes the transport of an IP packet at o (l4 offset known) into a summary. */
function transport(b: Uint8Array, family: 4 | 6, proto: number, src: string, dst: string, l4: number, payloadEnd: number, seqs: SeqTracker): PacketSummary {
  const avail = Math.min(payloadEnd, b.length)
  const base = { family, src, dst }
  if (proto === 6 && l4 + 20 <= avail) {
    const sport = be16(b, l4)
    const dport = be16(b, l4 + 2)
    const flags = b[l4 + 13]!
    const hlen = (b[l4 + 12]! >> 4) * 4
    const r = seqs.relative(src, sport, dst, dport, flags, be32(b, l4 + 4), be32(b, l4 + 8))
    const win = be16(b, l4 + 14)
    const length = Math.max(0, payloadEnd - l4 - hlen)
    const options = tcpOptions(b, l4 + 20, Math.min(l4 + hlen, avail), r.fresh ? 0 : r.base.seq, r.fresh ? 0 : r.base.ack, r.rev)
    const parts = [`Flags [${flagString(flags)}]`]
    if (length > 0 || flags & 0x07) parts.push(length > 0 ? `seq ${r.seq}:${(r.seq + length) >>> 0}` : `seq ${r.seq}`)
    if (flags & 0x10) parts.push(`ack ${r.ack}`)
    parts.push(`win ${win}`)
    if (flags & 0x20) parts.push(`urg ${be16(b, l4 + 18)}`)
    if (options.length) parts.push(`options [${options.join(',')}]`)
    parts.push(`length ${length}`)
    return { ...base, protocol: 'tcp', sport, dport, flags: flagString(flags), flagBits: flags, seq: r.seq, ack: r.ack, relative: !r.fresh, win, options, length, text: parts.join(', ') }
  }
  if (proto === 17 && l4 + 8 <= avail) {
    const length = Math.max(0, be16(b, l4 + 4) - 8)
    return { ...base, protocol: 'udp', sport: be16(b, l4), dport: be16(b, l4 + 2), length, text: `UDP, length ${length}` }
  }
  if (proto === 1 && l4 + 8 <= avail) {
    const type = b[l4]!
    const code = b[l4 + 1]!
    const length = payloadEnd - l4
    let what = ICMP4[type] ?? `type-#${type}`
    if (type === 0 || type === 8) what += `, id ${be16(b, l4 + 4)}, seq ${be16(b, l4 + 6)}`
    if (type === 3 && l4 + 28 <= avail) {
      const inner = l4 + 8
      const ihl = (b[inner]! & 0xf) * 4
      const iproto = b[inner + 9]!
      const idst = ip4(b, inner + 16)
      what = iproto === 6 || iproto === 17
        ? `${idst} ${iproto === 6 ? 'tcp' : 'udp'} port ${be16(b, inner + ihl + 2)} unreachable`
        : `${idst} ${UNREACH[code] ?? `code ${code}`} unreachable`
    }
    return { ...base, protocol: 'icmp', length, text: `ICMP ${what}, length ${length}` }
  }
  if (proto === 58 && l4 + 8 <= avail) {
    const type = b[l4]!
    const length = payloadEnd - l4
    const names: Record<number, string> = { 128: 'echo request', 129: 'echo reply', 1: 'destination unreachable', 135: 'neighbor solicitation', 136: 'neighbor advertisement', 133: 'router solicitation', 134: 'router advertisement' }
    let what = names[type] ?? `type ${type}`
    if (type === 128 || type === 129) what += `, id ${be16(b, l4 + 4)}, seq ${be16(b, l4 + 6)}`
    if (type === 1 && l4 + 8 + 44 <= avail) {
      // print-icmp6.c: the code, then the offending packet's destination (and port for code 4)
      const inner = l4 + 8
      const idst = ip6(b, inner + 24)
      const nh = b[inner + 6]!
      const code = b[l4 + 1]!
      if (code === 4 && (nh === 6 || nh === 17)) what += `, unreachable port, ${idst} ${nh === 6 ? 'tcp' : 'udp'} port ${be16(b, inner + 42)}`
      else if (code === 3) what += `, unreachable address ${idst}`
      else if (code === 0) what += `, unreachable route ${idst}`
      else if (code === 1) what += `, unreachable prohibited ${idst}`
    }
    return { ...base, protocol: 'icmp6', length, text: `ICMP6, ${what}, length ${length}` }
  }
  const length = Math.max(0, payloadEnd - l4)
  return { ...base, protocol: 'other', length, text: `ip-proto-${proto} ${length}` }
}

/** Decodes the packet at the network header (type = EtherType). */
export function summarizeL3(b: Uint8Array, o: number, type: number, seqs: SeqTracker): PacketSummary {
  if (type === 0x0800 && o + 20 <= b.length) {
    const ihl = (b[o]! & 0xf) * 4
    const total = be16(b, o + 2)
    const src = ip4(b, o + 12)
    const dst = ip4(b, o + 16)
    const frag = be16(b, o + 6) & 0x1fff
    if (frag) return { family: 4, protocol: 'other', src, dst, length: total - ihl, text: `ip-proto-${b[o + 9]}` }
    return transport(b, 4, b[o + 9]!, src, dst, o + ihl, o + total, seqs)
  }
  if (type === 0x86dd && o + 40 <= b.length) {
    const src = ip6(b, o + 8)
    const dst = ip6(b, o + 24)
    return transport(b, 6, b[o + 6]!, src, dst, o + 40, o + 40 + be16(b, o + 4), seqs)
  }
  if (type === 0x0806) return { family: 0, protocol: 'arp', src: '', dst: '', length: b.length - o, text: `ARP, length ${b.length - o}` }
  return { family: 0, protocol: 'other', src: '', dst: '', length: b.length - o, text: `ethertype 0x${type.toString(16).padStart(4, '0')}, length ${b.length - o}` }
}

/** Network header offset and EtherType of a frame in pcap link type linktype. */
export function networkOf(data: Uint8Array, linktype: number): { offset: number; type: number } | undefined {
  if (linktype === 1 && data.length >= 14) return { offset: 14, type: be16(data, 12) }
  if (linktype === 276 && data.length >= 20) return { offset: 20, type: be16(data, 0) }
  if (linktype === 113 && data.length >= 16) return { offset: 16, type: be16(data, 14) }
  return undefined
}

/** The tcpdump -n line of a frame, without the timestamp: `IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [S], ...`. */
export function formatPacket(s: PacketSummary): string {
  if (s.family === 0) return s.text
  const ip = s.family === 4 ? 'IP' : 'IP6'
  const ends = s.sport !== undefined ? `${s.src}.${s.sport} > ${s.dst}.${s.dport}` : `${s.src} > ${s.dst}`
  return `${ip} ${ends}: ${s.text}`
}

/** HH:MM:SS.micro in local time, as tcpdump prints it. */
export function formatTime(sec: number, nsec: number): string {
  const d = new Date(sec * 1000)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${String(Math.floor(nsec / 1000)).padStart(6, '0')}`
}
