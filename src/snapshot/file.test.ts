import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { makeSnapshot, parseSnapshot } from './file.js'
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
    ['no namespaces', '{"format":"tcpdoctor-snapshot","version":1}', /no namespaces array/],
    ['a bad state', good.replace('CLOSE_WAIT', 'NAPPING'), /unknown state "NAPPING"/],
    ['a bad endpoint', good.replace('"port":8080', '"port":"8080"'), /bad local endpoint/],
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
