/**
 * The library on the sockets applications really have: IPv6, http and https servers and agents
 * (configureServer / configureAgent), sockets still connecting (configureSocket), and the typed
 * errors for sockets without an fd. Checked against getsockopt and against ss -tnoi, the oracle
 * for the keepalive timer of both ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import http from 'node:http'
import https from 'node:https'
import { createServer, connect, Socket, type AddressInfo } from 'node:net'
import { need } from '../../test/helpers/can.js'
import { getKeepAlive, setKeepAlive } from './keepalive.js'
import { getUserTimeout, setUserTimeout } from './user-timeout.js'
import { getTcpInfo } from './tcp-info.js'
import { configureAgent, configureServer, configureSocket, type AppliedSettings } from './configure.js'

const skip = need(['native'], ['tool', 'ss'], ['tool', 'openssl'])
const KA = { idle: 20_000, interval: 4000, count: 3 }

/** ss -tnoi line of the ESTABLISHED socket with this local port (either family). */
function ssLine(local: number): string {
  return execFileSync('ss', ['-tnoiH', 'state', 'established', `( sport = :${local} )`], { encoding: 'utf8' }).replace(/\s+/g, ' ')
}
function ssKeepaliveMs(local: number): number {
  const line = ssLine(local)
  const m = /timer:\(keepalive,(?:(\d+)min)?(?:(\d+)(?:sec|\.))?(?:(\d+)ms)?,\d+\)/.exec(line)
  if (!m) throw new Error(`no keepalive timer in ss line: ${line}`)
  return Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000 + Number(m[3] ?? 0)
}

