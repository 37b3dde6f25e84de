/**
 * @module
 * The connection tracker: TCP segments -> conversations (numbered as tshark's tcp.stream), each a
 * Connection (connection.ts); on the streaming path it frees the ones whose reports are final.
 */
import { TH_ACK, TH_SYN, addressText, type Decoded } from './decode.js'
import { A_REUSED_PORTS } from './analysis.js'
import { Connection } from './connection.js'
import { FlowTable } from './flow-table.js'
import { Lifetimes } from './lifetime.js'
import { RetiredTuples } from './retired.js'

/**
 * Called with a connection whose report is final, just before the tracker frees its state. The
 * object is reused for a later connection afterwards: read what you need during the call.
 */
export type OnRetire = (c: Connection) => void

/**
 * Finds the conversation of each segment the way Wireshark does: by addresses and ports, a new
 * one (tcp.analysis.reused_ports) when a SYN's sequence number differs from the base sequence
 * of that direction. Without onRetire every connection stays in `connections` (the library's
 * whole report, `capture --states`). With it (the streaming path) a connection is handed to
 * onRetire and freed when lifetime.ts says so, or at once when a new conversation takes its
 * 4-tuple; finish() hands over the rest.
 */
export class Tracker {
  /** every connection in stream order (only without onRetire) */
  readonly connections: Connection[] = []
  /** connections created so far: the next tcp.stream */
  streams = 0
  /** packets of conversations already handed to onRetire (in no report), and the first one's frame */
  late = 0
  firstLate = 0
  /** IPv4 conversations by 4-tuple */
  private readonly v4 = new FlowTable<Connection>()
  private v6 = new Map<string, Connection>()
  private readonly life: Lifetimes<Connection> | undefined
  private readonly retired: RetiredTuples | undefined
  /** freed connections, reused for new ones (streaming path: onRetire is their last reader) */
  private readonly spare: Connection[] = []

  /** linesFor: collect per-packet lines for this stream (sequence diagram) */
  constructor(private readonly linesFor: number = -1, private readonly onRetire?: OnRetire) {
    if (onRetire) {
      this.life = new Lifetimes()
      this.retired = new RetiredTuples()
    }
  }

  /** The most connections whose state was held at once (all of them without onRetire). */
  get maxHeld(): number { return this.life ? this.life.maxHeld : this.connections.length }

  private lookup(d: Decoded): Connection | undefined {
    if (d.ipVersion === 4) return this.v4.get(d.src4, d.dst4, d.srcPort, d.dstPort)
    return this.v6.get(this.key6(d))
  }

  private key6(d: Decoded): string {
    const s = `${addressText(d, true)}|${d.srcPort}`, t = `${addressText(d, false)}|${d.dstPort}`
    return s < t ? `${s}|${t}` : `${t}|${s}`
  }

  private store(d: Decoded, c: Connection, old: Connection | undefined): void {
    if (d.ipVersion === 4) {
      // the new connection replaces the old one of the same ports (reused ports)
      if (old) this.v4.remove(old)
      this.v4.add(c)
    } else {
      c.key6 = this.key6(d)
      this.v6.set(c.key6, c)
    }
  }

  private create(d: Decoded, frame: number, ts: number, old?: Connection): Connection {
    const spare = this.spare.pop()
    let c: Connection
    if (spare) { c = spare; c.reset(this.streams++, d, frame, ts) }
    else c = new Connection(this.streams++, d, frame, ts)
    if (c.stream === this.linesFor) c.lines = []
    // the streaming path reports histories only; `changes` are for --conn and capture --states
    if (c.lines || !this.onRetire) c.recordChanges()
    if (this.onRetire) {
      // the old conversation of these ports can get no more packets: its report is final
      if (old) this.retire(old)
      this.store(d, c, undefined)
    } else {
      this.connections.push(c)
      this.store(d, c, old)
    }
    return c
  }

  private retire(c: Connection): void {
    this.life!.drop(c)
    if (c.isV4) this.v4.remove(c)
    else if (this.v6.get(c.key6) === c) this.v6.delete(c.key6)
    this.retired!.remember(c)
    this.onRetire!(c)
    this.spare.push(c)
  }

  /** One TCP segment (d decoded as 'tcp'). Returns its connection; undefined for a late packet. */
  add(d: Decoded, frame: number, ts: number): Connection | undefined {
    d.ts = ts
    const life = this.life
    if (life) {
      // free what is final before the lookup: a packet after that moment is late, not a revival
      life.advance(ts)
      for (let x = life.expired(); x; x = life.expired()) this.retire(x)
    }
    let c = this.lookup(d)
    let extra = 0
    /** d goes from c's first sender to the other end */
    let fwd: boolean
    if (!c) {
      if (this.retired) {
        const v = d.ipVersion === 4 ? this.retired.verdict(d, '', '') : this.retired.verdict(d, this.key6(d), addressText(d, true))
        if (v === 'late') {
          if (this.late++ === 0) this.firstLate = frame
          return undefined
        }
        if (v === 'reused') extra = A_REUSED_PORTS
      }
      c = this.create(d, frame, ts)
      fwd = true
    } else {
      fwd = c.isForward(d)
      const flow = (fwd ? c.a : c.b).flow
      const synOnly = (d.flags & (TH_SYN | TH_ACK)) === TH_SYN
      const synAck = (d.flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)
      if (synOnly && flow.baseSet && d.seq !== flow.baseSeq) {
        c = this.create(d, frame, ts, c)
        fwd = true
        extra = A_REUSED_PORTS
      } else if (synAck && flow.baseSet && d.seq !== flow.baseSeq) {
        // tshark 4.0 flags a SYN/ACK with a new ISN but keeps the conversation (same tcp.stream)
        flow.baseSeq = d.seq
        extra = A_REUSED_PORTS
      }
    }
    c.segment(d, fwd, frame, ts, extra)
    life?.touch(c, c.kind)
    return c
  }

  /** Hands every connection still held to onRetire (at the end of the capture). */
  finish(): void {
    const life = this.life
    if (life) for (let x = life.any(); x; x = life.any()) this.retire(x)
  }
}
