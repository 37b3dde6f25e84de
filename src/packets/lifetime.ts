/**
 * @module
 * When a tracked connection's state may be freed (the streaming path of `analyze`): tshark keeps
 * every conversation until the end of the file, so any later packet of the same 4-tuple can still
 * change a report. We wait, in capture time, until a later packet is very unlikely, and free the
 * state then. Memory is bounded by the connections open at once plus the CLOSED_MAX most recently
 * closed ones. A packet that still comes afterwards is counted as late (see RetiredTuples).
 */

/** A closed connection (RST, or both FINs ACKed) keeps its state this long after its last packet:
 * a FIN retransmitted after a lost last ACK (RTO >= 200 ms, doubling) or an RST answering data in
 * flight comes within seconds. The corpus has one 3.9 s after the close (an injected RST). */
export const CLOSED_LINGER = 10
/** At most this many closed connections linger; beyond it the longest quiet is freed first (a
 * busy server closes thousands a second: without a cap the linger alone would hold 10 s of them). */
export const CLOSED_MAX = 16_384
/** A handshake that never completed: Linux gives up a connect() after 127 s (tcp_syn_retries 6). */
export const HANDSHAKE_IDLE = 180
/** An established connection silent this long: tcp_keepalive_time 7200 s plus 9 probes 75 s apart,
 * when Linux declares a keepalive peer dead. Without keepalive a connection may idle longer. */
export const OPEN_IDLE = 7875

/** 0 closed, 1 handshake not completed, 2 established (or picked up mid-stream). */
export type Kind = 0 | 1 | 2

/** What a queued item carries itself (no allocation per packet). */
export interface Queued {
  lastTs: number
  /** the queue it is in (-1: none) and the number of its last touch (-1: none) */
  queue: number
  touchSeq: number
}

const IDLE = [CLOSED_LINGER, HANDSHAKE_IDLE, OPEN_IDLE] as const

/**
 * One queue, least recently touched first, as a log of touches: a touch appends (item, its
 * number) and the item's earlier entries go stale (their number is no longer its touchSeq), to
 * be skipped at the head and dropped when the log is compacted. So the live entries are each
 * item's last touch, in touch order: the same order as moving the item to the tail of a linked
 * list, without touching its neighbours' memory at every packet (the list's unlink was a tenth of
 * analyze's time on a capture of many interleaved connections).
 */
class TouchLog<T extends Queued> {
  private items: (T | undefined)[] = new Array<T | undefined>(1024).fill(undefined)
  private seqs = new Float64Array(1024)
  private start = 0
  private end = 0
  /** live entries (items in this queue) */
  size = 0

  constructor(private readonly k: number) {}

  private live(i: number): boolean {
    const x = this.items[i]!
    return x.queue === this.k && x.touchSeq === this.seqs[i]
  }

  /** The least recently touched item, or undefined. */
  head(): T | undefined {
    while (this.start < this.end) {
      if (this.live(this.start)) return this.items[this.start]
      this.items[this.start++] = undefined
    }
    return undefined
  }

  /** True when x's last touch is the newest entry (touching it again changes nothing). */
  isTail(x: T): boolean {
    return this.end > this.start && this.items[this.end - 1] === x && this.seqs[this.end - 1] === x.touchSeq
  }

  append(x: T): void {
    if (this.end === this.items.length) this.makeRoom()
    this.items[this.end] = x
    this.seqs[this.end++] = x.touchSeq
  }

  /** Compacts the live entries to the front; grows when more than half of them are live. */
  private makeRoom(): void {
    let n = 0
    for (let i = this.start; i < this.end; i++) {
      if (!this.live(i)) continue
      this.items[n] = this.items[i]
      this.seqs[n++] = this.seqs[i]!
    }
    this.items.fill(undefined, n, this.end)
    this.start = 0
    this.end = n
    if (n * 2 > this.items.length) {
      const items = new Array<T | undefined>(this.items.length * 2).fill(undefined)
      for (let i = 0; i < n; i++) items[i] = this.items[i]
      const seqs = new Float64Array(this.items.length * 2)
      seqs.set(this.seqs.subarray(0, n))
      this.items = items
      this.seqs = seqs
    }
  }
}

/** Live connections in three queues by kind, each least recently active first. */
export class Lifetimes<T extends Queued> {
  private readonly logs = [new TouchLog<T>(0), new TouchLog<T>(1), new TouchLog<T>(2)] as const
  /** numbers touches (touchSeq) */
  private touches = 0
  /** the latest capture time seen (timestamps can step back in merged captures) */
  private now = -Infinity
  /** connections whose state is held now, and the most held at once */
  held = 0
  maxHeld = 0

  /** A packet of capture time ts is coming: expired() answers for that moment. */
  advance(ts: number): void {
    if (ts > this.now) this.now = ts
  }

  /** x just had a packet (x.lastTs is its time) and is now of kind k. */
  touch(x: T, k: Kind): void {
    const log = this.logs[k]
    if (x.queue === k && log.isTail(x)) return
    if (x.queue >= 0) this.logs[x.queue]!.size--
    else if (++this.held > this.maxHeld) this.maxHeld = this.held
    x.queue = k
    x.touchSeq = this.touches++
    log.append(x)
    log.size++
  }

  /** A connection to free now (remove it with drop), or undefined. */
  expired(): T | undefined {
    const closed = this.logs[0].head()
    if (closed && (this.logs[0].size > CLOSED_MAX || this.now - closed.lastTs > CLOSED_LINGER)) return closed
    for (let k = 1; k < 3; k++) {
      const h = this.logs[k]!.head()
      if (h && this.now - h.lastTs > IDLE[k]!) return h
    }
    return undefined
  }

  /** Any live connection (at the end of the capture, to free them all), or undefined. */
  any(): T | undefined {
    return this.logs[0].head() ?? this.logs[1].head() ?? this.logs[2].head()
  }

  drop(x: T): void {
    if (x.queue < 0) return
    this.logs[x.queue]!.size--
    x.queue = -1
    x.touchSeq = -1
    this.held--
  }
}
