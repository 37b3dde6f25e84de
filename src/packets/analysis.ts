/**
 * @module
 * Wireshark's TCP sequence analysis (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number),
 * re-derived so that per-packet flags match tshark's tcp.analysis.* fields: the same tests in the
 * same order on the same per-direction state. Counts are per packet, as tshark counts them.
 */
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, type Decoded } from './decode.js'

/** Anomaly kinds: Wireshark's tcp.analysis.* field names, plus our illegal_flags. */
export const ANOMALY_KINDS = [
  'retransmission', 'fast_retransmission', 'spurious_retransmission', 'duplicate_ack', 'lost_segment', 'ack_lost_segment',
  'out_of_order', 'zero_window', 'zero_window_probe', 'zero_window_probe_ack', 'window_full', 'window_update',
  'keep_alive', 'keep_alive_ack', 'reused_ports', 'illegal_flags',
] as const
export type AnomalyKind = (typeof ANOMALY_KINDS)[number]

// Bits of one packet's analysis (A_* mirror TCP_A_* in meaning, not in value).
export const A_RETRANSMISSION = 1 << 0
export const A_FAST_RETRANSMISSION = 1 << 1
export const A_SPURIOUS_RETRANSMISSION = 1 << 2
export const A_DUPLICATE_ACK = 1 << 3
export const A_LOST_SEGMENT = 1 << 4
export const A_ACK_LOST_SEGMENT = 1 << 5
export const A_OUT_OF_ORDER = 1 << 6
export const A_ZERO_WINDOW = 1 << 7
export const A_ZERO_WINDOW_PROBE = 1 << 8
export const A_ZERO_WINDOW_PROBE_ACK = 1 << 9
export const A_WINDOW_FULL = 1 << 10
export const A_WINDOW_UPDATE = 1 << 11
export const A_KEEP_ALIVE = 1 << 12
export const A_KEEP_ALIVE_ACK = 1 << 13
export const A_REUSED_PORTS = 1 << 14
export const A_ILLEGAL_FLAGS = 1 << 15

/** One direction's analysis state (Wireshark's tcp_flow_t + tcp_analyze_seq_flow_info_t). */
export class FlowState {
  baseSet = false
  baseSeq = 0
  nextseq = 0
  nextseqtime = 0
  maxseqtobeacked = 0
  lastack = 0
  lastacktime = 0
  /** raw (unscaled) window of the last segment; -1 (a small integer for V8): none yet */
  window = -1
  /** -1 unknown, -2 not in use, else the shift */
  winScale = -1
  lastsegmentflags = 0
  dupacknum = 0

  /** Back to the values above (a pooled connection starts over: tracker.ts). */
  protected resetFlow(): void {
    this.baseSet = false
    this.baseSeq = 0
    this.nextseq = 0
    this.nextseqtime = 0
    this.maxseqtobeacked = 0
    this.lastack = 0
    this.lastacktime = 0
    this.window = -1
    this.winScale = -1
    this.lastsegmentflags = 0
    this.dupacknum = 0
  }
}

/** packet-tcp.c keeps time differences in an unsigned 64-bit: a negative one is never "within". */
const inWindow = (dt: number, limit: number): boolean => dt >= 0 && dt < limit
const GT = (a: number, b: number): boolean => ((a - b) | 0) > 0
const LT = (a: number, b: number): boolean => ((a - b) | 0) < 0
const LE = (a: number, b: number): boolean => ((a - b) | 0) <= 0

