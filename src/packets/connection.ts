/**
 * @module
 * One TCP conversation as the tracker sees it: Wireshark's analysis state per direction and both
 * endpoints' RFC 9293 states inferred from what the capture saw (simultaneous open and close, RST
 * in any state, half-close, pickup mid-stream), with what its report needs.
 */
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, addressText, ipv4Text, type Decoded } from './decode.js'
import { ANOMALY_KINDS, A_ILLEGAL_FLAGS, FlowState, analyzeSegment, illegalFlags, type AnomalyKind } from './analysis.js'
import type { Kind } from './lifetime.js'
import { StatePath } from './state-path.js'
import type { StateName } from '../model/state.js'

export type TcpStateName = Exclude<StateName, 'NEW_SYN_RECV'>

export type Outcome =
  | 'four-way' // both FINs sent and ACKed
  | 'simultaneous-close' // FINs crossed
  | 'reset' // ended by RST after the handshake (or mid-stream)
  | 'refused' // SYN answered by RST
  | 'half-closed' // one side sent FIN, the other kept the connection open
  | 'open' // still established when the capture ended
  | 'syn-unanswered' // SYN(s), no answer
  | 'synack-unanswered' // SYN/ACK sent, the handshake never completed
  | 'handshake-incomplete' // other partial handshakes

export interface StateChange {
  /** packet number in the capture (1-based, like tshark's frame.number) */
  frame: number
  /** seconds since the connection's first packet */
  t: number
  side: 'client' | 'server'
  from: TcpStateName
  to: TcpStateName
}

export interface PacketLine {
  frame: number
  t: number
  fromClient: boolean
  flags: number
  seq: number
  ack: number
  len: number
  window: number
  analysis: number
  client: TcpStateName
  server: TcpStateName
}

const MAX_CHANGES = 64
const STATES: TcpStateName[] = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING']
const STATE_INDEX: Record<string, number> = Object.fromEntries(STATES.map((n, i) => [n, i]))

/** One direction: analysis state plus what the state machine needs. */
class Side extends FlowState {
  /** the analysis state is this object itself (one object per direction, not two) */
  get flow(): FlowState { return this }
  state: TcpStateName
  /** its states so far (history) */
  path: StatePath
  finSeq = -1
  finAcked = false
  sentSyn = false
  sentSynAck = false
  sentRst = false
  sentFin = false
  packets = 0
  bytes = 0
  constructor(state: TcpStateName) {
    super()
    this.state = state
    this.path = StatePath.start(state)
  }

  /** As new in `state` (the fields' initial values above). */
  reset(state: TcpStateName): void {
    this.resetFlow()
    this.state = state
    this.path = StatePath.start(state)
    this.finSeq = -1
    this.finAcked = false
    this.sentSyn = false
    this.sentSynAck = false
    this.sentRst = false
    this.sentFin = false
    this.packets = 0
    this.bytes = 0
  }
}

/**
 * A connection's state. The streaming tracker reuses the objects of finished connections
 * (reset()): a million short connections then allocate no state objects, which would otherwise
 * each live long enough to be copied by the young-generation GC and promoted (most of its time).
 */
