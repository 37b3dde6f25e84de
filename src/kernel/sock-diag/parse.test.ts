import { describe, expect, it } from 'vitest'
import { corpus, needCorpus } from '../../../test/helpers/corpus.js'
import { readFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { decodeSocket, scanDiag } from './parse.js'
import { TcpdoctorError } from '../../errors.js'
import type { Socket } from '../../model/socket.js'
import { formatEndpoint } from '../../model/endpoint-text.js'
import { ssName } from '../../model/state.js'

const noCorpus = needCorpus()

const SS1 = corpus('iproute2', 'ss1.dump')

function decodeAll(buf: Uint8Array, attributes = true): Socket[] {
  const out: Socket[] = []
  scanDiag(buf, buf.length, (off, len) => out.push(decodeSocket(buf, off, len, { attributes })))
  return out
}

/** Builds one SOCK_DIAG_BY_FAMILY message the way the kernel lays it out (inet_diag_fill). */
function message(o: { family?: number; state?: number; sport?: number; dport?: number; src?: number[]; dst?: number[]; inode?: number; attrs?: { type: number; data: Uint8Array }[]; flags?: number }): Uint8Array {
  const attrs = o.attrs ?? []
  const attrLen = attrs.reduce((a, x) => a + ((4 + x.data.length + 3) & ~3), 0)
  const len = 16 + 72 + attrLen
  const b = new Uint8Array(len)
  const dv = new DataView(b.buffer)
  dv.setUint32(0, len, true)
  dv.setUint16(4, 20, true)
  dv.setUint16(6, o.flags ?? 2, true)
  b[16] = o.family ?? 2
  b[17] = o.state ?? 1
  dv.setUint16(20, o.sport ?? 80, false)
  dv.setUint16(22, o.dport ?? 12345, false)
  ;(o.src ?? [127, 0, 0, 1]).forEach((x, i) => (b[24 + i] = x))
  ;(o.dst ?? [127, 0, 0, 2]).forEach((x, i) => (b[40 + i] = x))
  dv.setUint32(16 + 68, o.inode ?? 4242, true)
  let p = 88
  for (const a of attrs) {
    dv.setUint16(p, 4 + a.data.length, true)
    dv.setUint16(p + 2, a.type, true)
    b.set(a.data, p + 4)
    p += (4 + a.data.length + 3) & ~3
  }
  return b
}

const done = (): Uint8Array => { const b = new Uint8Array(20); new DataView(b.buffer).setUint32(0, 20, true); b[4] = 3; return b }
const cat = (...parts: Uint8Array[]): Uint8Array => { const o = new Uint8Array(parts.reduce((a, p) => a + p.length, 0)); let i = 0; for (const p of parts) { o.set(p, i); i += p.length } return o }

describe('sock_diag parser', () => {
  it.skipIf(noCorpus)('reads iproute2 ss1.dump as `TCPDIAG_FILE=ss1.dump ss -Htna` does', () => {
    const buf = new Uint8Array(readFileSync(SS1))
    const ours = decodeAll(buf).map((s) => `${ssName(s.state)} ${s.recvQ} ${s.sendQ} ${formatEndpoint(s.local, s.family)} ${formatEndpoint(s.remote, s.family)}`)
    // Expected lines from iproute2 testsuite/tests/ss/ssfilter.t.
    expect(ours).toEqual(expect.arrayContaining([expect.stringMatching(/^LISTEN .*0\.0\.0\.0:22 0\.0\.0\.0:\*$/)]))
    expect(ours.filter((l) => l.startsWith('ESTAB'))).toHaveLength(3)
    const ss = spawnSync('ss', ['-Htna'], { env: { ...process.env, TCPDIAG_FILE: SS1 }, encoding: 'utf8' })
    if (ss.status === 0 && ss.stdout.trim()) {
      const oracle = ss.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '))
      expect(ours).toEqual(oracle)
    }
  })
  it('decodes tcp_info of any length: shorter (old kernel) and longer (new kernel) than ours', () => {
    for (const size of [8, 104, 160, 232, 248, 400]) {
      const info = new Uint8Array(size)
      const dv = new DataView(info.buffer)
      info[0] = 1
      if (size >= 72) dv.setUint32(68, 1234, true)
      if (size >= 168) dv.setBigUint64(160, 99n, true)
      const [s] = decodeAll(message({ attrs: [{ type: 2, data: info }] }))
      expect(s!.info!.state).toBe(1)
      expect(s!.info!.rttUs).toBe(size >= 72 ? 1234 : 0)
      expect(s!.info!.deliveryRate).toBe(size >= 168 ? 99 : undefined)
    }
  })
  it('skips unknown attributes and decodes skmeminfo and congestion', () => {
    const mem = new Uint8Array(36)
    new DataView(mem.buffer).setUint32(4, 131072, true)
    const [s] = decodeAll(message({ attrs: [{ type: 99, data: new Uint8Array(5) }, { type: 7, data: mem }, { type: 4, data: new TextEncoder().encode('cubic\0') }] }))
    expect(s!.mem!.rcvbuf).toBe(131072)
    expect(s!.congestion).toBe('cubic')
  })
  it('maps IPv4-mapped IPv6 addresses like ss', () => {
    const src = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 3, 2]
    const [s] = decodeAll(message({ family: 10, src, dst: new Array(16).fill(0) }))
    expect(formatEndpoint(s!.local, s!.family)).toBe('[::ffff:10.77.3.2]:80')
    expect(formatEndpoint(s!.remote, s!.family)).toBe('[::]:12345')
  })
  it('reports NLMSG_DONE, NLM_F_DUMP_INTR and NLMSG_ERROR', () => {
    const m = message({})
    expect(scanDiag(cat(m, done()), m.length + 20, () => {})).toEqual({ done: true, interrupted: false })
    expect(scanDiag(message({ flags: 0x12 }), 88, () => {}).interrupted).toBe(true)
    const err = new Uint8Array(36)
    const dv = new DataView(err.buffer)
    dv.setUint32(0, 36, true); err[4] = 2; dv.setInt32(16, -1, true)
    expect(() => scanDiag(err, 36, () => {})).toThrow(expect.objectContaining({ code: 'TD_NETLINK' }))
    const short = err.slice(0, 18); new DataView(short.buffer).setUint32(0, 18, true)
    expect(() => scanDiag(short, 18, () => {})).toThrow(expect.objectContaining({ code: 'TD_PARSE' }))
  })
  it.each([
    ['nlmsg_len < 16', (b: Uint8Array) => new DataView(b.buffer).setUint32(0, 8, true)],
    ['nlmsg_len beyond the data', (b: Uint8Array) => new DataView(b.buffer).setUint32(0, 4096, true)],
    ['inet_diag_msg shorter than 72 bytes', (b: Uint8Array) => new DataView(b.buffer).setUint32(0, 40, true)],
    ['rtattr shorter than 4', (b: Uint8Array) => new DataView(b.buffer).setUint16(88, 2, true)],
    ['rtattr past the message', (b: Uint8Array) => new DataView(b.buffer).setUint16(88, 400, true)],
    ['unknown address family', (b: Uint8Array) => (b[16] = 99)],
  ])('rejects %s with TD_PARSE', (_n, mutate) => {
    const b = message({ attrs: [{ type: 2, data: new Uint8Array(8) }] })
    mutate(b)
    expect(() => decodeAll(b)).toThrow(expect.objectContaining({ code: 'TD_PARSE' }))
  })
  it.skipIf(noCorpus)('never crashes or hangs on random, truncated or flipped dumps', () => {
    const real = new Uint8Array(readFileSync(SS1))
    fc.assert(
      fc.property(fc.integer({ min: 0, max: real.length }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 20 }), (cut, flips) => {
        const b = real.slice(0, cut)
        for (const [pos, v] of flips) if (b.length) b[pos % b.length] = v
        try {
          decodeAll(b)
        } catch (err) {
          expect(err).toBeInstanceOf(TcpdoctorError)
          expect(['TD_PARSE', 'TD_NETLINK']).toContain((err as TcpdoctorError).code)
        }
      }),
      { numRuns: 5000 },
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        try { decodeAll(b) } catch (err) { expect(err).toBeInstanceOf(TcpdoctorError) }
      }),
      { numRuns: 3000 },
    )
  })
})
