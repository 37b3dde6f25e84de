/**
 * The --capture evidence on captures made from real kernel traffic (the shared corpus, generated
 * on the namespace chain; tshark's view beside each in expected/): a refused connect, a SYN
 * blackhole (4 retransmitted SYNs, no answer), an abort by RST.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { corpus, needCorpus } from '../../test/helpers/corpus.js'
import { summarizeHandshakes } from './handshakes.js'
import { compileFilter, runFilter } from '../packets/bpf/index.js'
import { HANDSHAKE_FILTER } from './handshakes.js'

function packets(file: string): { data: Uint8Array; linktype: number }[] {
  const b = readFileSync(corpus(file))
  const linktype = b.readUInt32LE(20)
  const out: { data: Uint8Array; linktype: number }[] = []
  for (let o = 24; o + 16 <= b.length; ) {
    const n = b.readUInt32LE(o + 8)
    out.push({ data: b.subarray(o + 16, o + 16 + n), linktype })
    o += 16 + n
  }
  return out
}

const skip = needCorpus()

describe.skipIf(skip)('SYN/FIN/RST evidence', () => {
  it('a refused connect names the target and the client', () => {
    const ev = summarizeHandshakes(packets('generated/gen-rst-refused.pcap'))
    expect(ev.refused).toEqual([{ target: expect.stringMatching(/^10\.77\.3\.2:\d+$/), count: 1, clients: ['10.77.0.1'] }])
    expect(ev.resets).toEqual([])
  })

  it('a SYN blackhole: 4 retransmitted SYNs, never answered', () => {
    const ev = summarizeHandshakes(packets('generated/gen-syn-blackhole.pcap'))
    expect(ev.synRetransmits).toEqual([{ target: expect.stringMatching(/^10\.77\.3\.2:\d+$/), retransmits: 4, connections: 1, answered: 0 }])
  })

  it('an abort (SO_LINGER 0) is a reset, not a refusal', () => {
    const ev = summarizeHandshakes(packets('generated/gen-rst-abort-linger0.pcap'))
    expect(ev.refused).toEqual([])
    expect(ev.resets.reduce((n, r) => n + r.count, 0)).toBeGreaterThan(0)
  })

  it('the kernel filter keeps exactly the SYN, FIN and RST segments', () => {
    for (const f of ['generated/gen-loss-client-side.pcap', 'generated/gen-ipv6-handshake-halfclose-fin.pcap']) {
      const all = packets(f)
      const prog = compileFilter(HANDSHAKE_FILTER, 'ethernet')
      const kept = all.filter((p) => runFilter(prog, p.data) > 0)
      const want = all.filter((p) => {
        const v = p.data[12] === 0x86 ? 6 : 4
        const l4 = v === 4 ? 14 + (p.data[14]! & 0xf) * 4 : 54
        return (p.data[l4 + 13]! & 7) !== 0
      })
      expect(kept.length).toBe(want.length)
      expect(kept.length).toBeGreaterThan(2)
    }
  })
})