/** The analysis of one segment from fwd to rev. firstRtt: the handshake RTT in seconds (0: none yet). */
export function analyzeSegment(fwd: FlowState, rev: FlowState, d: Decoded, firstRtt: number): number {
  // read from the decoded packet (its number fields stay unboxed there: no allocation per packet)
  const seq = d.seq, ack = d.ack, seglen = d.seglen, flags = d.flags, window = d.window, ts = d.ts
  let a = 0
  const sfr = flags & (TH_SYN | TH_FIN | TH_RST)
  if (!fwd.baseSet) {
    fwd.baseSeq = flags & TH_SYN ? seq : (seq - 1) >>> 0
    fwd.baseSet = true
  }
  if (!rev.baseSet && flags & TH_ACK) {
    rev.baseSeq = (ack - 1) >>> 0
    rev.baseSet = true
  }
  check: {
    if (seglen === 1 && seq === fwd.nextseq && rev.window === 0) {
      a |= A_ZERO_WINDOW_PROBE
      break check
    }
    if (window === 0 && sfr === 0) a |= A_ZERO_WINDOW
    if (fwd.nextseq !== 0 && GT(seq, fwd.nextseq) && (flags & TH_RST) === 0) a |= A_LOST_SEGMENT
    if ((seglen === 0 || seglen === 1) && seq === ((fwd.nextseq - 1) >>> 0) && sfr === 0) a |= A_KEEP_ALIVE
    if (seglen === 0 && window !== 0 && window !== fwd.window && seq === fwd.nextseq && ack === fwd.lastack && sfr === 0) a |= A_WINDOW_UPDATE
    if (seglen > 0 && rev.winScale !== -1 && rev.window >= 0 && sfr === 0) {
      const shift = rev.winScale === -2 ? 0 : rev.winScale
      if (((seq + seglen) >>> 0) === ((rev.lastack + rev.window * 2 ** shift) % 4294967296)) a |= A_WINDOW_FULL
    }
    if (seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && rev.lastsegmentflags & A_KEEP_ALIVE && sfr === 0) {
      a |= A_KEEP_ALIVE_ACK
      break check
    }
    if (seglen === 0 && window === 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && rev.lastsegmentflags & A_ZERO_WINDOW_PROBE && sfr === 0) {
      a |= A_ZERO_WINDOW_PROBE_ACK
      break check
    }
    if (seglen === 0 && window !== 0 && window === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && sfr === 0) {
      fwd.dupacknum = fwd.dupacknum === -1 ? 1 : fwd.dupacknum + 1
      a |= A_DUPLICATE_ACK
    }
  }
  if (ack !== fwd.lastack) fwd.dupacknum = 0

  if (rev.maxseqtobeacked !== 0 && GT(ack, rev.maxseqtobeacked) && flags & TH_ACK) {
    if (rev.maxseqtobeacked > rev.nextseq) {
      rev.maxseqtobeacked = rev.nextseq
      a |= A_ACK_LOST_SEGMENT
    } else {
      if (rev.dupacknum === 0) a |= A_ACK_LOST_SEGMENT
      rev.dupacknum = -1
    }
  }

  const synfin = flags & (TH_SYN | TH_FIN)
  if ((seglen > 0 || synfin) && (a & A_KEEP_ALIVE) === 0) {
    let notAdvanced = fwd.nextseq !== 0 && LT(seq, fwd.nextseq)
    if (seglen > 1 && ((fwd.nextseq - 1) >>> 0) === seq) notAdvanced = false
    retr: {
      if (seglen > 0 && rev.lastack !== 0 && LE((seq + seglen) >>> 0, rev.lastack)) {
        a |= A_SPURIOUS_RETRANSMISSION | A_RETRANSMISSION // tshark marks both
        break retr
      }
      if (notAdvanced && rev.dupacknum >= 2 && rev.lastack === seq && inWindow(ts - rev.lastacktime, 0.02)) {
        a |= A_FAST_RETRANSMISSION | A_RETRANSMISSION
        break retr
      }
      const thres = firstRtt > 0 ? firstRtt : 0.003
      if (notAdvanced && inWindow(ts - fwd.nextseqtime, thres) && fwd.nextseq !== ((seq + seglen + (synfin ? 1 : 0)) >>> 0)) {
        a |= A_OUT_OF_ORDER
        break retr
      }
      if (notAdvanced) a |= A_RETRANSMISSION
    }
  }

  let nextseq = (seq + seglen) >>> 0
  if (seglen || synfin) {
    if (synfin) nextseq = (nextseq + 1) >>> 0
  }
  if (GT(nextseq, fwd.nextseq) || fwd.nextseq === 0) {
    if ((a & A_ZERO_WINDOW_PROBE) === 0) {
      fwd.nextseq = nextseq
      fwd.nextseqtime = ts
    }
  }
  if (seq === fwd.maxseqtobeacked || fwd.maxseqtobeacked === 0) {
    if ((a & A_ZERO_WINDOW_PROBE) === 0) fwd.maxseqtobeacked = fwd.nextseq
  }
  fwd.window = window
  fwd.lastack = ack
  fwd.lastacktime = ts
  fwd.lastsegmentflags = a
  return a
}

/** Flag combinations no conforming stack sends (SYN+FIN, SYN+RST, FIN without ACK, no flags at all). */
export function illegalFlags(flags: number): boolean {
  const f = flags & 0x3f
  if (f & TH_SYN && f & (TH_FIN | TH_RST)) return true
  if (f & TH_FIN && !(f & TH_ACK)) return true
  if (f === 0) return true
  return false
}
