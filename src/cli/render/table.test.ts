import { describe, expect, it } from 'vitest'
import stringWidth from 'string-width'
import fc from 'fast-check'
import { displayWidth, formatTable } from './table.js'

describe('table rendering', () => {
  it('measures like string-width on ASCII, CJK, box drawing and colour codes', () => {
    for (const s of ['LISTEN', '关闭等待', 'CLOSE-WAIT 关闭等待', '┌─┐│└┘', '█████', '\x1b[1mbold\x1b[22m', '状态: 监听', 'ｆｕｌｌ']) expect(displayWidth(s)).toBe(stringWidth(s))
    const cjk = fc.string({ unit: fc.integer({ min: 0x4e00, max: 0x9fff }).map((c) => String.fromCodePoint(c)) })
    fc.assert(fc.property(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) }), cjk, (a, b) => { expect(displayWidth(a + b)).toBe(stringWidth(a + b)) }), { numRuns: 1000 })
  })
  it('aligns Chinese headers and cells by display width', () => {
    const out = formatTable([{ header: '状态' }, { header: '数量', align: 'right' }], [['监听', '3'], ['ESTAB', '12']]).split('\n')
    expect(out.map(displayWidth)).toEqual([11, 11, 11])
    expect(out[1]).toBe('监听      3')
  })
})
