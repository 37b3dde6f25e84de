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

/** The links a queued item carries itself (no allocation per packet). */
export interface Queued<T> {
  lastTs: number
  older: T | undefined
  newer: T | undefined
  queue: number
}

const IDLE = [CLOSED_LINGER, HANDSHAKE_IDLE, OPEN_IDLE] as const

/** Live connections in three queues by kind, each least recently active first. */
export class Lifetimes<T extends Queued<T>> {
  private readonly heads: (T | undefined)[] = [undefined, undefined, undefined]
  private readonly tails: (T | undefined)[] = [undefined, undefined, undefined]
  private readonly sizes = [0, 0, 0]
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
    if (x.queue === k && this.tails[k] === x) return
    if (x.queue >= 0) this.unlink(x)
    else if (++this.held > this.maxHeld) this.maxHeld = this.held
    x.queue = k
    x.older = this.tails[k]
    x.newer = undefined
    if (this.tails[k]) this.tails[k]!.newer = x
    else this.heads[k] = x
    this.tails[k] = x
    this.sizes[k]!++
  }

  /** A connection to free now (remove it with drop), or undefined. */
  expired(): T | undefined {
    const closed = this.heads[0]
    if (closed && (this.sizes[0]! > CLOSED_MAX || this.now - closed.lastTs > CLOSED_LINGER)) return closed
    for (let k = 1; k < 3; k++) {
      const h = this.heads[k]
      if (h && this.now - h.lastTs > IDLE[k]!) return h
    }
    return undefined
  }

  /** Any live connection (at the end of the capture, to free them all), or undefined. */
  any(): T | undefined {
    return this.heads[0] ?? this.heads[1] ?? this.heads[2]
  }

  drop(x: T): void {
    if (x.queue < 0) return
    this.unlink(x)
    x.queue = -1
    this.held--
  }

  private unlink(x: T): void {
    const k = x.queue
    if (x.older) x.older.newer = x.newer
    else this.heads[k] = x.newer
    if (x.newer) x.newer.older = x.older
    else this.tails[k] = x.older
    x.older = x.newer = undefined
    this.sizes[k]!--
  }
}
