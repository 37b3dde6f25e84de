import { describe, expect, it } from 'vitest'
import { counterDelta, diffCounters, readCounters } from './counters.js'
import { globMatcher } from './catalog.js'

const HOST = new URL('../../test/fixtures/proc/host-6.18', import.meta.url).pathname

describe('diffCounters', () => {
  it('gives deltas and rates, no rate for gauges, a reset counter counts from 0', () => {
    const a = { monoMs: 0, counters: { TcpOutRsts: 10, TcpCurrEstab: 5, TcpInSegs: 1000, OnlyInA: 1 } }
    const b = { monoMs: 2000, counters: { TcpOutRsts: 30, TcpCurrEstab: 3, TcpInSegs: 7, OnlyInB: 1 } }
    expect(diffCounters(a, b)).toEqual([
      { name: 'TcpOutRsts', value: 30, delta: 20, rate: 10, gauge: false },
      { name: 'TcpCurrEstab', value: 3, delta: -2, rate: null, gauge: true },
      { name: 'TcpInSegs', value: 7, delta: 7, rate: 3.5, gauge: false },
    ])
    expect(counterDelta(a, b, 'TcpOutRsts')).toBe(20)
    expect(counterDelta(a, b, 'Nope')).toBe(0)
  })
  it('reads a fixture root into flat nstat names and sockstat', () => {
    const s = readCounters({ procRoot: HOST })
    expect(s.counters.TcpRtoMin).toBe(200)
    expect('TcpExtListenOverflows' in s.counters).toBe(true)
    expect('Ip6InReceives' in s.counters).toBe(true)
    expect(s.sockstat.socketsUsed).toBeGreaterThan(0)
  })
  it('matches nstat-style globs', () => {
    const m = globMatcher(['TcpExt*Listen*', 'Tcp?utRsts'])
    expect(['TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpOutRsts', 'TcpInSegs', 'TcpExtTCPFastOpenListenOverflow'].filter(m)).toEqual(['TcpExtListenOverflows', 'TcpExtListenDrops', 'TcpOutRsts', 'TcpExtTCPFastOpenListenOverflow'])
    expect(globMatcher([])('anything')).toBe(true)
  })
})
