import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { parseFilter, tokenize } from './parse.js'
import { matchFilter } from './match.js'
import { compileBytecode, runBytecode } from './compile.js'
import { TcpdoctorError } from '../errors.js'
import type { Socket } from '../model/socket.js'
import { parseAddressBytes } from '../model/address.js'
import type { FilterNode } from './types.js'

const sock = (family: 'inet' | 'inet6', la: string, lp: number, ra: string, rp: number): Socket => ({
  family, state: 'ESTABLISHED', local: { address: la, port: lp }, remote: { address: ra, port: rp }, recvQ: 0, sendQ: 0, uid: 0, inode: 1, cookie: '1', ifindex: 0,
})

describe('ss filter parser', () => {
  it('reads states, groups and exclude before the expression', () => {
    expect(parseFilter(['state', 'established']).states).toEqual(['ESTABLISHED'])
    expect(parseFilter(['state', 'time-wait', 'state', 'close_wait']).states).toEqual(['TIME_WAIT', 'CLOSE_WAIT'])
    expect(parseFilter(['exclude', 'listening']).states).not.toContain('LISTEN')
    expect(parseFilter(['state', 'connected']).states).toEqual(expect.arrayContaining(['ESTABLISHED', 'SYN_SENT', 'CLOSE_WAIT']))
    expect(parseFilter(['state', 'connected']).states).not.toContain('LISTEN')
  })
  it('takes a quoted expression as one word and detaches parentheses', () => {
    expect(tokenize(["( dport = :ssh or sport = :80)"])).toEqual(['(', 'dport', '=', ':ssh', 'or', 'sport', '=', ':80', ')'])
    expect(tokenize(['dst', '[::1]:80'])).toEqual(['dst', '[::1]:80'])
  })
  it('binds and/or left to right as ss does', () => {
    const f = parseFilter(['sport = :1 or sport = :2 and dport = :3'])
    expect(f.expr!.kind).toBe('and')
    expect(matchFilter(f.expr!, sock('inet', '1.1.1.1', 1, '2.2.2.2', 9))).toBe(false) // (s1 or s2) and d3
  })
  it('reads ss operators and their word forms', () => {
    for (const op of ['=', '==', 'eq', '!=', 'ne', 'neq', '<', 'lt', '>', 'gt', '<=', 'le', 'leq', '>=', 'ge', 'geq']) {
      expect(() => parseFilter([`sport ${op} :80`])).not.toThrow()
    }
  })
  it.each([
    ['sport =', /needs a port/],
    ['sport = :70000', /above 65535/],
    ['dst 300.1.1.1', /inet prefix is expected/],
    ['dst example.com', /host names are not resolved/],
    ['( sport = :80', /missing \)/],
    ['sport = :80 )', /unexpected/],
    ['state bogus', /unknown TCP state/],
    ['dst 10.0.0.0/33', /bad prefix length/],
    ['dport = :nosuchservice-xyz', /unknown port or service/],
    ['src > 10.0.0.1', /takes = or !=/],
    ['dev eth0', /not supported/],
  ])('rejects %s with TD_FILTER_SYNTAX', (text, re) => {
    expect(() => parseFilter([text])).toThrow(expect.objectContaining({ code: 'TD_FILTER_SYNTAX', message: expect.stringMatching(re) }))
  })
  it('understands CIDR, short prefixes, ports on hosts and IPv4-mapped sockets', () => {
    const m = (expr: string, s: Socket): boolean => matchFilter(parseFilter([expr]).expr!, s)
    expect(m('src 10/8', sock('inet', '10.1.2.3', 5, '1.1.1.1', 80))).toBe(true)
    expect(m('src 192.168/16', sock('inet', '192.169.0.1', 5, '1.1.1.1', 80))).toBe(false)
    expect(m('dst 1.1.1.1:80', sock('inet', '10.1.2.3', 5, '1.1.1.1', 80))).toBe(true)
    expect(m('dst 1.1.1.1:81', sock('inet', '10.1.2.3', 5, '1.1.1.1', 80))).toBe(false)
    expect(m('src 10.77.3.2', sock('inet6', '::ffff:10.77.3.2', 5, '::', 0))).toBe(true)
    expect(m('src [::1]', sock('inet', '127.0.0.1', 5, '::', 0))).toBe(false)
    expect(m('dst *:80', sock('inet6', '::1', 5, '::1', 80))).toBe(true)
    expect(m('dport = :http', sock('inet', '10.1.2.3', 5, '1.1.1.1', 80))).toBe(true)
  })
  it('never crashes on random words: a filter or TD_FILTER_SYNTAX', () => {
    const word = fc.oneof(
      fc.constantFrom('(', ')', 'and', 'or', 'not', '!', 'sport', 'dport', 'src', 'dst', '=', '!=', '<', '>=', 'state', 'exclude', 'established', ':80', '10.0.0.0/8', '[::1]:22', '*', ':'),
      fc.string({ maxLength: 6 }),
    )
    fc.assert(fc.property(fc.array(word, { maxLength: 30 }), (words) => {
      try { parseFilter(words) } catch (err) {
        expect(err).toBeInstanceOf(TcpdoctorError)
        expect((err as TcpdoctorError).code).toBe('TD_FILTER_SYNTAX')
      }
    }), { numRuns: 5000 })
  })
  it('refuses absurd nesting instead of overflowing the stack', () => {
    expect(() => parseFilter(['( '.repeat(5000) + 'sport = :1' + ' )'.repeat(5000)])).toThrow(expect.objectContaining({ code: 'TD_FILTER_SYNTAX' }))
  })
})

