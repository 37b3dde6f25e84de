import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { makeSnapshot, parseSnapshot, parseSnapshotBytes, writeSnapshot } from './file.js'
import { readFileSync, existsSync, mkdtempSync, mkdirSync, writeFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { parseWhoTarget } from '../who/who.js'
import { TcpdoctorError } from '../errors.js'
import type { Socket } from '../model/socket.js'

const sock: Socket = {
  family: 'inet', state: 'CLOSE_WAIT', local: { address: '127.0.0.1', port: 8080 }, remote: { address: '127.0.0.1', port: 40000 },
  recvQ: 1, sendQ: 0, uid: 0, inode: 42, cookie: '7', ifindex: 0, process: [{ pid: 1, fd: 3, command: 'x', user: 'root' }],
}
const good = JSON.stringify(makeSnapshot([{ netns: 'host', source: 'netlink', sockets: [sock] }], { pidsDenied: 0 }))

describe('snapshot files', () => {
  it('round-trips', () => {
    expect(parseSnapshot(good).namespaces[0]!.sockets[0]).toEqual(sock)
  })
  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['another format', '{"format":"pcap"}', /format is "pcap"/],
    ['a newer version', good.replace('"version":1', '"version":99'), /newer than this tcpdoctor reads/],
    ['no namespaces', '{"format":"tcpdoctor-snapshot","version":1}', /\$\.takenAt|\$\.namespaces/],
    ['a bad state', good.replace('CLOSE_WAIT', 'NAPPING'), /\$\.namespaces\[0\]\.sockets\[0\]\.state/],
    ['a bad endpoint', good.replace('"port":8080', '"port":"8080"'), /\$\.namespaces\[0\]\.sockets\[0\]\.local\.port/],
    ['sysctls that are a number', good.replace(/}$/, ',"sysctls":5}'), /\$\.sysctls/],
    ['a kernel log that is a list of numbers', good.replace(/}$/, ',"kernelLog":[1,2]}'), /\$\.kernelLog/],
    ['tcp_info with a text rtt', good.replace('"ifindex":0', '"ifindex":0,"info":{"rttUs":"slow"}'), /\$\.namespaces\[0\]\.sockets\[0\]\.info\./],
    ['a socket without mss fields', good.replace('"ifindex":0', '"ifindex":0,"info":{}'), /\.info\.state/],
    ['a reset group of an unknown kind', good.replace(/}$/, ',"kernelResets":{"host":{"windowMs":1000,"sent":1,"received":0,"dropped":0,"groups":[{"kind":"bogus","direction":"sent","reason":"NO_SOCKET","side":"server","peer":"10.0.0.1","port":80,"service":"10.0.0.1 -> :80","family":"inet","count":1}]}}}'), /\$\.kernelResets\.host\.groups\[0\]\.kind/],
  ])('rejects %s with TD_SNAPSHOT_FORMAT', (_n, text, re) => {
    expect(() => parseSnapshot(text, 'f.json')).toThrow(expect.objectContaining({ code: 'TD_SNAPSHOT_FORMAT', message: expect.stringMatching(re) }))
  })
  it('never crashes on cut or flipped files: a snapshot or TD_SNAPSHOT_FORMAT', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length }), fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })), { maxLength: 8 }), (cut, flips) => {
      const chars = good.slice(0, cut).split('')
      for (const [pos, ch] of flips) if (chars.length) chars[pos % chars.length] = ch
      try {
        parseSnapshot(chars.join(''))
      } catch (err) {
        expect(err).toBeInstanceOf(TcpdoctorError)
        expect((err as TcpdoctorError).code).toBe('TD_SNAPSHOT_FORMAT')
      }
    }), { numRuns: 3000 })
    fc.assert(fc.property(fc.json(), (text) => {
      try { parseSnapshot(text) } catch (err) { expect((err as TcpdoctorError).code).toBe('TD_SNAPSHOT_FORMAT') }
    }), { numRuns: 2000 })
  })
})

