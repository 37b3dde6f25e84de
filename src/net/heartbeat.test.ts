/**
 * heartbeat() on real loopback TCP sockets: data passes through unchanged (property test with
 * bytes that look like frames), a silent peer is TD_PEER_TIMEOUT with misses first, a peer that
 * does not frame is TD_PEER_PROTOCOL, and no timer is left behind after close.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'
import fc from 'fast-check'
import { TcpdoctorError } from '../errors.js'
import { heartbeat, type Heartbeat, type MissEvent } from './heartbeat.js'

const open: Socket[] = []
afterEach(async () => {
  // wait for 'close': heartbeats clear their timers on it, and the next test counts timers
  await Promise.all(open.splice(0).map((s) => (s.closed ? undefined : (s.destroy(), once(s, 'close')))))
})

/** A connected pair on 127.0.0.1: [client, server side]. */
async function pair(): Promise<[Socket, Socket]> {
  const server: Server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1')
  await once(client, 'connect')
  const [srv] = await accepted
  server.close()
  open.push(client, srv)
  return [client, srv]
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
}

/** The next n bytes the heartbeat stream delivers. */
function readN(hb: Heartbeat, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = []
    let got = 0
    const onData = (chunk: Buffer): void => {
      parts.push(chunk)
      got += chunk.length
      if (got >= n) {
        hb.removeListener('data', onData)
        hb.pause()
        resolve(Buffer.concat(parts))
      }
    }
    hb.on('data', onData)
    hb.resume()
  })
}

describe('heartbeat on loopback sockets', () => {
  it('passes any bytes through unchanged, beats interleaved (bytes that look like frames too)', async () => {
    const [c, s] = await pair()
    const tx = heartbeat(c, { interval: 5, timeout: 5000, role: 'sender' })
    const rx = heartbeat(s, { interval: 5, timeout: 5000, role: 'monitor' })
    const frameLike = fc.constantFrom(Buffer.from([0x48, 0, 0, 0, 4, 0, 0, 0, 1]), Buffer.from([0x44, 0xff, 0xff, 0xff, 0xff]), Buffer.from([0x48]))
    const chunk = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 3000 }).map((u) => Buffer.from(u)), frameLike)
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 12 }), async (chunks) => {
        const want = Buffer.concat(chunks)
        const got = want.length ? readN(rx, want.length) : Promise.resolve(Buffer.alloc(0))
        for (const ch of chunks) tx.write(ch)
        expect((await got).equals(want)).toBe(true)
      }),
      { numRuns: 40 },
    )
    expect(tx.stats.beatsSent).toBeGreaterThan(0)
    // the last beats may still be in flight: wait for one more to arrive
    await once(rx, 'beat')
    expect(rx.stats.beatsReceived).toBeGreaterThan(0)
    tx.destroy()
    rx.destroy()
  })

  it('a silent peer: misses, then TD_PEER_TIMEOUT, socket destroyed, no timer left behind', async () => {
    const [c, s] = await pair()
    const before = timeouts()
    // a timeout of 20 intervals: on a loaded machine a starved event loop still sees two misses first
    const tx = heartbeat(c, { interval: 50, timeout: 1000, role: 'sender' })
    const rx = heartbeat(s, { interval: 50, timeout: 1000, role: 'monitor' })
    const misses: MissEvent[] = []
    rx.on('miss', (m) => misses.push(m))
    await once(rx, 'beat')
    expect(timeouts()).toBeGreaterThanOrEqual(before + 3) // sender interval, monitor interval and deadline (vitest's own may come and go)
    tx.stop() // the peer application hangs: its kernel still ACKs, but no beat comes
    const [err] = (await once(rx, 'error')) as [TcpdoctorError]
    expect(err).toBeInstanceOf(TcpdoctorError)
    expect(err.code).toBe('TD_PEER_TIMEOUT')
    expect(s.destroyed).toBe(true)
    expect(misses.length).toBeGreaterThanOrEqual(2)
    expect(misses.map((m) => m.missed).slice(0, 2)).toEqual([1, 2])
    await once(c, 'close') // the server's destroy reaches the client: its heartbeat closes too
    await new Promise((r) => setImmediate(r))
    expect(tx.destroyed).toBe(true)
    expect(timeouts()).toBeLessThanOrEqual(before) // ours are gone (vitest's own may come and go)
  })

  it('clean end on both sides leaves no timers, role both', async () => {
    const [c, s] = await pair()
    const before = timeouts()
    const a = heartbeat(c, { interval: 20, timeout: 1000, role: 'both' })
    const b = heartbeat(s, { interval: 20, timeout: 1000, role: 'both' })
    await Promise.all([once(a, 'beat'), once(b, 'beat')])
    expect(timeouts()).toBe(before + 6)
    b.on('data', () => {})
    a.on('data', () => {})
    a.end('bye')
    b.end()
    await Promise.all([once(a, 'close'), once(b, 'close')])
    expect(timeouts()).toBeLessThanOrEqual(before) // ours are gone (vitest's own may come and go)
  })

  it('a peer that does not frame is TD_PEER_PROTOCOL', async () => {
    const [c, s] = await pair()
    const rx = heartbeat(s, { interval: 50, timeout: 1000, role: 'monitor' })
    c.write('GET / HTTP/1.1\r\n\r\n')
    const [err] = (await once(rx, 'error')) as [TcpdoctorError]
    expect(err.code).toBe('TD_PEER_PROTOCOL')
    expect(err.message).toMatch(/unknown type 0x47/)
  })

  it('bad options and a destroyed socket are coded errors', async () => {
    const [c] = await pair()
    expect(() => heartbeat(c, { interval: 100, timeout: 50, role: 'monitor' })).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
    expect(() => heartbeat(c, { interval: 0, timeout: 50, role: 'sender' })).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
    expect(() => heartbeat(c, { interval: 10, timeout: 50, role: 'x' as never })).toThrow(/role must be/)
    c.destroy()
    expect(() => heartbeat(c, { interval: 10, timeout: 50, role: 'sender' })).toThrow(expect.objectContaining({ code: 'TD_SOCKET_DESTROYED' }))
  })
})
