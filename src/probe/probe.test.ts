/**
 * Pure parts of the probes: statistics (iputils mdev, mtr stdev, pathping's loss split), the
 * echo reply parser, and what reads DNS replies, resolv.conf and hosts files. Parsers get
 * property tests: any bytes give a result or a coded error, never a crash.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as packet from 'dns-packet'
import { estimateHops, hopStats, linkLoss, lossPct, summarize } from './stats.js'
import { echoRequest, parseEchoReply, quotedEcho } from './icmp.js'
import { decodeReply, parseHosts, parseResolvConf } from './dns.js'
import { addressBytes } from './address.js'
import { TcpdoctorError } from '../errors.js'

describe('stats', () => {
  it('summarize computes iputils min/avg/max/mdev and the mean consecutive difference', () => {
    // iputils: mdev = sqrt(mean(x^2) - mean(x)^2)
    const s = summarize([1, 2, 3, 4])!
    expect(s).toEqual({ min: 1, avg: 2.5, max: 4, mdev: 1.118, jitter: 1 })
    expect(summarize([])).toBeNull()
  })
  it('hopStats uses the sample standard deviation as mtr', () => {
    expect(hopStats([1, 3])).toMatchObject({ last: 3, best: 1, worst: 3, avg: 2, stdev: 1.414 })
  })
  it('lossPct, estimateHops', () => {
    expect(lossPct(10, 7)).toBe(30)
    expect(lossPct(0, 0)).toBe(0)
    expect(estimateHops(61)).toEqual({ initial: 64, hops: 4 })
    expect(estimateHops(118)).toEqual({ initial: 128, hops: 11 })
    expect(estimateHops(0)).toBeNull()
  })
  it('linkLoss: a node that drops its own answers is node loss; loss that persists starts on a link', () => {
    const r = linkLoss([0, 1, 0.3, 0.3])
    expect(r.map((x) => x.node)).toEqual([0, 70, 0, 0])
    expect(r.map((x) => x.link)).toEqual([0, 30, 0, 0])
    fc.assert(fc.property(fc.array(fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }), { maxLength: 30 }), (xs) => {
      for (const { node, link } of linkLoss(xs)) {
        expect(node).toBeGreaterThanOrEqual(0)
        expect(link).toBeGreaterThanOrEqual(0)
        expect(node).toBeLessThanOrEqual(100)
        expect(link).toBeLessThanOrEqual(100)
      }
    }))
  })
})

describe('icmp', () => {
  it('reads back what it builds, and any bytes give a reply or null', () => {
    const req = echoRequest(4, 0x1234, 7, 56)
    const reply = Buffer.from(req)
    reply[0] = 0
    expect(parseEchoReply(4, reply, false)).toMatchObject({ id: 0x1234, seq: 7, size: 56 })
    expect(quotedEcho(4, req)).toEqual({ id: 0x1234, seq: 7 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.constantFrom(4 as const, 6 as const), (b, raw, fam) => {
      const r = parseEchoReply(fam, Buffer.from(b), raw)
      expect(r === null || typeof r.seq === 'number').toBe(true)
    }))
  })
  it('addressBytes expands IPv6 forms', () => {
    expect(addressBytes('fd09::2').toString('hex')).toBe('fd090000000000000000000000000002')
    expect(addressBytes('::ffff:10.9.3.2').toString('hex')).toBe('00000000000000000000ffff0a090302')
    expect(addressBytes('10.9.3.2').toString('hex')).toBe('0a090302')
  })
})

describe('dns parsers', () => {
  it('decodeReply follows the CNAME chain and keeps only addresses of names in it', () => {
    const buf = packet.encode({
      type: 'response', id: 9, flags: packet.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'a.test' }],
      answers: [
        { type: 'CNAME', name: 'a.test', data: 'b.test' },
        { type: 'CNAME', name: 'b.test', data: 'c.test' },
        { type: 'A', name: 'c.test', data: '10.0.0.3' },
        { type: 'A', name: 'other.test', data: '10.0.0.9' },
      ],
    })
    expect(decodeReply(buf, 'a.test', 'A')).toMatchObject({ id: 9, rcode: 'NOERROR', cname: ['b.test', 'c.test'], addresses: ['10.0.0.3'] })
  })
  it('any bytes: a result or TD_PARSE, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      try {
        const r = decodeReply(Buffer.from(b), 'a.test', 'A')
        expect(Array.isArray(r.addresses)).toBe(true)
      } catch (err) {
        expect(err).toBeInstanceOf(TcpdoctorError)
        expect((err as TcpdoctorError).code).toBe('TD_PARSE')
      }
    }), { numRuns: 2000 })
  })
  it('mutated real replies: a result or TD_PARSE', () => {
    const base = packet.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'a.test' }], answers: [{ type: 'A', name: 'a.test', data: '1.2.3.4' }] })
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(base.length), (muts, cut) => {
      const b = Buffer.from(base)
      for (const [i, v] of muts) b[i] = v
      try {
        decodeReply(b.subarray(0, cut), 'a.test', 'A')
      } catch (err) {
        expect((err as TcpdoctorError).code).toBe('TD_PARSE')
      }
    }), { numRuns: 2000 })
  })
  it('resolv.conf and hosts', () => {
    expect(parseResolvConf('# x\nnameserver 10.0.0.1\nnameserver fe80::1%eth0\nnameserver bogus\nsearch a.test b.test\noptions timeout:1 attempts:3 rotate\n'))
      .toEqual({ nameservers: ['10.0.0.1', 'fe80::1%eth0'], search: ['a.test', 'b.test'], timeout: 1, attempts: 3 })
    expect(parseHosts('127.0.0.1 localhost\n# 10.0.0.1 www.test\n10.9.9.9 WWW.test www # wrong\nnot-ip www.test\n', '/etc/hosts', 'www.test'))
      .toEqual([{ file: '/etc/hosts', line: 3, address: '10.9.9.9', names: ['WWW.test', 'www'] }])
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => {
      parseResolvConf(s)
      parseHosts(s, 'f')
    }))
  })
})