// Random expressions and sockets: the bytecode, run as the kernel runs it, must agree with match.ts.
const portArb = fc.integer({ min: 0, max: 65535 })
const v4 = fc.constantFrom('127.0.0.1', '10.0.0.1', '10.1.2.3', '192.168.1.1', '0.0.0.0')
const v6 = fc.constantFrom('::1', 'fd00::1', 'fd00::2:1', '::', '::ffff:10.0.0.1', '::ffff:127.0.0.1')
const nodeArb: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('port' as const), side: fc.constantFrom('sport' as const, 'dport' as const), op: fc.constantFrom('=' as const, '!=' as const, '<' as const, '>' as const, '<=' as const, '>=' as const), port: fc.constantFrom(0, 22, 80, 1024, 40000, 65535) }),
    fc.tuple(fc.constantFrom('src' as const, 'dst' as const), fc.constantFrom('=' as const, '!=' as const), fc.oneof(
      fc.tuple(fc.constantFrom('10.0.0.0', '127.0.0.1', '10.1.2.3'), fc.integer({ min: 0, max: 32 }), fc.option(fc.constantFrom(22, 80, 40000), { nil: undefined })).map(([a, p, port]) => ({ family: 'inet' as const, address: parseAddressBytes(a), prefixLength: p, port })),
      fc.tuple(fc.constantFrom('fd00::', '::1', 'fd00::2:1'), fc.integer({ min: 0, max: 128 }), fc.option(fc.constantFrom(22, 80), { nil: undefined })).map(([a, p, port]) => ({ family: 'inet6' as const, address: parseAddressBytes(a), prefixLength: p, port })),
      fc.option(fc.constantFrom(22, 80), { nil: undefined }).map((port) => ({ family: undefined, address: undefined, prefixLength: 0, port })),
    )).map(([side, op, host]) => ({ kind: 'host' as const, side, op, host })),
    tie('node').map((expr) => ({ kind: 'not' as const, expr })),
    fc.tuple(tie('node'), tie('node')).map(([left, right]) => ({ kind: 'and' as const, left, right })),
    fc.tuple(tie('node'), tie('node')).map(([left, right]) => ({ kind: 'or' as const, left, right })),
  ),
})).node

describe('bytecode compiler', () => {
  it('agrees with the userspace matcher on random expressions and sockets', () => {
    const sockArb = fc.oneof(
      fc.tuple(v4, portArb, v4, portArb).map(([a, p, b, q]) => sock('inet', a, p, b, q)),
      fc.tuple(v6, portArb, v6, portArb).map(([a, p, b, q]) => sock('inet6', a, p, b, q)),
    )
    fc.assert(fc.property(nodeArb, fc.array(sockArb, { minLength: 1, maxLength: 8 }), (expr, socks) => {
      const bc = compileBytecode(expr)
      if (!bc) return
      for (const s of socks) {
        const fields = { family: s.family, sport: s.local.port, dport: s.remote.port, src: parseAddressBytes(s.local.address), dst: parseAddressBytes(s.remote.address) }
        expect(runBytecode(bc, fields)).toBe(matchFilter(expr, s))
      }
    }), { numRuns: 3000 })
  })
})
