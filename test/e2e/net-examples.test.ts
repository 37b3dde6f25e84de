/**
 * The examples run as a user would run them (node examples/*.js, importing 'tcpdoctor' from the
 * built dist/), and `tcpdoctor keepalive --json` shows the effect of setKeepAlive on a real
 * socket: its keepalive timer, as ss -o sees it, while the other end of the same connection has
 * none and is listed as never noticing a dead peer.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { setKeepAlive } from '../../src/net/keepalive.js'

const skip = need(['native'], ['tool', 'ss'])
const ROOT = join(import.meta.dirname, '..', '..')
const BIN = join(ROOT, 'bin', 'tcpdoctor.js')
const children: ChildProcess[] = []
afterAll(() => { for (const c of children) c.kill('SIGKILL') })

function startServer(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [join(ROOT, 'examples', 'server.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  return child
}

/** Polls the collected output until it matches (the line may have come already). */
async function waitOut(out: () => string, re: RegExp, ms = 15_000): Promise<string> {
  const end = Date.now() + ms
  for (;;) {
    const m = re.exec(out())
    if (m) return m[0]
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; output: ${out().slice(-500)}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function output(child: ChildProcess): () => string {
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  return () => out
}

describe.skipIf(skip)('examples and tcpdoctor keepalive on real sockets', () => {
  it('examples/server.js and examples/client.js: answers, tcp_info, and the client exits by itself', async () => {
    const server = startServer(['--port', '0', '--interval', '200', '--timeout', '800'])
    const serverOut = output(server)
    const port = Number(/listening on [\d.]+:(\d+)/.exec(await waitOut(serverOut, /listening on [\d.]+:\d+/))![1])
    const client = spawnSync(process.execPath, [join(ROOT, 'examples', 'client.js'), '--port', String(port), '--interval', '200', '--every', '100'], { encoding: 'utf8', timeout: 30_000 })
    expect(client.status, client.stderr).toBe(0) // exits by itself: no timer left behind
    expect(client.stdout).toMatch(/keepalive notices a dead server within 16000 ms, TCP_USER_TIMEOUT 15000 ms/)
    expect(client.stdout).toContain('answer: HELLO 1')
    expect(client.stdout).toContain('answer: HELLO 3')
    expect(client.stdout).toMatch(/tcp_info: rtt \d+ us, cwnd \d+, mss \d+, \d+ heartbeats sent/)
    expect(client.stdout).toMatch(/closed\n$/)
    await waitOut(serverOut, /client said goodbye/)
    expect(serverOut()).toMatch(/connected; keepalive 10000\/2000\/3 \(dead idle peer noticed within 16000 ms\), TCP_USER_TIMEOUT 15000 ms/)
    expect(serverOut()).toMatch(/client said goodbye after \d+ heartbeats/)
    server.kill('SIGTERM')
    await once(server, 'exit')
  })

  it('examples/server.js drops a hung client (stopped with SIGSTOP: its kernel still ACKs) with TD_PEER_TIMEOUT', async () => {
    const server = startServer(['--port', '0', '--interval', '200', '--timeout', '800'])
    const serverOut = output(server)
    const port = Number(/listening on [\d.]+:(\d+)/.exec(await waitOut(serverOut, /listening on [\d.]+:\d+/))![1])
    const client = spawn(process.execPath, [join(ROOT, 'examples', 'client.js'), '--port', String(port), '--interval', '200', '--every', '60000', '--count', '2'], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(client)
    const clientOut = output(client)
    await waitOut(clientOut, /connected;/)
    await waitOut(serverOut, /connected;/)
    const t0 = Date.now()
    client.kill('SIGSTOP')
    const line = await waitOut(serverOut, /.*TD_PEER_TIMEOUT.*/, 10_000)
    const ms = Date.now() - t0
    console.log(`hung client noticed by the heartbeat after ${ms} ms (timeout 800 ms): ${line.trim()}`)
    expect(ms).toBeLessThanOrEqual(800 + 1000) // timeout + the tolerance of the cut-link test
    expect(line).toMatch(/TD_PEER_TIMEOUT: heartbeat: nothing from the peer for \d+ ms \(timeout 800 ms\)/)
    expect(serverOut()).toMatch(/no heartbeat for \d+ ms \(1 missed/)
    client.kill('SIGKILL')
    server.kill('SIGTERM')
  })

  it('examples/http.js: both ends of every request socket keep their settings across keep-alive reuse', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'examples', 'http.js')], { encoding: 'utf8', timeout: 30_000 })
    expect(r.status, r.stderr).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toHaveLength(2)
    for (const l of lines) expect(l).toMatch(/server socket: keepalive 30000\/5000\/3, TCP_USER_TIMEOUT 45000 ms; client socket :\d+: keepalive 20000\/4000\/3, TCP_USER_TIMEOUT 30000 ms/)
    // the second request reused the pooled socket (same local port)
    expect(/:(\d+):/.exec(lines[0]!)![1]).toBe(/:(\d+):/.exec(lines[1]!)![1])
  })

  it('a socket configured by setKeepAlive appears with its timer in tcpdoctor keepalive --json', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await once(server, 'listening')
    const accepted = once(server, 'connection') as Promise<[Socket]>
    const c = connect((server.address() as AddressInfo).port, '127.0.0.1')
    await once(c, 'connect')
    const [s] = await accepted
    try {
      setKeepAlive(c, { idle: 45_000, interval: 5000, count: 4 })
      const r = spawnSync(process.execPath, [BIN, 'keepalive', '--json', '--min-idle', '0'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
      expect(r.status, r.stderr).toBe(0)
      type Row = { local: { port: number }; remote: { port: number }; keepalive: string; timer: { name: string; expiresMs: number } | null; detectMs: number | null; neverNotices: boolean }
      const doc = JSON.parse(r.stdout) as { sockets: Row[] }
      const mine = doc.sockets.find((x) => x.local.port === c.localPort)!
      const peer = doc.sockets.find((x) => x.local.port === s.localPort && x.remote.port === c.localPort)!
      const ss = execFileSync('ss', ['-tnoH', 'state', 'established', `( sport = :${c.localPort} )`], { encoding: 'utf8' })
      console.log(`tcpdoctor keepalive --json: ${JSON.stringify({ keepalive: mine.keepalive, timer: mine.timer, detectMs: mine.detectMs })}; ss: ${ss.trim().replace(/\s+/g, ' ')}`)
      expect(ss).toContain('timer:(keepalive,')
      expect(mine).toMatchObject({ keepalive: 'on', neverNotices: false, timer: { name: 'keepalive' } })
      expect(mine.timer!.expiresMs).toBeGreaterThan(40_000)
      expect(mine.timer!.expiresMs).toBeLessThanOrEqual(45_000)
      expect(peer).toMatchObject({ keepalive: 'off', neverNotices: true, detectMs: null })
    } finally {
      c.destroy()
      s.destroy()
      server.close()
    }
  })
})
