/**
 * @module
 * Sockets kept as the kernel sent them: the reply chunks plus an index of message offsets, read
 * through accessors. For listing 300,000 sockets this avoids 300,000 long-lived objects (most of
 * the cost was garbage collection, not parsing). Pure over bytes, like parse.ts.
 */
import { formatIPv4, formatIPv6 } from '../../model/address.js'
import { stateName, type StateName } from '../../model/state.js'
import { AF_INET6 } from './constants.js'
import { inodeAt, localPortAt, remotePortAt, stateAt } from './parse.js'

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

  private at(i: number): [Buffer, number] {
    return [this.chunks[this.chunkOf[i]!]!, this.offOf[i]!]
  }

  netns(i: number): string | undefined { return this.labels[this.chunkOf[i]!] }
  state(i: number): StateName { const [b, o] = this.at(i); const n = stateAt(b, o); return stateName(n === 12 ? 3 : n) }
  family(i: number): 'inet' | 'inet6' { const [b, o] = this.at(i); return b[o] === AF_INET6 ? 'inet6' : 'inet' }
  localPort(i: number): number { const [b, o] = this.at(i); return localPortAt(b, o) }
  remotePort(i: number): number { const [b, o] = this.at(i); return remotePortAt(b, o) }
  inode(i: number): number { const [b, o] = this.at(i); return inodeAt(b, o) }
  recvQ(i: number): number { const [b, o] = this.at(i); return b.readUInt32LE(o + 56) }
  sendQ(i: number): number { const [b, o] = this.at(i); return b.readUInt32LE(o + 60) }
  uid(i: number): number { const [b, o] = this.at(i); return b.readUInt32LE(o + 64) }
  cookieHex(i: number): string { const [b, o] = this.at(i); return ((BigInt(b.readUInt32LE(o + 48)) << 32n) | BigInt(b.readUInt32LE(o + 44))).toString(16) }
  timer(i: number): { num: number; expiresMs: number; retrans: number } { const [b, o] = this.at(i); return { num: b[o + 2]!, expiresMs: b.readUInt32LE(o + 52), retrans: b[o + 3]! } }

  /** `addr:port` as ss prints it ([v6]:port, port 0 as *). */
  endpointText(i: number, side: 'local' | 'remote'): string {
    const [b, o] = this.at(i)
    const v6 = b[o] === AF_INET6
    const addrOff = o + (side === 'local' ? 8 : 24)
    const port = side === 'local' ? localPortAt(b, o) : remotePortAt(b, o)
    const addr = v6 ? `[${formatIPv6(b, addrOff)}]` : formatIPv4(b, addrOff)
    return `${addr}:${port === 0 ? '*' : port}`
  }
}
