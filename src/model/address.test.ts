import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatIPv4, formatIPv6, parseAddressBytes } from './address.js'

// Oracle: the WHATWG URL parser's IPv6 serializer (RFC 5952 compression), which Node implements.
const urlForm = (b: Uint8Array): string => new URL(`http://[${[...Array(8)].map((_, i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16)).join(':')}]/`).hostname.slice(1, -1)
const isMapped = (b: Uint8Array): boolean => b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff

describe('address text', () => {
  it('formats IPv6 as RFC 5952 (random addresses, URL parser as oracle)', () => {
    const words = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
    fc.assert(
      fc.property(words, (w) => {
        const b = new Uint8Array(16)
        w.forEach((x, i) => { b[2 * i] = x >> 8; b[2 * i + 1] = x & 0xff })
        if (isMapped(b)) return
        expect(formatIPv6(b, 0)).toBe(urlForm(b))
      }),
      { numRuns: 2000 },
    )
  })
  it('round-trips text -> bytes -> text for v4, v6 and v4-mapped', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (b, mapped) => {
        if (mapped) { b.fill(0, 0, 10); b[10] = 0xff; b[11] = 0xff }
        const text = formatIPv6(b, 0)
        expect([...parseAddressBytes(text)]).toEqual([...b])
        const v4 = formatIPv4(b, 12)
        expect([...parseAddressBytes(v4)]).toEqual([...b.subarray(12)])
      }),
      { numRuns: 2000 },
    )
  })
  it('prints IPv4-mapped addresses with a dotted quad, as ss does', () => {
    expect(formatIPv6(parseAddressBytes('::ffff:10.77.3.2'), 0)).toBe('::ffff:10.77.3.2')
    expect(formatIPv6(parseAddressBytes('::'), 0)).toBe('::')
    expect(formatIPv6(parseAddressBytes('fe80::1'), 0)).toBe('fe80::1')
  })
  it('rejects what is not an address', () => {
    expect(() => parseAddressBytes('10.0.0')).toThrow(/not an IP address/)
    expect(() => parseAddressBytes('example.com')).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
  })
})