let dir = ''
describe.skipIf(skip)('keepalive and user timeout on IPv6, http, https and connecting sockets', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tdnet-'))
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
  })
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }) })

  it('IPv6: setKeepAlive, setUserTimeout and getTcpInfo on ::1, as ss sees them', async () => {
    const server = createServer((s) => s.on('error', () => {})).listen(0, '::1')
    await once(server, 'listening')
    const c = connect((server.address() as AddressInfo).port, '::1')
    await once(c, 'connect')
    try {
      expect(c.remoteFamily).toBe('IPv6')
      expect(setKeepAlive(c, KA)).toEqual({ enabled: true, idleMs: 20_000, intervalMs: 4000, count: 3, detectMs: 32_000 })
      expect(setUserTimeout(c, 9000)).toBe(9000)
      const ms = ssKeepaliveMs(c.localPort!)
      expect(ms).toBeGreaterThan(15_000)
      expect(ms).toBeLessThanOrEqual(20_000)
      const info = getTcpInfo(c)
      expect(info.state).toBe(1)
      expect(ssLine(c.localPort!)).toContain(`mss:${info.sndMss}`)
    } finally {
      c.destroy()
      server.close()
    }
  })

  it('typed errors: never connected, still connecting, destroyed', async () => {
    expect(() => getTcpInfo(new Socket())).toThrow(expect.objectContaining({ code: 'TD_SOCKET_NOT_CONNECTED' }))
    const server = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1')
    await once(server, 'listening')
    const c = new Socket()
    c.connect((server.address() as AddressInfo).port, '127.0.0.1')
    expect(() => setUserTimeout(c, 1000)).toThrow(expect.objectContaining({ code: 'TD_SOCKET_NOT_CONNECTED', message: expect.stringMatching(/still connecting/) }))
    await once(c, 'connect')
    c.destroy()
    for (const f of [() => setKeepAlive(c, KA), () => getKeepAlive(c), () => getUserTimeout(c), () => getTcpInfo(c)])
      expect(f).toThrow(expect.objectContaining({ code: 'TD_SOCKET_DESTROYED' }))
    expect(() => getTcpInfo({} as Socket)).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
    expect(() => configureSocket(c, { keepAlive: { idle: -3 } })).toThrow(expect.objectContaining({ code: 'TD_INVALID_ARGUMENT' }))
    server.close()
  })

  it('configureSocket on a connecting socket applies on connect', async () => {
    const server = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1')
    await once(server, 'listening')
    const c = new Socket()
    c.connect((server.address() as AddressInfo).port, '127.0.0.1')
    const applied = new Promise<AppliedSettings>((resolve) => {
      expect(configureSocket(c, { keepAlive: KA, userTimeout: 7000, onApplied: (_s, a) => resolve(a) })).toBeUndefined()
    })
    try {
      expect(await applied).toEqual({ keepAlive: { enabled: true, idleMs: 20_000, intervalMs: 4000, count: 3, detectMs: 32_000 }, userTimeoutMs: 7000 })
      expect(getUserTimeout(c)).toBe(7000)
      // already connected: applies at once and returns what the kernel holds
      expect(configureSocket(c, { userTimeout: 5000 })).toEqual({ userTimeoutMs: 5000 })
    } finally {
      c.destroy()
      server.close()
    }
  })

  it('http: configureServer and configureAgent set both ends of every request socket (ss agrees)', async () => {
    const seen: { server?: [number, number]; ka?: unknown; ut?: number } = {}
    // keepAlive: true makes Node's own connection listener call setKeepAlive(true, 1000): ours must win
    const server = http.createServer({ keepAlive: true, keepAliveInitialDelay: 1000 }, (req, res) => {
      seen.server = [req.socket.localPort!, req.socket.remotePort!]
      seen.ka = getKeepAlive(req.socket)
      seen.ut = getUserTimeout(req.socket)
      res.end('ok')
    })
    configureServer(server, { keepAlive: KA, userTimeout: 11_000 })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const agent = configureAgent(new http.Agent({ keepAlive: true }), { keepAlive: { idle: 30_000, interval: 2000, count: 5 }, userTimeout: 6000 })
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => http.get({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', agent }, resolve).on('error', reject))
      const sock = res.socket as Socket
      res.resume()
      await once(res, 'end')
      await new Promise((r) => setImmediate(r)) // the socket goes back to the pool: keepSocketAlive ran
      expect(seen.ka).toMatchObject({ enabled: true, idleMs: 20_000, intervalMs: 4000, count: 3 })
      expect(seen.ut).toBe(11_000)
      expect(getKeepAlive(sock)).toMatchObject({ enabled: true, idleMs: 30_000, intervalMs: 2000, count: 5 })
      expect(getUserTimeout(sock)).toBe(6000)
      // the oracle: ss shows a keepalive timer on both ends, each under its own idle time
      const clientMs = ssKeepaliveMs(sock.localPort!)
      expect(clientMs).toBeGreaterThan(25_000)
      expect(clientMs).toBeLessThanOrEqual(30_000)
      expect(ssKeepaliveMs(seen.server![0] === sock.remotePort ? seen.server![0] : -1)).toBeLessThanOrEqual(20_000)
    } finally {
      agent.destroy()
      server.close()
    }
  })

  it('https: the TLS sockets of an https.Agent and an https.Server get the settings too', async () => {
    const key = readFileSync(join(dir, 'key.pem'))
    const cert = readFileSync(join(dir, 'cert.pem'))
    let serverKa: unknown
    const server = https.createServer({ key, cert }, (req, res) => {
      serverKa = getKeepAlive(req.socket)
      res.end('ok')
    })
    configureServer(server, { keepAlive: KA })
    server.listen(0, '::1')
    await once(server, 'listening')
    const agent = configureAgent(new https.Agent({ keepAlive: true, ca: cert, rejectUnauthorized: false }), { keepAlive: { idle: 15_000, interval: 3000, count: 2 }, userTimeout: 8000 })
    try {
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => https.get({ port: (server.address() as AddressInfo).port, host: '::1', agent }, resolve).on('error', reject))
      const sock = res.socket as Socket
      res.resume()
      await once(res, 'end')
      await new Promise((r) => setImmediate(r)) // the socket goes back to the pool: keepSocketAlive ran
      expect(sock.constructor.name).toBe('TLSSocket')
      expect(getKeepAlive(sock)).toMatchObject({ enabled: true, idleMs: 15_000, intervalMs: 3000, count: 2 })
      expect(getUserTimeout(sock)).toBe(8000)
      expect(getTcpInfo(sock).state).toBe(1)
      expect(serverKa).toMatchObject({ enabled: true, idleMs: 20_000, intervalMs: 4000, count: 3 })
      expect(ssKeepaliveMs(sock.localPort!)).toBeLessThanOrEqual(15_000)
    } finally {
      agent.destroy()
      server.close()
    }
  })
})
