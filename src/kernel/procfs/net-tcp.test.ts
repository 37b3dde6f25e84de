import { describe, expect, it } from 'vitest'
import { corpus, needCorpus } from '../../../test/helpers/corpus.js'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { parseProcNetTcp } from './net-tcp.js'
import { TcpdoctorError } from '../../errors.js'
import { formatEndpoint } from '../../model/endpoint-text.js'
import { ssName } from '../../model/state.js'

const noCorpus = needCorpus()

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/proc-planted/${name}`, import.meta.url), 'utf8')
const corpusNet = corpus('procfs', 'proc', 'net')

describe('parseProcNetTcp', () => {
  it('reads the planted namespace exactly as ss saw it (captured text, see CAPTION.md)', () => {
    const rows = [...parseProcNetTcp(fixture('tcp'), 'inet'), ...parseProcNetTcp(fixture('tcp6'), 'inet6')]
    const ours = rows.map((s) => `${ssName(s.state)} ${formatEndpoint(s.local, s.family)} ${formatEndpoint(s.remote, s.family)}`).sort()
    const ss = fixture('ss-tanH.txt').trim().split('\n').map((l) => { const f = l.trim().split(/\s+/); return `${f[0]} ${f[3]} ${f[4]}` }).sort()
    expect(ours).toEqual(ss)
  })
  it.skipIf(noCorpus)('decodes LISTEN queue, uid, inode and the TIME_WAIT timer', () => {
    const rows = parseProcNetTcp(fixture('tcp'), 'inet')
    const listen = rows.find((s) => s.state === 'LISTEN' && s.local.port === 9101)!
    expect(listen.inode).toBeGreaterThan(0)
    expect(listen.local.address).toBe('127.0.0.1')
    const tw = rows.find((s) => s.state === 'TIME_WAIT')!
    expect(tw.inode).toBe(0)
    expect(tw.timer?.name).toBe('timewait')
  })
  it.skipIf(noCorpus)('reads the prometheus/procfs tcp and tcp6 fixtures', () => {
    let text: string
    try { text = readFileSync(`${corpusNet}/tcp`, 'utf8') } catch { return expect.fail(`corpusNet missing at ${corpusNet}`) }
    const v4 = parseProcNetTcp(text, 'inet')
    expect(v4.length).toBeGreaterThan(0)
    const v6 = parseProcNetTcp(readFileSync(`${corpusNet}/tcp6`, 'utf8'), 'inet6')
    expect(v6.length).toBeGreaterThan(0)
  })
  // The bad-line table of prometheus/procfs net_ip_socket_test.go, plus our own.
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
  const good = '   0: 0100007F:2390 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7424 1 0000000000000000 100 0 0 10 0'
  it.each([
    ['fewer than 10 fields', '   0: 0100007F:2390 00000000:0000 0A 00000000:00000000'],
    ['a: slot', good.replace('0:', 'a:')],
    ['letter O in the address', good.replace('0100007F', '0100007O')],
    ['missing colon in tx:rx', good.replace('00000000:00000000', '0000000000000000')],
    ['DEADCODE queue is fine hex, but a bad one is not', good.replace('00000000:00000000', 'XEADCODE:00000000')],
    ['negative uid', good.replace('     0        0 7424', '    -10        0 7424')],
    ['negative inode', good.replace(' 7424 ', ' -39309 ')],
    ['short IPv4 address', good.replace('0100007F:2390', '100007F:2390')],
  ])('rejects %s with TD_PARSE naming the line', (_name, line) => {
    expect(() => parseProcNetTcp(header + line + '\n', 'inet', '/proc/net/tcp')).toThrow(expect.objectContaining({ code: 'TD_PARSE', message: expect.stringContaining('/proc/net/tcp:2') }))
  })
  it('accepts header only and trailing blank lines', () => {
    expect(parseProcNetTcp(header, 'inet')).toEqual([])
    expect(parseProcNetTcp(header + good + '\n\n\n', 'inet')).toHaveLength(1)
  })
  it('rejects a file that is not /proc/net/tcp', () => {
    expect(() => parseProcNetTcp('hello\n', 'inet')).toThrow(expect.objectContaining({ code: 'TD_PARSE' }))
  })
  it('never crashes on random or truncated text: a coded error or sockets', () => {
    const text = fixture('tcp')
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 }))), (cut, flips) => {
        const chars = text.slice(0, cut).split('')
        for (const [pos, ch] of flips) if (chars.length) chars[pos % chars.length] = ch
        try {
          const rows = parseProcNetTcp(chars.join(''), 'inet')
          for (const r of rows) expect(r.local.port).toBeLessThanOrEqual(65535)
        } catch (err) {
          expect(err).toBeInstanceOf(TcpdoctorError)
          expect((err as TcpdoctorError).code).toBe('TD_PARSE')
        }
      }),
      { numRuns: 3000 },
    )
  })
})
