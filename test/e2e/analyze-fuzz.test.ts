/**
 * Fuzzing the capture reader, the decoders and the tracker (fast-check): every prefix of real
 * corpus captures, random byte flips, random garbage and hostile length fields give a report or
 * a TD_PCAP_FORMAT error, never another exception, a hang or a huge allocation.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCapture } from '../../src/packets/reader.js'
import { decodePacket, newDecoded } from '../../src/packets/decode.js'
import { Tracker } from '../../src/packets/tracker.js'
import { analyzePcap } from '../../src/packets/analyze.js'
import { TcpdoctorError } from '../../src/errors.js'
import { CORPUS, needCorpus } from '../helpers/corpus.js'

/**
 * The whole pipeline over bytes in memory, through the tracker that keeps everything and the one
 * that frees finished connections: every TCP packet the first puts in a connection, the second
 * puts in one too or counts as late (a packet after its connection's report was final: on a
 * flipped timestamp 180 s pass inside a handshake, and the streaming path closes it, by design,
 * see docs/commands/analyze.md); with no late packet they number the same connections. Returns
 * the packet count or the error code.
 */
function pipeline(bytes: Uint8Array): number | string {
  const d = newDecoded()
  const tracker = new Tracker()
  let freed = 0
  let freedPackets = 0
  const streaming = new Tracker(-1, (c) => { freed++; freedPackets += c.a.packets + c.b.packets; void c.outcome })
  let n = 0
  try {
    parseCapture(bytes, (buf, off, cap, _orig, ts, lt) => {
      n++
      expect(off + cap).toBeLessThanOrEqual(buf.length)
      if (decodePacket(buf, off, cap, lt, d) === 'tcp') {
        tracker.add(d, n, ts)
        streaming.add(d, n, ts)
      }
    })
    for (const c of tracker.connections) void c.outcome
    streaming.finish()
    const kept = tracker.connections.reduce((sum, c) => sum + c.a.packets + c.b.packets, 0)
    expect(freedPackets + streaming.late).toBe(kept)
    if (streaming.late === 0) expect(freed).toBe(tracker.connections.length)
    return n
  } catch (e) {
    if (e instanceof TcpdoctorError) return e.code
    throw e
  }
}

const skip = needCorpus()
const seeds = skip ? [] : ['dpkt/http.pcap', 'zeek/tcp__ssh-dups.pcap', 'zeek/pcapng-multi-interface.pcapng', 'generated/gen-sll2-any-forwarded.pcap', 'zeek/communityid__ipv6.pcap', 'pcapng-test-generator/output_be/advanced/test101.pcapng'].map((f) => readFileSync(join(CORPUS, f)))

describe.skipIf(skip !== undefined)('capture parsing under fuzzing', () => {
  it('every prefix of a capture parses or is a coded error', () => {
    for (const s of seeds) {
      fc.assert(fc.property(fc.integer({ min: 0, max: s.length }), (cut) => {
        const r = pipeline(s.subarray(0, cut))
        expect(typeof r === 'number' || r === 'TD_PCAP_FORMAT').toBe(true)
      }), { numRuns: 200 })
    }
  })

  it('random byte flips never throw anything but a coded error', () => {
    for (const s of seeds) {
      fc.assert(fc.property(fc.array(fc.tuple(fc.nat(s.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 30 }), (flips) => {
        const b = Uint8Array.from(s)
        for (const [at, v] of flips) b[at] = v
        const r = pipeline(b)
        expect(typeof r === 'number' || r === 'TD_PCAP_FORMAT').toBe(true)
      }), { numRuns: 300 })
    }
  })

  it('the same bytes fed in random chunk sizes give the same packets (streaming == batch)', async () => {
    const s = seeds[0]!
    const whole = (await analyzePcap((async function* () { yield s })())).connections.map((c) => c.packets)
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 4000 }), { minLength: 1, maxLength: 50 }), async (sizes) => {
      const chunks = (async function* () {
        let at = 0, i = 0
        while (at < s.length) { const n = sizes[i++ % sizes.length]!; yield s.subarray(at, at + n); at += n }
      })()
      const r = await analyzePcap(chunks)
      expect(r.connections.map((c) => c.packets)).toEqual(whole)
    }), { numRuns: 100 })
  })
})

describe('hostile headers', () => {
  it('random garbage is a coded error or parses', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
      const r = pipeline(b)
      expect(typeof r === 'number' || r === 'TD_PCAP_FORMAT').toBe(true)
    }), { numRuns: 2000 })
  })

  it('a pcap record length near 2^32 stops reading with a warning, no allocation', () => {
    const b = Buffer.alloc(24 + 16 + 8)
    b.writeUInt32LE(0xa1b2c3d4, 0); b.writeUInt16LE(2, 4); b.writeUInt16LE(4, 6); b.writeUInt32LE(65535, 16); b.writeUInt32LE(1, 20)
    b.writeUInt32LE(0xfffffff0, 24 + 8)
    const s = parseCapture(b, () => { throw new Error('no packet expected') })
    expect(s.warnings[0]?.kind).toBe('bad-record')
  })

  it('pcapng blocks with lengths that disagree or overflow are coded errors', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (len, trail) => {
      const b = Buffer.alloc(28)
      b.writeUInt32LE(0x0a0d0d0a, 0); b.writeUInt32LE(len, 4); b.writeUInt32LE(0x1a2b3c4d, 8); b.writeUInt16LE(1, 12); b.writeUInt16LE(0, 14)
      b.writeUInt32LE(trail, 24)
      const r = pipeline(b)
      expect(typeof r === 'number' || r === 'TD_PCAP_FORMAT').toBe(true)
    }), { numRuns: 500 })
  })

  it('an empty input is TD_PCAP_FORMAT', () => {
    expect(pipeline(new Uint8Array(0))).toBe('TD_PCAP_FORMAT')
  })
})

describe.skipIf(skip !== undefined)('the fast JSON writer', () => {
  it('gives the same document as JSON.stringify of the report', async () => {
    const { analyzeCapture, connectionReport } = await import('../../src/packets/analyze.js')
    const { connectionJson } = await import('../../src/packets/report-json.js')
    for (const f of ['dpkt/http.pcap', 'zeek/communityid__ipv6.pcap', 'generated/gen-loss-client-side.pcap', 'zeek/tcp__ssh-dups.pcap']) {
      const { tracked } = await analyzeCapture(join(CORPUS, f))
      for (const c of tracked) expect(JSON.parse(connectionJson(c))).toEqual(JSON.parse(JSON.stringify(connectionReport(c))))
    }
  })
})
