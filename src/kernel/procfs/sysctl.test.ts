import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { TcpdoctorError } from '../../errors.js'
import { normalizeSysctlText, parsePortList, readSysctls, sysctlNumber, sysctlNumbers, tcpSysctls } from './sysctl.js'
import { retries2TimeoutMs, keepaliveDefaultMs } from '../sysctls.js'

const FIX = new URL('../../../test/fixtures/proc/', import.meta.url).pathname

describe('readSysctls', () => {
  it('reads every tcp_* key and the extras from the host fixture', () => {
    const s = readSysctls({ procRoot: `${FIX}host-6.18` })
    expect(s.kernel).toMatch(/^6\.18\./)
    expect(s.values['net.ipv4.tcp_mem']).toMatch(/^\d+ \d+ \d+$/)
    expect(s.values['net.ipv4.ip_local_port_range']).toBe('32768 60999')
    expect(s.values['net.core.somaxconn']).toBe('4096')
    // removed in 4.12: reported, not invented
    expect(s.missing['net.ipv4.tcp_tw_recycle']).toBe('absent')
    const t = tcpSysctls(s)
    expect(t).toMatchObject({ somaxconn: 4096, keepaliveTimeS: 7200, keepaliveIntvlS: 75, keepaliveProbes: 9, retries2: 15, localPortRange: [32768, 60999], localReservedPorts: [] })
    expect(t.tcpMem).toHaveLength(3)
    expect(t.tcpMaxOrphans).toBeGreaterThan(0)
  })
  it('says which keys are global when read inside a namespace', () => {
    const s = readSysctls({ procRoot: `${FIX}netns-6.18` })
    expect(s.values['net.ipv4.tcp_mem']).toBeUndefined()
    expect(s.missing['net.ipv4.tcp_mem']).toBe('global')
    expect(s.missing['net.ipv4.tcp_max_orphans']).toBe('global')
    expect(s.values['net.ipv4.tcp_fin_timeout']).toBe('60')
    expect(tcpSysctls(s).tcpMem).toBeUndefined()
  })
  it('reads the live /proc, and knows whether this is the initial namespace', () => {
    const s = readSysctls()
    expect(s.values['net.ipv4.tcp_syncookies']).toMatch(/^[012]$/)
    expect(typeof s.initialNetns).toBe('boolean')
  })
  it('a root without /proc/sys is TD_NOT_FOUND', () => {
    expect(() => readSysctls({ procRoot: '/nonexistent' })).toThrow(TcpdoctorError)
  })
})

describe('values', () => {
  it('folds whitespace and reads numbers', () => {
    expect(normalizeSysctlText('4096\t131072\t6291456\n')).toBe('4096 131072 6291456')
    expect(sysctlNumbers('4096 131072 6291456')).toEqual([4096, 131072, 6291456])
    expect(sysctlNumber('cubic')).toBeUndefined()
    expect(sysctlNumber('1 2')).toBeUndefined()
  })
  it('parses reserved port lists', () => {
    expect(parsePortList('8080,9000-9100')).toEqual([[8080, 8080], [9000, 9100]])
    expect(parsePortList('')).toEqual([])
    expect(() => parsePortList('9100-9000')).toThrow(/bad port range/)
  })
  it('property: any port list text is ranges or TD_PARSE', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        try {
          for (const [lo, hi] of parsePortList(s)) expect(lo <= hi && hi <= 65535).toBe(true)
        } catch (err) {
          expect((err as TcpdoctorError).code).toBe('TD_PARSE')
        }
      }),
    )
  })
  it('models tcp_retries2 as the kernel does (15 -> 924.6 s) and keepalive defaults (2 h 11 min 15 s)', () => {
    expect(retries2TimeoutMs(15)).toBe(924_600)
    expect(retries2TimeoutMs(8)).toBe(102_200)
    expect(retries2TimeoutMs(3)).toBe(3_000)
    expect(keepaliveDefaultMs({ keepaliveTimeS: 7200, keepaliveIntvlS: 75, keepaliveProbes: 9, rtoMinMs: 200, rtoMaxMs: 120000 })).toBe(7875_000)
  })
})
