/**
 * A stand-in for `tcpdoctor serve` used by the dashboard test while serve has not landed: the
 * same API contract (GET /api/sample, /api/history, /api/findings, /api/events SSE "sample"
 * events, / and /assets/* from dist/web) with a strict Content-Security-Policy, fed by the real
 * kernel through WatchSampler in the namespace asked for. Not shipped: test code only.
 */
import { createServer, type Server } from 'node:http'
import { readFileSync } from 'node:fs'
import { join, normalize } from 'node:path'
import type { AddressInfo } from 'node:net'
import { WatchSampler, type WatchSample } from '../../src/monitor/watch-sampler.js'

const WEB = join(import.meta.dirname, '..', '..', 'dist', 'web')
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' }
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface Preview {
  url: string
  close(): Promise<void>
}

export async function startPreview(netns: string, intervalMs = 500): Promise<Preview> {
  const sampler = new WatchSampler({ netns, findingsEvery: 4 })
  const history: { at: number; states: WatchSample['states'] }[] = []
  let latest = await sampler.sample()
  const clients = new Set<import('node:http').ServerResponse>()
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    sampler.sample().then((s) => {
      latest = s
      history.push({ at: s.at, states: s.states })
      if (history.length > 3600) history.shift()
      const msg = `event: sample\ndata: ${JSON.stringify(s)}\n\n`
      for (const c of clients) c.write(msg)
    }, () => undefined).finally(() => (busy = false))
  }, intervalMs)
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    res.setHeader('content-security-policy', CSP)
    res.setHeader('x-content-type-options', 'nosniff')
    const json = (v: unknown): void => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(v))
    }
    if (u.pathname === '/api/sample') return json(latest)
    if (u.pathname === '/api/findings') return json({ findings: latest.findings })
    if (u.pathname === '/api/history') {
      const from = Number(u.searchParams.get('from') ?? 0)
      const to = Number(u.searchParams.get('to') ?? Date.now())
      return json({ samples: history.filter((p) => p.at >= from && p.at <= to) })
    }
    if (u.pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' })
      res.write(`event: sample\ndata: ${JSON.stringify(latest)}\n\n`)
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    const rel = u.pathname === '/' ? 'index.html' : normalize(u.pathname).replace(/^\/+/, '')
    if (rel.includes('..') || !(rel === 'index.html' || rel.startsWith('assets/'))) {
      res.statusCode = 404
      return res.end('not found')
    }
    try {
      const body = readFileSync(join(WEB, rel))
      res.setHeader('content-type', TYPES[rel.slice(rel.lastIndexOf('.'))] ?? 'application/octet-stream')
      res.end(body)
    } catch {
      res.statusCode = 404
      res.end('not found')
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      clearInterval(timer)
      for (const c of clients) c.end()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}
