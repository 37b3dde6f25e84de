/**
 * @module
 * `tcpdoctor serve`: node:http (or node:https with --tls-cert/--tls-key) serving the API in
 * sample.ts, /metrics, and the dashboard files from dist/web. Read-only: GET and HEAD only, no
 * CORS headers, a strict Content-Security-Policy on every answer, static paths resolved inside
 * dist/web (no traversal). The sampler runs on a timer; each sample goes to the history store,
 * the metrics registry and the SSE clients.
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { readFileSync, statSync } from 'node:fs'
import { extname, join, resolve, sep } from 'node:path'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { TcpdoctorError } from '../errors.js'
import { authorized, checkBind, type AuthOptions } from './auth.js'
import { EventHub, format } from './events.js'
import { Metrics } from './metrics.js'
import { Sampler, type SamplerOptions } from './sampler.js'
import { HistoryStore, type StoreOptions } from './history/store.js'
import type { Sample } from './sample.js'
import { ConnectionLister, type ConnectionsReply } from './connections.js'
import { msg } from '../i18n/index.js'

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json' }
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url))

export interface ServeOptions extends SamplerOptions {
  host?: string
  port?: number
  intervalMs?: number
  db?: string
  store?: StoreOptions
  token?: string
  basicAuth?: string
  tlsCert?: string
  tlsKey?: string
  webRoot?: string
  portCap?: number
  /** Closed SSE clients more than this many ticks behind (default 30). */
  maxBehind?: number
}

export interface Served {
  url: string
  server: Server
  latest(): Sample
  events: EventHub
  store?: HistoryStore
  close(): Promise<void>
}

export async function serve(o: ServeOptions): Promise<Served> {
  const host = o.host ?? '127.0.0.1'
  const tls = o.tlsCert !== undefined || o.tlsKey !== undefined
  if (tls && (o.tlsCert === undefined || o.tlsKey === undefined)) throw new TcpdoctorError('TD_USAGE', msg('err.monitor.tlsCertAndTls'))
  const auth: AuthOptions = { host, token: o.token, basicAuth: o.basicAuth, tls }
  checkBind(auth)
  const webRoot = resolve(o.webRoot ?? DEFAULT_WEB_ROOT)
  const sampler = new Sampler(o)
  const connections = new ConnectionLister({ netns: o.netns, procRoot: o.procRoot, source: o.source, lang: o.lang })
  const metrics = new Metrics({ portCap: o.portCap })
  const events = new EventHub(o.maxBehind)
  const store = o.db ? new HistoryStore(o.db, o.store) : undefined
  let latest = await sampler.sample()
  metrics.update(latest)
  store?.record(latest)
  const intervalMs = o.intervalMs ?? 1000
  let busy = false
  let lastError: string | undefined
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    sampler.sample().then((s) => {
      latest = s
      metrics.update(s)
      try {
        store?.record(s)
        lastError = undefined
      } catch (err) {
        lastError = (err as Error).message
      }
      events.send('sample', s)
    }, (err: unknown) => { lastError = (err as Error).message }).finally(() => (busy = false))
  }, intervalMs)
  timer.unref?.()

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('content-security-policy', CSP)
    res.setHeader('x-content-type-options', 'nosniff')
    res.setHeader('x-frame-options', 'DENY')
    res.setHeader('referrer-policy', 'no-referrer')
    if (tls) res.setHeader('strict-transport-security', 'max-age=31536000')
    const send = (code: number, type: string, body: string | Buffer): void => {
      res.statusCode = code
      res.setHeader('content-type', type)
      res.setHeader('cache-control', 'no-store')
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    const json = (v: unknown, code = 200): void => send(code, 'application/json; charset=utf-8', JSON.stringify(v))
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      return json({ error: { code: 'TD_USAGE', message: 'serve is read-only: only GET and HEAD' } }, 405)
    }
    if (!authorized(auth, req.headers.authorization)) {
      res.setHeader('www-authenticate', o.basicAuth !== undefined ? 'Basic realm="tcpdoctor"' : 'Bearer realm="tcpdoctor"')
      return json({ error: { code: 'TD_PERMISSION', message: 'missing or wrong credentials' } }, 401)
    }
    let u: URL
    try {
      u = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      return json({ error: { code: 'TD_USAGE', message: 'bad request URL' } }, 400)
    }
    const p = u.pathname
    if (p === '/metrics') {
      metrics.text().then((t) => send(200, metrics.registry.contentType, t), (err: unknown) => json({ error: { code: 'TD_INTERNAL', message: (err as Error).message } }, 500))
      return
    }
    if (p === '/api/sample') return json(latest)
    if (p === '/api/findings') return json({ at: latest.at, findings: latest.findings })
    if (p === '/api/health') return json({ ok: lastError === undefined, at: latest.at, error: lastError, clients: events.size })
    if (p === '/api/history') {
      const to = numParam(u, 'to', Date.now())
      const from = numParam(u, 'from', (to ?? Date.now()) - 3600_000)
      const step = numParam(u, 'step', 0)
      if (from === undefined || to === undefined || step === undefined) return json({ error: { code: 'TD_INVALID_ARGUMENT', message: 'from, to (ms since the epoch) and step (seconds) must be non-negative numbers' } }, 400)
      if (!store) return json({ from, to, step, samples: [] })
      return json({ from, to, step, samples: store.query(from, to, step) })
    }
    if (p === '/api/connections') {
      const limitText = u.searchParams.get('limit')
      let reply: Promise<ConnectionsReply>
      try {
        reply = connections.list({ filter: u.searchParams.get('filter') ?? '', sort: u.searchParams.get('sort') ?? undefined, limit: limitText === null || limitText === '' ? undefined : Number(limitText) })
      } catch (err) {
        const e = err as TcpdoctorError
        return json({ error: { code: e.code ?? 'TD_INVALID_ARGUMENT', message: e.message } }, 400)
      }
      reply.then((r) => json(r), (err: unknown) => json({ error: { code: (err as TcpdoctorError).code ?? 'TD_INTERNAL', message: (err as Error).message } }, 500))
      return
    }
    if (p === '/api/events') {
      if (req.method === 'HEAD') return send(200, 'text/event-stream', '')
      if (!events.add(res, format('sample', latest))) json({ error: { code: 'TD_UNSUPPORTED', message: 'too many event clients' } }, 503)
      return
    }
    if (p.startsWith('/api/')) return json({ error: { code: 'TD_NOT_FOUND', message: `no such endpoint: ${p}` } }, 404)
    return serveStatic(webRoot, p, send)
  }
  const server: Server = tls ? (createHttps({ cert: readFileSync(o.tlsCert!), key: readFileSync(o.tlsKey!) }, handler) as unknown as Server) : createHttp(handler)
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  server.maxConnections = 6000
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(new TcpdoctorError(err.code === 'EADDRINUSE' ? 'TD_IO' : err.code === 'EACCES' ? 'TD_PERMISSION' : 'TD_IO', msg('err.monitor.cannotListenOn', { host, v: o.port ?? 9273, v2: err.code ?? err.message }), { cause: err })))
    server.listen(o.port ?? 9273, host, () => ok())
  }).catch((err: unknown) => {
    clearInterval(timer)
    store?.close()
    throw err
  })
  const addr = server.address() as AddressInfo
  const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return {
    url: `${tls ? 'https' : 'http'}://${h}:${addr.port}/`,
    server,
    latest: () => latest,
    events,
    store,
    async close() {
      clearInterval(timer)
      events.closeAll()
      server.closeAllConnections?.()
      await new Promise<void>((r) => server.close(() => r()))
      while (busy) await new Promise((r) => setTimeout(r, 20))
      store?.close()
    },
  }
}

