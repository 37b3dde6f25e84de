/**
 * InOrder: texts put in any order come out in number order, the same whether they all wait in
 * memory or most of them go through the temporary file (a budget of a few bytes).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { InOrder } from './in-order.js'

const text = (n: number): string => `text ${n} ${'é'.repeat(n % 5)}` // some multi-byte UTF-8

function run(order: number[], budget: number): { out: string[]; spilled: number } {
  const out: string[] = []
  const q = new InOrder((t) => out.push(t), budget)
  for (const n of order) q.put(n, text(n))
  const spilled = q.spilled
  q.end(order.length)
  return { out, spilled }
}

describe('InOrder', () => {
  it('emits every permutation in order, in memory and through the file', () => {
    fc.assert(fc.property(fc.shuffledSubarray([...Array(300).keys()], { minLength: 300 }), fc.integer({ min: 1, max: 4000 }), (order, budget) => {
      const { out } = run(order, budget)
      expect(out).toEqual(order.map((_, n) => text(n)))
    }), { numRuns: 50 })
  })

  it('spills when the first text comes last and the budget is small', () => {
    const order = [...Array(5000).keys()].map((n) => (n + 1) % 5000)
    const { out, spilled } = run(order, 1000)
    expect(spilled).toBeGreaterThan(4000)
    expect(out).toEqual(order.map((_, n) => text(n)))
  })

  it('says when a number never came', () => {
    const q = new InOrder(() => {})
    q.put(1, 'x')
    expect(() => q.end(2)).toThrow(/never arrived/)
  })
})
