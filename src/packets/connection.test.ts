/**
 * Connection.reset (the tracker reuses finished connections' objects) leaves nothing of the
 * connection before: a reset object equals a new one, field by field, on both sides.
 */
import { describe, expect, it } from 'vitest'
import { Connection } from './connection.js'
import { TH_ACK, TH_FIN, TH_RST, TH_SYN, newDecoded, type Decoded } from './decode.js'

function seg(fromA: boolean, flags: number, seq: number, ack: number, len = 0, v6 = false): Decoded {
  const d = newDecoded()
  d.ipVersion = v6 ? 6 : 4
  if (v6) {
    d.buf = new Uint8Array(32)
    d.buf[15] = fromA ? 1 : 2
    d.buf[31] = fromA ? 2 : 1
    d.src6 = 0
    d.dst6 = 16
  }
  d.src4 = fromA ? 0x0a000001 : 0x0a000002
  d.dst4 = fromA ? 0x0a000002 : 0x0a000001
  d.srcPort = fromA ? 40000 : 80
  d.dstPort = fromA ? 80 : 40000
  d.flags = flags
  d.seq = seq
  d.ack = ack
  d.seglen = len
  d.window = len ? 0 : 1000
  d.wscale = flags & TH_SYN ? 7 : -1
  return d
}

/** A connection that went through a handshake, data, a retransmission, a zero window, FIN and RST. */
function used(): Connection {
  const c = new Connection(5, seg(true, TH_SYN, 100, 0), 1, 10)
  c.recordChanges()
  c.lines = []
  const steps: [boolean, number, number, number, number][] = [
    [true, TH_SYN, 100, 0, 0], [false, TH_SYN | TH_ACK, 900, 101, 0], [true, TH_ACK, 101, 901, 0], [true, TH_ACK, 101, 901, 50], [true, TH_ACK, 101, 901, 50],
    [false, TH_ACK, 901, 151, 0], [true, TH_FIN | TH_ACK, 151, 901, 0], [false, TH_ACK, 901, 152, 0], [false, TH_RST, 901, 0, 0],
  ]
  steps.forEach(([fromA, flags, seq, ack, len], i) => { const d = seg(fromA, flags, seq, ack, len); d.ts = 10 + i; c.segment(d, fromA, i + 2, 10 + i, 0) })
  c.older = c
  c.queue = 2
  c.hash = 77
  c.key6 = 'x'
  return c
}

describe('Connection.reset', () => {
  for (const [name, d] of [
    ['a SYN', seg(false, TH_SYN, 7, 0)], ['a SYN/ACK', seg(false, TH_SYN | TH_ACK, 7, 8)], ['mid-stream data', seg(false, TH_ACK, 7, 8, 10)],
    ['an IPv6 SYN', seg(true, TH_SYN, 7, 0, 0, true)],
  ] as const) {
    it(`makes the object of ${name} equal to a new connection`, () => {
      const c = used()
      // what reset must undo: a handshake RTT, an ACKed FIN, anomalies, recorded changes and lines
      expect([c.rtt !== undefined, c.a.finAcked, c.anomalies !== undefined, c.changes.length > 0, c.lines!.length]).toEqual([true, true, true, true, 9])
      c.reset(9, d, 20, 30.5)
      const fresh = new Connection(9, d, 20, 30.5)
      expect(c).toEqual(fresh)
      expect(Object.keys(c)).toEqual(Object.keys(fresh))
      expect(Object.keys(c.a)).toEqual(Object.keys(fresh.a))
    })
  }
})
