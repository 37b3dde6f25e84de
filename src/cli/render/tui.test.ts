import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import stringWidth from 'string-width'
import { fitLine, gauge, sparkline } from './tui.js'

describe('tui helpers', () => {
  it('fitLine never exceeds the width, keeps a fitting line as is, and never splits a wide character', () => {
    const piece = fc.oneof(fc.string(), fc.constantFrom('已建立', '\x1b[31m', '\x1b[0m', '█', 'é', '😀'))
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), fc.integer({ min: 0, max: 40 }), (parts, width) => {
        const text = parts.join('')
        const cut = fitLine(text, width)
        expect(stringWidth(cut)).toBeLessThanOrEqual(width)
        if (stringWidth(text) <= width) expect(cut).toBe(text)
      }),
    )
  })

  it('sparkline scales to the largest value and pads to the width', () => {
    expect(sparkline([0, 1, 2, 4, 8], 5)).toBe('▁▂▃▅█')
    expect(sparkline([0, 0], 4)).toBe('  ▁▁')
    expect(sparkline([3, 3, 3, 3, 3, 3], 3)).toBe('███')
  })

  it('gauge fills to used/total, capped at full', () => {
    expect(gauge(0, 64, 4)).toBe('░░░░')
    expect(gauge(5, 4, 4)).toBe('████')
    expect(gauge(2, 4, 4)).toBe('██░░')
    expect(gauge(3, 0, 2)).toBe('░░')
  })
})
