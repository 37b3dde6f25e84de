/**
 * FlowTable against a Map model: any sequence of adds and removes (with few distinct addresses
 * and ports, so probe runs overlap and wrap around) leaves every held tuple found from both
 * directions and no removed one.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { FlowTable, type Tuple4 } from './flow-table.js'

const key = (t: Tuple4): string => `${t.aSrc4}:${t.aPort}-${t.dst4}:${t.dstPort}`

describe('FlowTable', () => {
  it('finds what it holds from either end, after any adds and removes', () => {
    const op = fc.record({ add: fc.boolean(), s: fc.integer({ min: 0, max: 5 }), t: fc.integer({ min: 0, max: 5 }), sp: fc.integer({ min: 0, max: 3 }), tp: fc.integer({ min: 0, max: 3 }) })
    fc.assert(fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const table = new FlowTable<Tuple4>(4)
      const model = new Map<string, Tuple4>()
      for (const o of ops) {
        const fwd = key({ aSrc4: o.s, aPort: o.sp, dst4: o.t, dstPort: o.tp, hash: 0 })
        const rev = key({ aSrc4: o.t, aPort: o.tp, dst4: o.s, dstPort: o.sp, hash: 0 })
        const held = model.get(fwd) ?? model.get(rev)
        if (o.add && !held) {
          const c = { aSrc4: o.s, aPort: o.sp, dst4: o.t, dstPort: o.tp, hash: 0 }
          table.add(c)
          model.set(fwd, c)
        } else if (!o.add && held) {
          table.remove(held)
          model.delete(key(held))
        }
        for (const c of model.values()) {
          expect(table.get(c.aSrc4, c.dst4, c.aPort, c.dstPort)).toBe(c)
          expect(table.get(c.dst4, c.aSrc4, c.dstPort, c.aPort)).toBe(c)
        }
        expect(table.get(o.s, o.t, o.sp, o.tp)).toBe(model.get(fwd) ?? model.get(rev))
      }
    }), { numRuns: 200 })
  })
})