export class Connection {
  stream: number
  /** "client": who sent the first SYN; for a pickup mid-stream, the side with the higher port */
  /** IPv4 as a number until reported, IPv6 as text */
  cAddr: number | string = 0
  clientPort = 0
  sAddr: number | string = 0
  serverPort = 0
  get clientAddress(): string { return typeof this.cAddr === 'number' ? ipv4Text(this.cAddr) : this.cAddr }
  get serverAddress(): string { return typeof this.sAddr === 'number' ? ipv4Text(this.sAddr) : this.sAddr }
  /** the other end of the first sender (the tracker's 4-tuple match) */
  dst4 = 0
  dstPort = 0
  /** the bucket (IPv4) or key (IPv6) of its 4-tuple in the tracker's maps */
  hash = 0
  key6 = ''
  /** links of the tracker's lifetime queues (streaming path); queue -1: in none */
  older: Connection | undefined
  newer: Connection | undefined
  queue = -1
  /** a side reached ESTABLISHED at some point */
  established = false
  firstTs = 0
  lastTs = 0
  firstFrame = 0
  /** handshake: SYN -> ACK of the SYN/ACK, seconds; undefined when not seen */
  rtt: number | undefined
  synTs = 0
  /** Wireshark's ts_mru_syn and ts_first_rtt */
  mruSyn = 0
  firstRtt = 0
  midstream = false
  simultaneousOpen = false
  synRetransmits = 0
  /** per-kind counts, allocated at the first anomaly (most connections have none) */
  anomalies: Uint32Array | undefined
  /** state changes recorded (history and `changes` keep the first MAX_CHANGES) */
  private changeCount = 0
  /** the changes as [frame, µs since the first packet, side<<8 | from<<4 | to] triples (small
   * integers, no object per change), kept only when asked for (recordChanges) */
  private packed: number[] | undefined
  simClose = false
  lines: PacketLine[] | undefined
  /** flow1 is the side that sent the first packet (not Wireshark's address order; flags do not care) */
  readonly a: Side
  readonly b: Side
  /** true when a (the first sender) is the client */
  aIsClient = true
  /** canonical key of the first sender (address text + port) for direction tests */
  aSrc4 = 0
  aSrc6 = ''
  aPort = 0

  constructor(stream: number, d: Decoded, frame: number, ts: number) {
    this.stream = stream
    this.a = new Side('CLOSE')
    this.b = new Side('LISTEN')
    this.start(d, frame, ts)
  }

  /**
   * Makes this object the new connection `stream` that d starts, exactly as the constructor
   * would (every field back to its initial value above; connection.test.ts holds them equal).
   */
  reset(stream: number, d: Decoded, frame: number, ts: number): void {
    this.stream = stream
    this.cAddr = 0
    this.clientPort = 0
    this.sAddr = 0
    this.serverPort = 0
    this.dst4 = 0
    this.dstPort = 0
    this.hash = 0
    this.key6 = ''
    this.older = undefined
    this.newer = undefined
    this.queue = -1
    this.established = false
    this.firstTs = 0
    this.lastTs = 0
    this.firstFrame = 0
    this.rtt = undefined
    this.synTs = 0
    this.mruSyn = 0
    this.firstRtt = 0
    this.midstream = false
    this.simultaneousOpen = false
    this.synRetransmits = 0
    this.anomalies = undefined
    this.changeCount = 0
    this.packed = undefined
    this.simClose = false
    this.lines = undefined
    this.aIsClient = true
    this.aSrc4 = 0
    this.aSrc6 = ''
    this.aPort = 0
    this.start(d, frame, ts)
  }

  private start(d: Decoded, frame: number, ts: number): void {
    this.firstTs = ts
    this.firstFrame = frame
    this.aPort = d.srcPort
    if (d.ipVersion === 4) this.aSrc4 = d.src4
    else this.aSrc6 = addressText(d, true)
    const syn = (d.flags & (TH_SYN | TH_ACK)) === TH_SYN
    const synack = (d.flags & (TH_SYN | TH_ACK)) === (TH_SYN | TH_ACK)
    const srcIsClient = syn || (!synack && (d.srcPort > d.dstPort || (d.srcPort === d.dstPort)))
    this.aIsClient = srcIsClient
    const s = d.ipVersion === 4 ? d.src4 : addressText(d, true), t = d.ipVersion === 4 ? d.dst4 : addressText(d, false)
    this.dst4 = d.dst4
    this.dstPort = d.dstPort
    if (srcIsClient) { this.cAddr = s; this.clientPort = d.srcPort; this.sAddr = t; this.serverPort = d.dstPort }
    else { this.cAddr = t; this.clientPort = d.dstPort; this.sAddr = s; this.serverPort = d.srcPort }
    if (syn) { this.a.reset('CLOSE'); this.b.reset('LISTEN') }
    else if (synack) { this.a.reset('LISTEN'); this.b.reset('SYN_SENT'); this.b.sentSyn = true }
    else { this.midstream = true; this.a.reset('ESTABLISHED'); this.b.reset('ESTABLISHED') }
  }

