/**
 * @module
 * The report's totals, added up connection by connection in whatever order connections finish
 * (the streaming path frees them out of tcp.stream order), and listed as if added in stream
 * order: a key comes where its first connection puts it, so both paths print the same text.
 */
import { ANOMALY_KINDS, type AnomalyKind } from './analysis.js'
import { ipv4Text } from './decode.js'
import type { Connection, Outcome } from './connection.js'

const KINDS = ANOMALY_KINDS.length

/** Anomaly counts over all packets and connections per outcome. */
export class Totals {
  private readonly counts = new Float64Array(KINDS)
  private readonly first = new Float64Array(KINDS).fill(Infinity)
  private readonly outcomeCount = new Map<Outcome, number>()
  private readonly outcomeFirst = new Map<Outcome, number>()

  add(c: Connection): void {
    const an = c.anomalies
    if (an) {
      for (let i = 0; i < KINDS; i++) {
        if (!an[i]) continue
        this.counts[i]! += an[i]!
        if (c.stream < this.first[i]!) this.first[i] = c.stream
      }
    }
    const o = c.outcome
    this.outcomeCount.set(o, (this.outcomeCount.get(o) ?? 0) + 1)
    if (!(this.outcomeFirst.get(o)! <= c.stream)) this.outcomeFirst.set(o, c.stream)
  }

  get anomalies(): Partial<Record<AnomalyKind, number>> {
    const seen = ANOMALY_KINDS.map((k, i) => ({ k, i })).filter(({ i }) => this.counts[i])
    seen.sort((x, y) => this.first[x.i]! - this.first[y.i]! || x.i - y.i)
    return Object.fromEntries(seen.map(({ k, i }) => [k, this.counts[i]!]))
  }

  get outcomes(): Partial<Record<Outcome, number>> {
    const seen = [...this.outcomeCount.keys()].sort((x, y) => this.outcomeFirst.get(x)! - this.outcomeFirst.get(y)!)
    return Object.fromEntries(seen.map((o) => [o, this.outcomeCount.get(o)!]))
  }
}

/**
 * Payload bytes sent per address, for "top talkers". Exact, so it holds one entry per address
 * (about 40 bytes: a Map slot and two numbers); ties rank as in stream order (client first).
 */
export class Talkers {
  private readonly index = new Map<number | string, number>()
  private bytes = new Float64Array(1024)
  private first = new Float64Array(1024)

  add(c: Connection): void {
    this.credit(c.cAddr, c.client.bytes, c.stream * 2)
    this.credit(c.sAddr, c.server.bytes, c.stream * 2 + 1)
  }

  private credit(addr: number | string, n: number, order: number): void {
    let i = this.index.get(addr)
    if (i === undefined) {
      i = this.index.size
      if (i === this.bytes.length) {
        const grow = (a: Float64Array): Float64Array<ArrayBuffer> => { const b = new Float64Array(a.length * 2); b.set(a); return b }
        this.bytes = grow(this.bytes)
        this.first = grow(this.first)
      }
      this.index.set(addr, i)
      this.first[i] = order
    } else if (order < this.first[i]!) this.first[i] = order
    this.bytes[i]! += n
  }

  /** The n addresses that sent the most (none that sent nothing), as [address text, bytes]. */
  top(n: number): [string, number][] {
    const best: [number | string, number, number][] = []
    for (const [addr, i] of this.index) {
      const b = this.bytes[i]!, f = this.first[i]!
      if (b <= 0) continue
      if (best.length === n) {
        const last = best[n - 1]!
        if (b < last[1] || (b === last[1] && f > last[2])) continue
        best.pop()
      }
      best.push([addr, b, f])
      best.sort((x, y) => y[1] - x[1] || x[2] - y[2])
    }
    return best.map(([a, b]) => [typeof a === 'number' ? ipv4Text(a) : a, b])
  }
}