describe('snapshot writes', () => {
  it('a failed write leaves no temp file (renaming onto a directory fails after the temp is written)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'td-snap-'))
    try {
      const target = join(dir, 'taken')
      mkdirSync(target)
      writeFileSync(join(target, 'keep'), 'x')
      const snap = makeSnapshot([], null)
      expect(() => writeSnapshot(target, snap)).toThrow(TcpdoctorError)
      expect(readdirSync(dir).sort()).toEqual(['taken'])
      expect(readdirSync(target)).toEqual(['keep'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('snapshot bytes', () => {
  it('binary input gets a plain message, never its raw bytes echoed', () => {
    const junk = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a])
    let msg = ''
    try { parseSnapshotBytes(junk, 'a.bin') } catch (err) { msg = (err as Error).message; expect((err as TcpdoctorError).code).toBe('TD_SNAPSHOT_FORMAT') }
    expect(msg).toMatch(/neither a tcpdoctor snapshot/)
    expect(msg).not.toMatch(/[\x00-\x08\x1b\x7f]|ELF/)
    expect(() => parseSnapshotBytes(Buffer.from('{"format":"tcpdoctor-snapshot",\xff\xfe}', 'latin1'))).toThrow(/not UTF-8/)
  })
  const ssDump = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'iproute2', 'ss1.dump')
  it.skipIf(!existsSync(ssDump) && !process.env.CI)('reads the raw netlink dump ss -D writes (iproute2 testsuite ss1.dump)', () => {
    const snap = parseSnapshotBytes(readFileSync(ssDump), 'ss1.dump')
    const sockets = snap.namespaces[0]!.sockets
    expect(snap.namespaces[0]!.source).toBe('ss -D')
    // The oracle: ss itself replays the same file (TCPDIAG_FILE) -- the same rows, in order.
    const ss = spawnSync('ss', ['-Htna'], { env: { ...process.env, TCPDIAG_FILE: ssDump }, encoding: 'utf8' })
    if (ss.error && !process.env.CI) return console.log('SKIP ss comparison: ss not installed')
    const want = ss.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)).map((f) => [f[0], f[3], f[4]])
    const name = (st: string): string => (st === 'ESTABLISHED' ? 'ESTAB' : st)
    const got = sockets.map((x) => [name(x.state), `${x.local.address}:${x.local.port}`, x.remote.port ? `${x.remote.address}:${x.remote.port}` : `${x.remote.address}:*`])
    expect(got).toEqual(want)
  })
  it('cut or flipped dumps give a snapshot or TD_SNAPSHOT_FORMAT', () => {
    if (!existsSync(ssDump)) return
    const good = readFileSync(ssDump)
    fc.assert(fc.property(fc.integer({ min: 0, max: good.length }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), (cut, flips) => {
      const b = Buffer.from(good.subarray(0, cut))
      for (const [pos, v] of flips) if (b.length) b[pos % b.length] = v
      try { parseSnapshotBytes(b) } catch (err) { expect((err as TcpdoctorError).code).toBe('TD_SNAPSHOT_FORMAT') }
    }), { numRuns: 3000 })
  })
})

describe('who targets', () => {
  it.each([
    ['8080', { port: 8080 }], [':8080', { port: 8080 }], ['127.0.0.1:5432', { address: '127.0.0.1', port: 5432 }],
    ['[::1]:22', { address: '::1', port: 22 }], ['10.0.0.5', { address: '10.0.0.5' }], ['fe80::1', { address: 'fe80::1' }],
  ])('reads %s', (text, want) => expect(parseWhoTarget(text)).toMatchObject(want))
  it('answers any string with a target or TD_INVALID_ARGUMENT', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (text) => {
      try {
        const t = parseWhoTarget(text)
        expect(t.port === undefined || (t.port >= 1 && t.port <= 65535)).toBe(true)
      } catch (err) {
        expect((err as TcpdoctorError).code).toBe('TD_INVALID_ARGUMENT')
      }
    }), { numRuns: 3000 })
    expect(() => parseWhoTarget('0')).toThrow(/1-65535/)
    expect(() => parseWhoTarget(':65536')).toThrow(/1-65535/)
  })
})