function numParam(u: URL, name: string, dflt: number): number | undefined {
  const v = u.searchParams.get(name)
  if (v === null || v === '') return dflt
  const n = Number(v)
  return Number.isFinite(n) && n >= 0 ? n : undefined
}

const NOT_BUILT = '<!doctype html><meta charset="utf-8"><title>tcpdoctor</title><p>The dashboard is not built (no dist/web). Run <code>npm run build:web</code>. The API still answers: <a href="/api/sample">/api/sample</a>, <a href="/metrics">/metrics</a>.</p>'

function serveStatic(root: string, pathname: string, send: (code: number, type: string, body: string | Buffer) => void): void {
  let rel: string
  try {
    rel = decodeURIComponent(pathname)
  } catch {
    return send(400, 'text/plain; charset=utf-8', 'bad path')
  }
  if (rel === '/' || rel === '/index.html') rel = '/index.html'
  else if (!rel.startsWith('/assets/') && rel !== '/favicon.svg') return send(404, 'text/plain; charset=utf-8', 'not found')
  if (rel.includes('\0') || rel.includes('\\')) return send(404, 'text/plain; charset=utf-8', 'not found')
  const file = resolve(root, '.' + rel)
  if (!file.startsWith(root + sep)) return send(404, 'text/plain; charset=utf-8', 'not found')
  try {
    if (!statSync(file).isFile()) return send(404, 'text/plain; charset=utf-8', 'not found')
    send(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file))
  } catch {
    if (rel === '/index.html') return send(200, 'text/html; charset=utf-8', NOT_BUILT)
    send(404, 'text/plain; charset=utf-8', 'not found')
  }
}
