/**
 * serve's security and robustness, against the real server on loopback: a bind beyond loopback
 * without a token is refused, no token and a wrong token are 401, another Origin gets no CORS
 * header, writes are 405, paths outside the dashboard are 404, a client that never reads is
 * dropped without stopping the others, 1,000 concurrent SSE clients each get samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, type Served } from '../../src/monitor/server.js'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tcpdoctor.js')
const TOKEN = 'tdmon-test-token-0123456789'

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (body += d))
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', fail)
    req.end()
  })
}

/** Raw request line, for paths fetch() would normalise away. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => s.write(text))
    let out = ''
    s.setEncoding('utf8')
    s.on('data', (d: string) => (out += d))
    s.on('end', () => ok(out))
    s.on('error', fail)
  })
}

describe('serve security', () => {
  let s: Served
  let dir: string
  let base: string
  let port: number
  const auth = { authorization: `Bearer ${TOKEN}` }
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tdmon-serve-'))
    s = await serve({ host: '127.0.0.1', port: 0, intervalMs: 200, token: TOKEN, findingsEvery: 0, ownersEvery: 0, maxBehind: 5 })
    base = s.url
    port = Number(new URL(base).port)
  })
  afterAll(async () => {
    await s?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('refuses to bind beyond loopback without a token, and a short token', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--listen', '0.0.0.0:0', '--no-db', '--json'], { encoding: 'utf8', timeout: 20_000 })
    expect(r.status).toBe(2)
    expect(JSON.parse(r.stdout).error.code).toBe('TD_USAGE')
    const short = spawnSync(process.execPath, [BIN, 'serve', '--listen', '0.0.0.0:0', '--no-db', '--token', 'abc', '--json'], { encoding: 'utf8', timeout: 20_000 })
    expect(JSON.parse(short.stdout).error.code).toBe('TD_USAGE')
    const basic = spawnSync(process.execPath, [BIN, 'serve', '--listen', '0.0.0.0:0', '--no-db', '--basic-auth', 'u:p', '--json'], { encoding: 'utf8', timeout: 20_000 })
    expect(JSON.parse(basic.stdout).error.message).toMatch(/tls/i)
  })

  it('no token and a wrong token are 401; the right one is 200', async () => {
    for (const path of ['api/sample', 'metrics', 'api/events', '', 'assets/x.js']) {
      expect((await get(base + path)).status, path).toBe(401)
      expect((await get(base + path, { authorization: `Bearer ${TOKEN}x` })).status, path).toBe(401)
      expect((await get(base + path, { authorization: `Bearer ${TOKEN.slice(0, -1)}` })).status, path).toBe(401)
    }
    const ok = await get(base + 'api/sample', auth)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body).states.LISTEN).toBeGreaterThanOrEqual(1)
  })

  it('another Origin gets no CORS headers; every answer has a strict CSP', async () => {
    const r = await get(base + 'api/sample', { ...auth, origin: 'http://evil.example' })
    expect(r.status).toBe(200)
    expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'/)
    expect(r.headers['content-security-policy']).not.toMatch(/unsafe-/)
    const pre = await get(base + 'api/sample', { ...auth, origin: 'http://evil.example', 'access-control-request-method': 'GET' }, 'OPTIONS')
    expect(pre.status).toBe(405)
    expect(Object.keys(pre.headers).filter((h) => h.startsWith('access-control-'))).toEqual([])
  })

  it('is read-only: POST, PUT, DELETE are 405', async () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await get(base + 'api/sample', auth, m)).status).toBe(405)
  })

  it('paths outside the dashboard files are 404', async () => {
    for (const p of ['/assets/../../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/../../../etc/passwd', '/etc/passwd', '/assets/%00', '/assets/..\\..\\package.json', '/src/monitor/server.ts']) {
      const out = await raw(port, `GET ${p} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`)
      expect(out.split('\r\n')[0], p).toMatch(/^HTTP\/1\.1 (400|404)/)
      expect(out, p).not.toMatch(/"name": "tcpdoctor"|root:x:0/)
    }
  })

  it('a client that never reads and a half-sent request do not stop the others', async () => {
    // A raw SSE client that never reads (the hub skips it while its socket buffer is full and
    // closes it after maxBehind full ticks), and one that sends half a request line (slowloris:
    // headersTimeout ends it).
    const slow = connect({ port, host: '127.0.0.1' })
    await new Promise<void>((r) => slow.once('connect', () => r()))
    slow.pause()
    slow.on('error', () => undefined)
    slow.write(`GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`)
    const loris = connect({ port, host: '127.0.0.1' })
    loris.on('error', () => undefined)
    loris.write('GET /api/sa')
    const until = Date.now() + 3000
    let n = 0
    while (Date.now() < until) {
      const r = await get(base + 'api/sample', auth)
      expect(r.status).toBe(200)
      n++
      await new Promise((res) => setTimeout(res, 100))
    }
    expect(n).toBeGreaterThan(10)
    loris.destroy()
    slow.destroy()
  }, 30_000)

  it('1,000 concurrent SSE clients each get sample events', async () => {
    const N = 1000
    const got = new Array<number>(N).fill(0)
    const reqs: ReturnType<typeof request>[] = []
    await Promise.all(Array.from({ length: N }, (_, i) => new Promise<void>((ok, fail) => {
      const req = request(base + 'api/events', { headers: auth, agent: false }, (res) => {
        expect(res.statusCode).toBe(200)
        res.setEncoding('utf8')
        res.on('data', (d: string) => {
          got[i]! += d.split('event: sample\n').length - 1
          if (got[i]! >= 2) ok()
        })
      })
      req.on('error', fail)
      req.end()
      reqs.push(req)
    })))
    expect(got.every((n) => n >= 2)).toBe(true)
    expect(s.events.size).toBeGreaterThanOrEqual(N)
    expect((await get(base + 'api/sample', auth)).status).toBe(200)
    for (const r of reqs) r.destroy()
  }, 120_000)
})
