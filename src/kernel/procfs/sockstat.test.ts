import { describe, expect, it } from 'vitest'
import { corpus, needCorpus } from '../../../test/helpers/corpus.js'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { TcpdoctorError } from '../../errors.js'
import { parseSockstat, readSockstat, readSockstat6, tcpSockstat } from './sockstat.js'

const noCorpus = needCorpus()

const HOST = new URL('../../../test/fixtures/proc/host-6.18', import.meta.url).pathname

describe('parseSockstat', () => {
  it.skipIf(noCorpus)('reads the node_exporter and procfs fixtures', () => {
    const ne = parseSockstat(readFileSync(corpus('node_exporter', 'proc', 'net', 'sockstat'), 'latin1'))
    const ne6 = parseSockstat(readFileSync(corpus('node_exporter', 'proc', 'net', 'sockstat6'), 'latin1'))
    expect(tcpSockstat(ne, ne6)).toEqual({ socketsUsed: 229, inuse: 4, inuse6: 17, orphan: 0, tw: 4, alloc: 17, memPages: 1 })
    expect(ne.FRAG).toEqual({ inuse: 0, memory: 0 })
    const pf = readSockstat({ procRoot: corpus('procfs', 'proc') })
    expect(pf.TCP).toEqual({ inuse: 35, orphan: 0, tw: 4, alloc: 59, mem: 22 })
    expect(pf.UDP).toEqual({ inuse: 12, mem: 62 })
  })
  it('reads this machine\'s files', () => {
    const s = tcpSockstat(readSockstat({ procRoot: HOST }), readSockstat6({ procRoot: HOST }))
    expect(s.socketsUsed).toBeGreaterThan(0)
    expect(readSockstat6({ procRoot: '/nonexistent' })).toEqual({})
  })
  it('names the bad line', () => {
    expect(() => parseSockstat('TCP: inuse\n', 'f')).toThrow(/f:1: expected key value pairs/)
    expect(() => parseSockstat('TCP: inuse x\n', 'f')).toThrow(/bad pair/)
    expect(() => parseSockstat('\n', 'f')).toThrow(/empty/)
    expect(() => parseSockstat('tcp inuse 1\n', 'f')).toThrow(/expected "PROTO:"/)
  })
  it.skipIf(noCorpus)('property: random or cut input is TD_PARSE, never a crash', () => {
    const real = readFileSync(corpus('procfs', 'proc', 'net', 'sockstat'), 'latin1')
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.nat(real.length), (junk, n) => {
        for (const text of [junk, real.slice(0, n)]) {
          try {
            parseSockstat(text)
          } catch (err) {
            expect(err).toBeInstanceOf(TcpdoctorError)
            expect((err as TcpdoctorError).code).toBe('TD_PARSE')
          }
        }
      }),
      { numRuns: 500 },
    )
  })
})