  /** true when d goes from the first sender to the other side */
  isForward(d: Decoded): boolean {
    if (d.srcPort !== this.aPort) return false
    if (d.ipVersion === 4) return d.src4 === this.aSrc4
    return addressText(d, true) === this.aSrc6
  }

  get isV4(): boolean { return typeof this.cAddr === 'number' }

  get client(): Side { return this.aIsClient ? this.a : this.b }
  get server(): Side { return this.aIsClient ? this.b : this.a }

  private set(side: Side, to: TcpStateName, frame: number, ts: number): void {
    if (side.state === to) return
    if (to === 'CLOSING') this.simClose = true
    else if (to === 'ESTABLISHED') this.established = true
    if (this.changeCount < MAX_CHANGES) {
      this.changeCount++
      side.path = side.path.then(to)
      this.packed?.push(frame, Math.round((ts - this.firstTs) * 1e6), (side === this.client ? 256 : 0) | (STATE_INDEX[side.state]! << 4) | STATE_INDEX[to]!)
    }
    side.state = to
  }

  /**
   * Takes back side's last change when it went to `to` (a state inferred from a segment that, as
   * a later segment of side's shows, had not reached it yet) and restores the state it came from
   * (or `instead`, when that state was inferred wrongly too).
   */
  private retract(side: Side, to: TcpStateName, instead?: TcpStateName): void {
    const path = side.path
    if (!path.changed || path.last !== to) return
    const before = path.parent!
    const was = (instead ?? before.last) as TcpStateName
    side.path = instead ? before.replaceLast(instead) : before
    side.state = was
    this.changeCount--
    const p = this.packed, bit = side === this.client ? 256 : 0
    let frame = Infinity
    if (p) for (let i = p.length - 3; i >= 0; i -= 3) {
      const v = p[i + 2]!
      if ((v & 256) !== bit) continue
      if ((v & 15) === STATE_INDEX[to]) {
        frame = p[i]!
        p.splice(i, 3)
        // the change after it, if any, came from the taken-back state: it comes from `was` now
      }
      break
    }
    // the sequence diagram's lines since then showed the taken-back state too
    const lines = this.lines
    if (lines) for (let k = lines.length - 1; k >= 0 && lines[k]!.frame >= frame; k--) lines[k]![bit ? 'client' : 'server'] = was
  }

  /** Feeds one segment; returns its analysis bits. */
  segment(d: Decoded, fwdDir: boolean, frame: number, ts: number, extra: number): number {
    const x = fwdDir ? this.a : this.b
    const y = fwdDir ? this.b : this.a
    const flags = d.flags
    this.lastTs = ts
    x.packets++
    x.bytes += d.seglen
    // Wireshark: handshake RTT from the most recent SYN to the first pure ACK after it
    if ((flags & (TH_SYN | TH_ACK)) === TH_SYN) this.mruSyn = ts
    else if ((flags & (TH_SYN | TH_ACK)) === TH_ACK && this.mruSyn !== 0 && this.firstRtt === 0) this.firstRtt = ts - this.mruSyn
    let a = analyzeSegment(x.flow, y.flow, d, this.firstRtt) | extra
    if (flags & TH_SYN) {
      // window scaling (packet-tcp.c verify_tcp_window_scaling); RFC 7323 caps the shift at 14
      if (d.wscale >= 0) x.flow.winScale = Math.min(d.wscale, 14)
      if (x.flow.winScale === -1) { x.flow.winScale = -2; y.flow.winScale = -2 }
      else if (flags & TH_ACK && y.flow.winScale === -2) x.flow.winScale = -2
    }
    if (illegalFlags(flags)) a |= A_ILLEGAL_FLAGS
    if (a) {
      const an = (this.anomalies ??= new Uint32Array(ANOMALY_KINDS.length))
      for (let i = 0, bits = a; bits; i++, bits >>>= 1) if (bits & 1) an[i]!++
    }
    this.transition(x, y, d, frame, ts)
    if (this.lines) {
      this.lines.push({ frame, t: ts - this.firstTs, fromClient: x === this.client, flags, seq: d.seq, ack: d.ack, len: d.seglen, window: d.window, analysis: a, client: this.client.state, server: this.server.state })
    }
    return a
  }

