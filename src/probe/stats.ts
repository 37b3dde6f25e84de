/**
 * @module
 * Statistics of round-trip times and loss, as ping, mtr and pathping compute them. Pure.
 */

export interface RttSummary {
  min: number
  avg: number
  max: number
  /** iputils ping's mdev: sqrt(mean(x²) − mean(x)²), the population standard deviation */
  mdev: number
  /** mean absolute difference between consecutive RTTs (mtr's Javg, RFC 3550's idea without smoothing) */
  jitter: number
}

const r3 = (x: number): number => Math.round(x * 1000) / 1000

/** ping's summary of RTTs in ms (in the order they were measured); null when there are none. */
export function summarize(rtts: readonly number[]): RttSummary | null {
  if (rtts.length === 0) return null
  let sum = 0
  let sum2 = 0
  let min = Infinity
  let max = -Infinity
  let jit = 0
  for (let i = 0; i < rtts.length; i++) {
    const x = rtts[i]!
    sum += x
    sum2 += x * x
    if (x < min) min = x
    if (x > max) max = x
    if (i > 0) jit += Math.abs(x - rtts[i - 1]!)
  }
  const n = rtts.length
  const avg = sum / n
  const mdev = Math.sqrt(Math.max(0, sum2 / n - avg * avg))
  return { min: r3(min), avg: r3(avg), max: r3(max), mdev: r3(mdev), jitter: r3(n > 1 ? jit / (n - 1) : 0) }
}

export interface HopRtt {
  last: number
  avg: number
  best: number
  worst: number
  /** sample standard deviation (n − 1), as mtr's StDev */
  stdev: number
  jitter: number
}

/** mtr's per-hop columns from RTTs in ms in measurement order; null when none came back. */
export function hopStats(rtts: readonly number[]): HopRtt | null {
  const s = summarize(rtts)
  if (!s) return null
  const n = rtts.length
  let ss = 0
  for (const x of rtts) ss += (x - s.avg) ** 2
  return { last: r3(rtts[n - 1]!), avg: s.avg, best: s.min, worst: s.max, stdev: r3(n > 1 ? Math.sqrt(ss / (n - 1)) : 0), jitter: s.jitter }
}

/** Loss in percent (0..100, one decimal) of sent probes that got no answer. */
export function lossPct(sent: number, received: number): number {
  if (sent <= 0) return 0
  return Math.round((1000 * (sent - Math.min(received, sent))) / sent) / 10
}

/**
 * pathping's split of loss into the hop itself and the link before it. A router that drops its
 * own ICMP answers (rate limits, policy) shows loss that later hops do not: that loss is the
 * node's, not the path's. Loss that persists to every later hop is forwarding loss; the link
 * (i−1 → i) gets the forwarding loss that first appears at hop i. Input: loss fraction per hop
 * (null: no probe answered and none was sent). Output in percent.
 */
export function linkLoss(loss: readonly (number | null)[]): { node: number; link: number }[] {
  const n = loss.length
  // forwarding loss at hop i: the smallest loss seen at i or beyond (what the path really lost)
  const fwd = new Array<number>(n).fill(0)
  let running = Infinity
  for (let i = n - 1; i >= 0; i--) {
    const l = loss[i]
    if (l !== null && l !== undefined) running = Math.min(running, l)
    fwd[i] = running === Infinity ? 1 : running
  }
  return loss.map((l, i) => {
    const f = fwd[i]!
    const prev = i === 0 ? 0 : fwd[i - 1]!
    // survival ratio: of what reached hop i−1, the share lost on the link to hop i
    const link = prev >= 1 ? 0 : Math.max(0, 1 - (1 - f) / (1 - prev))
    const node = l === null || l === undefined ? 0 : Math.max(0, l - f)
    return { node: Math.round(node * 1000) / 10, link: Math.round(link * 1000) / 10 }
  })
}

/**
 * The initial TTL a reply most likely started with (the smallest common default, 32, 64, 128
 * or 255, that is not below it) and the hop count that implies. A guess: the sender's default
 * may be anything, and the reply's path back need not be the path there.
 */
export function estimateHops(ttl: number): { initial: number; hops: number } | null {
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 255) return null
  const initial = [32, 64, 128, 255].find((x) => x >= ttl)!
  return { initial, hops: initial - ttl + 1 }
}
