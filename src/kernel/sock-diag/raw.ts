/**
 * @module
 * Sockets kept as the kernel sent them: the reply chunks plus an index of message offsets, read
 * through accessors. For listing 300,000 sockets this avoids 300,000 long-lived objects (most of
 * the cost was garbage collection, not parsing). Pure over bytes, like parse.ts.
 */
import { formatIPv4, formatIPv6 } from '../../model/address.js'
import { stateName, type StateName } from '../../model/state.js'
import { AF_INET6, IDIAG } from './constants.js'
import { inodeAt, isAnyV6, localAddressAt, localPortAt, remotePortAt, stateAt, v6onlyAt } from './parse.js'

/** Decimal digits of a non-negative integer. */
export function digits(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1e6 ? 6 : x < 1e7 ? 7 : x < 1e8 ? 8 : x < 1e9 ? 9 : String(x).length
}

/** Writes x in decimal at pos; returns the new position. */
export function writeDecimal(out: Buffer, pos: number, x: number): number {
  const n = digits(x)
  let p = pos + n
  do {
    out[--p] = 0x30 + (x % 10)
    x = Math.floor(x / 10)
  } while (x > 0)
  return pos + n
}

export class RawSockets {
  private chunks: Buffer[] = []
  private chunkOf: Uint32Array = new Uint32Array(1024)
  private offOf: Uint32Array = new Uint32Array(1024)
  private labels: (string | undefined)[] = []
  count = 0

  /** Starts a new chunk (a copy of the reply bytes) and returns its number. */
  addChunk(bytes: Buffer, label: string | undefined): number {
    this.chunks.push(Buffer.from(bytes))
    this.labels.push(label)
    return this.chunks.length - 1
  }

  /** Records the inet_diag_msg at off in chunk c. */
  add(c: number, off: number): void {
    if (this.count === this.chunkOf.length) {
      const grow = (a: Uint32Array): Uint32Array => { const b = new Uint32Array(a.length * 2); b.set(a); return b }
      this.chunkOf = grow(this.chunkOf)
      this.offOf = grow(this.offOf)
    }
    this.chunkOf[this.count] = c
    this.offOf[this.count++] = off
  }

  // Accessors read the chunk and offset directly: a [buffer, offset] tuple per call was garbage
  // at every row of a 300,000-row listing.
  private b(i: number): Buffer { return this.chunks[this.chunkOf[i]!]! }
  private o(i: number): number { return this.offOf[i]! }

  netns(i: number): string | undefined { return this.labels[this.chunkOf[i]!] }
  /** The reply bytes holding socket i and the inet_diag_msg's offset in them, for byte-level readers (parse.ts). */
  bytes(i: number): Buffer { return this.b(i) }
  offset(i: number): number { return this.o(i) }
  state(i: number): StateName { const b = this.b(i); const o = this.o(i); const n = stateAt(b, o); return stateName(n === 12 ? 3 : n) }
  localAddress(i: number): string { return localAddressAt(this.b(i), this.o(i)) }
  family(i: number): 'inet' | 'inet6' { const b = this.b(i); const o = this.o(i); return b[o] === AF_INET6 ? 'inet6' : 'inet' }
  localPort(i: number): number { const b = this.b(i); const o = this.o(i); return localPortAt(b, o) }
  remotePort(i: number): number { const b = this.b(i); const o = this.o(i); return remotePortAt(b, o) }
  inode(i: number): number { const b = this.b(i); const o = this.o(i); return inodeAt(b, o) }
  recvQ(i: number): number { const b = this.b(i); const o = this.o(i); return b.readUInt32LE(o + IDIAG.rqueue) }
  sendQ(i: number): number { const b = this.b(i); const o = this.o(i); return b.readUInt32LE(o + IDIAG.wqueue) }
  uid(i: number): number { const b = this.b(i); const o = this.o(i); return b.readUInt32LE(o + IDIAG.uid) }
  cookieHex(i: number): string { const b = this.b(i); const o = this.o(i); return ((BigInt(b.readUInt32LE(o + IDIAG.cookie + 4)) << 32n) | BigInt(b.readUInt32LE(o + IDIAG.cookie))).toString(16) }
  timer(i: number): { num: number; expiresMs: number; retrans: number } { const b = this.b(i); const o = this.o(i); return { num: b[o + IDIAG.timer]!, expiresMs: b.readUInt32LE(o + IDIAG.expires), retrans: b[o + IDIAG.retrans]! } }