  /** RFC 9293 section 3.3.2, as seen from a point on the path: x sent the segment, y receives it. */
  private transition(x: Side, y: Side, d: Decoded, frame: number, ts: number): void {
    const f = d.flags
    if (f & TH_RST) {
      x.sentRst = true
      this.set(x, 'CLOSE', frame, ts)
      if (y.state !== 'LISTEN' || y.sentSynAck) this.set(y, 'CLOSE', frame, ts)
      return
    }
    if (f & TH_SYN) {
      if (f & TH_ACK) {
        if (x.sentSynAck) this.synRetransmits++
        x.sentSynAck = true
        if (x.state === 'LISTEN' || x.state === 'CLOSE' || x.state === 'SYN_SENT') this.set(x, 'SYN_RECV', frame, ts)
        if (y.state === 'SYN_SENT') {
          this.set(y, 'ESTABLISHED', frame, ts)
          if (this.synTs) this.rtt = undefined
        } else if (y.state === 'SYN_RECV' && this.simultaneousOpen) this.set(y, 'ESTABLISHED', frame, ts)
      } else {
        if (x.sentSyn) this.synRetransmits++
        // simultaneous open, SYNs crossed: a bare SYN from x, which never sent one nor a SYN/ACK,
        // while y waits in SYN_SENT shows y's SYN had not reached x (x would have answered it
        // with a SYN/ACK): x was not in the SYN_RECV inferred from y's SYN but in SYN_SENT, and
        // goes to SYN_RECV when that SYN arrives (RFC 9293 3.5 figure 7; the kernel's both ends go
        // CLOSE>SYN_SENT>SYN_RECV>ESTABLISHED, test/e2e/analyze-live.test.ts)
        const crossed = !x.sentSyn && !x.sentSynAck && x.state === 'SYN_RECV' && y.state === 'SYN_SENT' && y.sentSyn
        if (crossed) this.retract(x, 'SYN_RECV', 'CLOSE') // an end that sends a bare SYN was not listening
        x.sentSyn = true
        if (!this.synTs) this.synTs = ts
        if (x.state === 'CLOSE' || x.state === 'LISTEN') this.set(x, 'SYN_SENT', frame, ts)
        if (y.state === 'SYN_SENT' && y.sentSyn) {
          this.simultaneousOpen = true
          this.set(y, 'SYN_RECV', frame, ts)
          if (crossed) this.set(x, 'SYN_RECV', frame, ts)
        } else if (y.state === 'LISTEN' || y.state === 'CLOSE') this.set(y, 'SYN_RECV', frame, ts)
      }
    } else if (f & TH_ACK) {
      if (y.state === 'SYN_RECV') {
        this.set(y, 'ESTABLISHED', frame, ts)
        if (x.state === 'SYN_SENT' || x.state === 'SYN_RECV') this.set(x, 'ESTABLISHED', frame, ts)
        if (this.rtt === undefined && this.synTs) this.rtt = ts - this.synTs
      } else if (x.state === 'SYN_SENT') this.set(x, 'ESTABLISHED', frame, ts)
    }
    // the ACK of y's FIN
    if (f & TH_ACK && y.finSeq >= 0 && !y.finAcked && ((d.ack - y.finSeq - 1) | 0) >= 0) {
      y.finAcked = true
      if (y.state === 'FIN_WAIT1') this.set(y, 'FIN_WAIT2', frame, ts)
      else if (y.state === 'CLOSING') this.set(y, 'TIME_WAIT', frame, ts)
      else if (y.state === 'LAST_ACK') this.set(y, 'CLOSE', frame, ts)
      else if (y.state === 'CLOSE_WAIT') this.set(y, 'CLOSE_WAIT', frame, ts)
    }
    if (f & TH_FIN) {
      if (!x.sentFin) x.finSeq = (d.seq + d.seglen + (f & TH_SYN ? 1 : 0)) >>> 0
      x.sentFin = true
      if (x.state === 'ESTABLISHED' || x.state === 'SYN_RECV' || x.state === 'SYN_SENT') this.set(x, 'FIN_WAIT1', frame, ts)
      else if (x.state === 'CLOSE_WAIT') {
        // FINs crossed: x sent its FIN before y's FIN reached it (its ACK does not cover y's FIN),
        // so x was never in the CLOSE_WAIT inferred from y's FIN: it went ESTABLISHED>FIN_WAIT1,
        // then CLOSING when y's FIN arrives (RFC 9293 figure 13; what the kernel's ends do)
        const crossed = y.finSeq >= 0 && !(f & TH_ACK && ((d.ack - y.finSeq - 1) | 0) >= 0)
        if (crossed) {
          this.retract(x, 'CLOSE_WAIT')
          if (x.state !== 'CLOSE_WAIT') this.set(x, 'FIN_WAIT1', frame, ts)
        }
        this.set(x, crossed ? 'CLOSING' : 'LAST_ACK', frame, ts)
      }
      if (y.state === 'ESTABLISHED' || y.state === 'SYN_RECV') this.set(y, 'CLOSE_WAIT', frame, ts)
      else if (y.state === 'FIN_WAIT1') this.set(y, y.finAcked ? 'TIME_WAIT' : 'CLOSING', frame, ts)
      else if (y.state === 'FIN_WAIT2') this.set(y, 'TIME_WAIT', frame, ts)
    }
    if (x.state === 'FIN_WAIT1' && x.finAcked) this.set(x, 'FIN_WAIT2', frame, ts)
  }

