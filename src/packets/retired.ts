/**
 * @module
 * What the tracker remembers of a conversation after freeing its state: per 4-tuple, which end
 * sent first and each direction's base sequence number. That is all tshark's stream rule needs:
 * a SYN whose sequence number differs from its direction's base starts a new tcp.stream (flagged
 * reused_ports); any other packet belongs to the old, already reported one. IPv4 tuples live in
 * an open-addressing table of six 32-bit words each (about 24-48 bytes per conversation with the
 * table's spare room); IPv6 ones in a Map. Forgetting nothing keeps stream numbers equal to
 * tshark's, so this memory grows with the conversations in the file, about 30x slower than
 * keeping their full state.
 */
import { TH_ACK, TH_SYN, type Decoded } from './decode.js'
import { tupleHash } from './flow-table.js'

/** A conversation as RetiredTuples needs it (the tracker's Connection). */
export interface Retirable {
  isV4: boolean
  aSrc4: number
  aPort: number
  dst4: number
  dstPort: number
  /** IPv6: the tracker's key of the 4-tuple and the first sender's address text */
  key6: string
  aSrc6: string
  a: { baseSet: boolean; baseSeq: number }
  b: { baseSet: boolean; baseSeq: number }
}

/** What a packet of a tuple the tracker no longer holds means. */
export type Verdict = 'new' | 'reused' | 'late'

const W = 6 // words per slot: first sender, other end, ports (first sender's << 16), base a, base b, meta
const USED = 1, BASE_A = 2, BASE_B = 4

interface Record6 { aSrc: string; aPort: number; baseA: number; baseB: number; meta: number }

export class RetiredTuples {
  private slots = new Uint32Array(W << 16)
  private mask = (1 << 16) - 1
  private count = 0
  private readonly v6 = new Map<string, Record6>()

  remember(c: Retirable): void {
    const meta = USED | (c.a.baseSet ? BASE_A : 0) | (c.b.baseSet ? BASE_B : 0)
    if (!c.isV4) {
      this.v6.set(c.key6, { aSrc: c.aSrc6, aPort: c.aPort, baseA: c.a.baseSeq, baseB: c.b.baseSeq, meta })
      return
    }
    let i = this.find(c.aSrc4, c.dst4, c.aPort, c.dstPort)
    if (i < 0) {
      if ((this.count + 1) * 5 > (this.mask + 1) * 3) this.grow()
      i = this.free(c.aSrc4, c.dst4, c.aPort, c.dstPort)
      this.count++
    }
    const s = this.slots
    s[i] = c.aSrc4; s[i + 1] = c.dst4; s[i + 2] = (c.aPort << 16) | c.dstPort
    s[i + 3] = c.a.baseSeq; s[i + 4] = c.b.baseSeq; s[i + 5] = meta
  }

  /** For a packet whose tuple the live maps do not hold; key6 and src6 (its source text) for IPv6. */
  verdict(d: Decoded, key6: string, src6: string): Verdict {
    let fwd: boolean, base: number, meta: number
    if (d.ipVersion === 4) {
      const i = this.find(d.src4, d.dst4, d.srcPort, d.dstPort)
      if (i < 0) return 'new'
      const s = this.slots
      fwd = s[i] === d.src4 && s[i + 2]! >>> 16 === d.srcPort
      base = fwd ? s[i + 3]! : s[i + 4]!
      meta = s[i + 5]!
    } else {
      const r = this.v6.get(key6)
      if (!r) return 'new'
      fwd = r.aSrc === src6 && r.aPort === d.srcPort
      base = fwd ? r.baseA : r.baseB
      meta = r.meta
    }
    const baseSet = (meta & (fwd ? BASE_A : BASE_B)) !== 0
    if ((d.flags & (TH_SYN | TH_ACK)) === TH_SYN && baseSet && d.seq !== base) return 'reused'
    return 'late'
  }

  private hash(s: number, t: number, sp: number, tp: number): number {
    return tupleHash(s, t, sp, tp) & this.mask
  }

  /** The slot of the tuple in either direction, or -1. */
  private find(src: number, dst: number, sp: number, dp: number): number {
    const s = this.slots
    const fwdPorts = ((sp << 16) | dp) >>> 0, revPorts = ((dp << 16) | sp) >>> 0
    for (let h = this.hash(src, dst, sp, dp); ; h = (h + 1) & this.mask) {
      const i = h * W
      if (s[i + 5] === 0) return -1
      if ((s[i] === src && s[i + 1] === dst && s[i + 2] === fwdPorts) || (s[i] === dst && s[i + 1] === src && s[i + 2] === revPorts)) return i
    }
  }

  private free(src: number, dst: number, sp: number, dp: number): number {
    const s = this.slots
    let h = this.hash(src, dst, sp, dp)
    while (s[h * W + 5] !== 0) h = (h + 1) & this.mask
    return h * W
  }

  private grow(): void {
    const old = this.slots
    this.mask = this.mask * 4 + 3
    this.slots = new Uint32Array((this.mask + 1) * W)
    for (let i = 0; i < old.length; i += W) {
      if (old[i + 5] === 0) continue
      const j = this.free(old[i]!, old[i + 1]!, old[i + 2]! >>> 16, old[i + 2]! & 0xffff)
      for (let w = 0; w < W; w++) this.slots[j + w] = old[i + w]! // (a subarray per slot was an allocation each)
    }
  }
}
