/**
 * The Node library side on real loopback sockets: what we set is what getsockopt reads back and
 * what ss -tnoi shows (the keepalive timer, mss, cwnd).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer, Socket, type AddressInfo, type Server } from 'node:net'
import { need } from '../../test/helpers/can.js'
import { TcpdoctorError } from '../errors.js'
import { getKeepAlive, nodeHasKeepAliveIntervalCount, setKeepAlive } from './keepalive.js'
import { loadNative } from '../kernel/native.js'
import { getUserTimeout, setUserTimeout } from './user-timeout.js'
import { getTcpInfo } from './tcp-info.js'

const skip = need(['native'], ['tool', 'ss'])

let server: Server
let port = 0
const open: Socket[] = []

async function connect(): Promise<Socket> {
  const s = new Socket()
  open.push(s)
  s.connect(port, '127.0.0.1')
  await once(s, 'connect')
  return s
}

/** ss's line for the client socket with this local port. */
function ssLine(local: number): string {
  return execFileSync('ss', ['-tnoiH', 'state', 'established', `( sport = :${local} )`], { encoding: 'utf8' }).replace(/\s+/g, ' ')
}

describe.skipIf(skip)('setKeepAlive / setUserTimeout / getTcpInfo on loopback', () => {
  beforeAll(async () => {
    server = createServer((c) => { open.push(c) }).listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
  })
  afterAll(() => {
    for (const s of open) s.destroy()
    server.close()
  })

  it('sets idle, interval and count; getsockopt and ss agree', async () => {
    const c = await connect()
    const got = setKeepAlive(c, { idle: 10_000, interval: 3000, count: 4 })
    expect(got).toEqual({ enabled: true, idleMs: 10_000, intervalMs: 3000, count: 4, detectMs: 22_000 })
    const line = ssLine(c.localPort!)
    // ss prints 9 s 992 ms as "9.992ms" (print_ms_timer: seconds, then "." and "%03dms")
    const m = /timer:\(keepalive,(?:(\d+)min)?(?:(\d+)(?:sec|\.))?(?:(\d+)ms)?,(\d+)\)/.exec(line)
    expect(m, line).not.toBeNull()
    const ms = Number(m![1] ?? 0) * 60_000 + Number(m![2] ?? 0) * 1000 + Number(m![3] ?? 0)
    expect(ms).toBeGreaterThan(8000)
    expect(ms).toBeLessThanOrEqual(10_000)
  })

  it('Node alone sets interval 1 s x 10 (the libuv trap); we restore the sysctl defaults', async () => {
    const c = await connect()
    c.setKeepAlive(true, 5000)
    expect(getKeepAlive(c)).toMatchObject({ enabled: true, idleMs: 5000, intervalMs: 1000, count: 10 })
    const intvl = Number(execFileSync('cat', ['/proc/sys/net/ipv4/tcp_keepalive_intvl'], { encoding: 'utf8' }))
    const probes = Number(execFileSync('cat', ['/proc/sys/net/ipv4/tcp_keepalive_probes'], { encoding: 'utf8' }))
    expect(setKeepAlive(c, { idle: 5000 })).toMatchObject({ idleMs: 5000, intervalMs: intvl * 1000, count: probes })
    // 1.5 s rounds up to 2 s: the kernel counts whole seconds
    expect(setKeepAlive(c, { idle: 1500 }).idleMs).toBe(2000)
  })

  it("uses Node's own setKeepAlive(enable, idle, interval, count) where it exists, and checks what it set", async () => {
    // Node 20 has only the 2-argument form; stand in for Node 24+ with a 4-argument method that
    // sets the options (through the addon, as libuv's uv_tcp_keepalive_ex would), then one that ignores them.
    const c = await connect()
    const native = loadNative()
    const fd = (c as unknown as { _handle: { fd: number } })._handle.fd
    const calls: number[][] = []
    const honest = function (this: Socket, enable: boolean, idle: number, interval: number, count: number): Socket {
      calls.push([idle, interval, count])
      Socket.prototype.setKeepAlive.call(this, enable, idle)
      native.setsockoptInt(fd, 6, 5, interval / 1000)
      native.setsockoptInt(fd, 6, 6, count)
      return this
    }
    c.setKeepAlive = honest as Socket['setKeepAlive']
    expect(nodeHasKeepAliveIntervalCount(c)).toBe(true)
    expect(setKeepAlive(c, { idle: 12_000, interval: 3000, count: 5 })).toMatchObject({ idleMs: 12_000, intervalMs: 3000, count: 5 })
    expect(calls).toEqual([[12_000, 3000, 5]]) // milliseconds, as Node counts
    c.setKeepAlive = function (this: Socket, enable: boolean, idle: number, _i: number, _c: number): Socket {
      return Socket.prototype.setKeepAlive.call(this, enable, idle) // takes 4 arguments, sets 2 (libuv's 1 s x 10)
    } as Socket['setKeepAlive']
    expect(setKeepAlive(c, { idle: 8000, interval: 2000, count: 4 })).toMatchObject({ idleMs: 8000, intervalMs: 2000, count: 4 })
    expect(nodeHasKeepAliveIntervalCount()).toBe(Socket.prototype.setKeepAlive.length >= 4)
  })

  it('rejects bad values and unconnected sockets with codes', async () => {
    const c = await connect()
    expect(() => setKeepAlive(c, { idle: -1 })).toThrow(TcpdoctorError)
    expect(() => setKeepAlive(c, { count: 500 })).toThrow(/count must be/)
    expect(() => setKeepAlive(new Socket())).toThrow(expect.objectContaining({ code: 'TD_SOCKET_NOT_CONNECTED' }))
    expect(() => setUserTimeout(c, -5)).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
  })

  it('sets TCP_USER_TIMEOUT and reads it back', async () => {
    const c = await connect()
    expect(getUserTimeout(c)).toBe(0)
    expect(setUserTimeout(c, 7000)).toBe(7000)
    expect(getUserTimeout(c)).toBe(7000)
    expect(setUserTimeout(c, 0)).toBe(0)
  })

  it('getTcpInfo decodes what ss shows for the same socket', async () => {
    const c = await connect()
    c.write(Buffer.alloc(10_000, 1))
    await new Promise((r) => setTimeout(r, 100))
    const info = getTcpInfo(c)
    const line = ssLine(c.localPort!)
    expect(info.state).toBe(1) // TCP_ESTABLISHED
    expect(info.bytesAcked).toBe(10_001) // ss counts the SYN too: bytes_acked starts at 1
    expect(line).toContain(`bytes_acked:${info.bytesAcked}`)
    expect(line).toContain(`mss:${info.sndMss}`)
    expect(line).toContain(`cwnd:${info.sndCwnd}`)
    expect(info.rttUs).toBeGreaterThan(0)
  })
})