  /** Its lifetime kind (lifetime.ts): closed by RST or two ACKed FINs, in the handshake, or open. */
  get kind(): Kind {
    const a = this.a, b = this.b
    if (a.sentRst || b.sentRst || (a.finAcked && b.finAcked)) return 0
    return this.established || this.midstream ? 2 : 1
  }

  get outcome(): Outcome {
    const c = this.client, s = this.server
    if (c.sentRst || s.sentRst) {
      if (!this.midstream && !s.sentSynAck && !this.simultaneousOpen && s.sentRst && c.sentSyn) return 'refused'
      return 'reset'
    }
    if (c.sentFin && s.sentFin) {
      if (this.simClose) return 'simultaneous-close'
      return 'four-way'
    }
    if (c.sentFin || s.sentFin) return 'half-closed'
    const est = c.state === 'ESTABLISHED' || s.state === 'ESTABLISHED'
    if (est || this.midstream) return 'open'
    if (s.sentSynAck) return 'synack-unanswered'
    if (c.sentSyn && !s.sentSynAck && s.packets === 0) return 'syn-unanswered'
    return 'handshake-incomplete'
  }

  /** Keep every state change with its frame and time (for `changes`). */
  recordChanges(): void {
    this.packed ??= []
  }

  get changes(): StateChange[] {
    const out: StateChange[] = []
    const p = this.packed ?? []
    for (let i = 0; i < p.length; i += 3) {
      const v = p[i + 2]!
      out.push({ frame: p[i]!, t: p[i + 1]! / 1e6, side: v & 256 ? 'client' : 'server', from: STATES[(v >> 4) & 15]!, to: STATES[v & 15]! })
    }
    return out
  }

  /** Each side's state path, ">"-joined, from its first state. */
  history(): { client: string; server: string } {
    const c = this.client, s = this.server
    return { client: c.path.changed ? c.path.text : c.state, server: s.path.changed ? s.path.text : s.state }
  }

  anomalyRecord(): Partial<Record<AnomalyKind, number>> {
    const r: Partial<Record<AnomalyKind, number>> = {}
    const an = this.anomalies
    if (an) ANOMALY_KINDS.forEach((k, i) => { if (an[i]) r[k] = an[i] })
    return r
  }
}
