/**
 * @module
 * The live IPv4 conversations by 4-tuple, found from a packet in either direction. Open
 * addressing with linear probing over a plain array of the connections themselves: a packet's
 * lookup is one hash and a probe or two over adjacent slots (a Map keyed by a hash, each entry
 * a chain, took a hash-table walk per packet and a table entry per connection). Holds at most
 * one connection per 4-tuple (the tracker replaces an old conversation of the same ports).
 */

/** What the table reads of a conversation: its first sender's end, the other end, and its slot hash. */
export interface Tuple4 {
  aSrc4: number
  aPort: number
  dst4: number
  dstPort: number
  /** set by add(): the tuple's hash (kept to move it on removal and growth) */
  hash: number
}

/**
 * Symmetric in the two ends (xor), 30 bits (a small integer for V8). Mixed: a table keeps the
 * low bits, which a product alone takes from the inputs' low bits only (sequential addresses and
 * ports would cluster into long probe runs).
 */
export function tupleHash(s: number, t: number, sp: number, tp: number): number {
  let h = Math.imul(s ^ t, 0x9e3779b1) ^ Math.imul(sp ^ tp, 0x85ebca6b)
  h ^= h >>> 16
  h = Math.imul(h, 0x7feb352d)
  return (h ^ (h >>> 15)) & 0x3fffffff
}

export class FlowTable<T extends Tuple4> {
  private slots: (T | undefined)[]
  private mask: number
  private count = 0

  constructor(size = 1 << 12) {
    this.slots = new Array<T | undefined>(size).fill(undefined)
    this.mask = size - 1
  }

  /** The conversation of a packet from s:sp to t:tp (or the reverse), or undefined. */
  get(s: number, t: number, sp: number, tp: number): T | undefined {
    const slots = this.slots, mask = this.mask
    for (let i = tupleHash(s, t, sp, tp) & mask; ; i = (i + 1) & mask) {
      const c = slots[i]
      if (c === undefined) return undefined
      if ((c.aSrc4 === s && c.aPort === sp && c.dst4 === t && c.dstPort === tp) ||
          (c.aSrc4 === t && c.aPort === tp && c.dst4 === s && c.dstPort === sp)) return c
    }
  }

  /** Adds c, whose 4-tuple the table does not hold. */
  add(c: T): void {
    if ((this.count + 1) * 2 > this.slots.length) this.grow()
    c.hash = tupleHash(c.aSrc4, c.dst4, c.aPort, c.dstPort)
    this.place(c)
    this.count++
  }

  /** Removes c (when held): the slots after it move back so that no probe run is broken. */
  remove(c: T): void {
    const slots = this.slots, mask = this.mask
    let i = c.hash & mask
    while (slots[i] !== c) {
      if (slots[i] === undefined) return
      i = (i + 1) & mask
    }
    slots[i] = undefined
    this.count--
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const x = slots[j]
      if (x === undefined) return
      const home = x.hash & mask
      // x may fill the hole at i when its home is not in the cyclic range (i, j]
      const between = i <= j ? home > i && home <= j : home > i || home <= j
      if (!between) {
        slots[i] = x
        slots[j] = undefined
        i = j
      }
    }
  }

  private place(c: T): void {
    const slots = this.slots, mask = this.mask
    let i = c.hash & mask
    while (slots[i] !== undefined) i = (i + 1) & mask
    slots[i] = c
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Array<T | undefined>(old.length * 2).fill(undefined)
    this.mask = this.slots.length - 1
    for (const c of old) if (c !== undefined) this.place(c)
  }
}
