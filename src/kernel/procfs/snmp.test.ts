import { describe, expect, it } from 'vitest'
import { corpus, needCorpus } from '../../../test/helpers/corpus.js'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { TcpdoctorError } from '../../errors.js'
import { flattenMib, parseMibPairs, parseSnmp, parseSnmp6, readSnmp, readSnmp6 } from './snmp.js'
import { parseNetstat, readNetstat } from './netstat.js'

const noCorpus = needCorpus()

const CORPUS = corpus('node_exporter', 'proc', 'net')
const HOST = new URL('../../../test/fixtures/proc/host-6.18', import.meta.url).pathname

function expectParseError(fn: () => unknown): void {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TcpdoctorError)
    expect((err as TcpdoctorError).code).toBe('TD_PARSE')
    return
  }
}

describe('parseSnmp', () => {
  it.skipIf(noCorpus)('reads node_exporter\'s snmp fixture (same numbers as its e2e-output)', () => {
    const t = parseSnmp(readFileSync(`${CORPUS}/snmp`, 'latin1'))
    expect(t.Tcp).toMatchObject({ ActiveOpens: 3556, PassiveOpens: 230, AttemptFails: 341, EstabResets: 161, CurrEstab: 0, RetransSegs: 227, InErrs: 5, OutRsts: 1003, MaxConn: -1 })
    expect(t.Ip?.Forwarding).toBe(1)
    expect(Object.keys(t)).toEqual(['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite'])
  })

  it.skipIf(noCorpus)('reads node_exporter\'s netstat fixture', () => {
    const t = parseNetstat(readFileSync(`${CORPUS}/netstat`, 'latin1'))
    expect(t.TcpExt).toMatchObject({ SyncookiesFailed: 2, TW: 388812, ListenOverflows: 0, TCPTimeouts: 115, TCPRcvQDrop: 131, TCPTimeWaitOverflow: 0 })
    expect(t.IpExt?.InOctets).toBe(6286396970)
  })

  it('reads this machine\'s files (kernel 6.18) by procRoot', () => {
    const snmp = readSnmp({ procRoot: HOST })
    const netstat = readNetstat({ procRoot: HOST })
    expect(snmp.Tcp?.RtoMin).toBe(200)
    expect(Object.keys(netstat)).toEqual(expect.arrayContaining(['TcpExt', 'IpExt', 'MPTcpExt']))
    const flat = flattenMib({ ...snmp, ...netstat })
    expect(flat.has('TcpExtTCPReqQFullDoCookies')).toBe(true)
    expect(flat.has('TcpRetransSegs')).toBe(true)
  })

  it.skipIf(noCorpus)('reads /proc/<pid>/net of the procfs corpus', () => {
    const t = readNetstat({ procRoot: corpus('procfs', 'proc'), pid: 26231 })
    expect(t.TcpExt?.TW).toBe(83)
  })

  it('names the line of a mismatch', () => {
    expect(() => parseSnmp('Tcp: A B\nTcp: 1\n', 'f')).toThrow(/f:2: 2 names but 1 values in Tcp:/)
    expect(() => parseSnmp('Tcp: A B\nUdp: 1 2\n', 'f')).toThrow(/expected "Tcp:"/)
    expect(() => parseSnmp('Tcp: A\n', 'f')).toThrow(/header line without a value line/)
    expect(() => parseSnmp('', 'f')).toThrow(/no counters/)
    expect(() => parseSnmp('Tcp: A\nTcp: x\n', 'f')).toThrow(/bad value "x"/)
  })

  it('tolerates a trailing blank line and CRLF-free extra spaces', () => {
    expect(parseSnmp('Tcp:  A   B \nTcp: 1  2\n\n')).toEqual({ Tcp: { A: 1, B: 2 } })
  })
})

describe('parseSnmp6', () => {
  it.skipIf(noCorpus)('splits names into nstat groups', () => {
    const t = parseSnmp6(readFileSync(`${CORPUS}/snmp6`, 'latin1'))
    expect(t.Ip6?.InReceives).toBe(7)
    expect(t.Ip6?.OutNoRoutes).toBe(3003)
    expect(Object.keys(t)).toEqual(expect.arrayContaining(['Ip6', 'Icmp6', 'Udp6', 'UdpLite6']))
    expect(flattenMib(t).get('Ip6InReceives')).toBe(7)
  })
  it.skipIf(noCorpus)('reads this machine\'s snmp6; an absent file is empty', () => {
    expect(readSnmp6({ procRoot: HOST }).Icmp6).toBeDefined()
    expect(readSnmp6({ procRoot: '/nonexistent' })).toEqual({})
  })
})

describe('property: random or cut input is TD_PARSE or a table, never a crash or hang', () => {
  const real = readFileSync(`${CORPUS}/netstat`, 'latin1') + readFileSync(`${CORPUS}/snmp`, 'latin1')
  it('truncated real files', () => {
    fc.assert(
      fc.property(fc.nat(real.length), (n) => {
        expectParseError(() => parseMibPairs(real.slice(0, n), 'cut'))
      }),
      { numRuns: 500 },
    )
  })
  it('random text and random mutations', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.nat(real.length), fc.string({ maxLength: 8 }), (junk, at, insert) => {
        expectParseError(() => parseMibPairs(junk, 'junk'))
        expectParseError(() => parseMibPairs(real.slice(0, at) + insert + real.slice(at), 'mut'))
        expectParseError(() => parseSnmp6(junk, 'junk6'))
      }),
      { numRuns: 500 },
    )
  })
})