  /** Length of endpointText(i, side), computed without building the string for IPv4. */
  endpointWidth(i: number, side: 'local' | 'remote'): number {
    const b = this.b(i)
    const o = this.o(i)
    const port = side === 'local' ? localPortAt(b, o) : remotePortAt(b, o)
    const portW = port === 0 ? 1 : digits(port)
    if (b[o] === AF_INET6) return this.star(b, o, side) ? 1 + 1 + portW : formatIPv6(b, o + (side === 'local' ? IDIAG.src : IDIAG.dst)).length + 3 + portW
    const a = o + (side === 'local' ? IDIAG.src : IDIAG.dst)
    return digits(b[a]!) + digits(b[a + 1]!) + digits(b[a + 2]!) + digits(b[a + 3]!) + 4 + portW
  }

  /** Writes endpointText(i, side) as ASCII into out at pos; returns the new position. */
  writeEndpoint(i: number, side: 'local' | 'remote', out: Buffer, pos: number): number {
    const b = this.b(i)
    const o = this.o(i)
    const port = side === 'local' ? localPortAt(b, o) : remotePortAt(b, o)
    const a = o + (side === 'local' ? IDIAG.src : IDIAG.dst)
    if (b[o] === AF_INET6 && this.star(b, o, side)) {
      out[pos++] = 0x2a
    } else if (b[o] === AF_INET6) {
      out[pos++] = 0x5b
      pos += out.write(formatIPv6(b, a), pos, 'latin1')
      out[pos++] = 0x5d
    } else {
      for (let k = 0; k < 4; k++) {
        if (k) out[pos++] = 0x2e
        pos = writeDecimal(out, pos, b[a + k]!)
      }
    }
    out[pos++] = 0x3a
    if (port === 0) out[pos++] = 0x2a
    else pos = writeDecimal(out, pos, port)
    return pos
  }

  /** A dual-stack IPv6 wildcard address ([::] without IPV6_V6ONLY) prints as *, as ss does. */
  private star(b: Buffer, o: number, side: 'local' | 'remote'): boolean {
    const a = o + (side === 'local' ? IDIAG.src : IDIAG.dst)
    if (!isAnyV6(b, a) || !isAnyV6(b, o + IDIAG.src)) return false
    // The nlmsghdr (16 bytes) precedes the inet_diag_msg: its length bounds the attributes.
    const bodyLen = o >= 16 ? b.readUInt32LE(o - 16) - 16 : 0
    return v6onlyAt(b, o, bodyLen) === false
  }

  /** The raw state number of socket i, NEW_SYN_RECV (12) folded to SYN_RECV (3). */
  stateNum(i: number): number { const b = this.b(i); const o = this.o(i); const n = stateAt(b, o); return n === 12 ? 3 : n }

  /** `addr:port` as ss prints it ([v6]:port, port 0 as *). */
  endpointText(i: number, side: 'local' | 'remote'): string {
    const b = this.b(i)
    const o = this.o(i)
    const v6 = b[o] === AF_INET6
    const addrOff = o + (side === 'local' ? IDIAG.src : IDIAG.dst)
    const port = side === 'local' ? localPortAt(b, o) : remotePortAt(b, o)
    const addr = v6 ? `[${formatIPv6(b, addrOff)}]` : formatIPv4(b, addrOff)
    return `${addr}:${port === 0 ? '*' : port}`
  }
}
