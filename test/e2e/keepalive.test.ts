/**
 * `keepalive` for real in a private namespace: one idle connection with SO_KEEPALIVE, one without,
 * one whose data is never acknowledged (nft drops the server's ACKs). The command must list the
 * one without keepalive as "would never notice", see the keepalive timer ss -o sees, and give the
 * tcp_retries2 bound to the one with data in flight. Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'nft'], ['tool', 'python3'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

const SCENARIO = `
import socket, time
l = socket.socket(); l.bind(('127.0.0.1', 7300)); l.listen(8)
l2 = socket.socket(); l2.bind(('127.0.0.1', 7301)); l2.listen(8)
ka = socket.socket()
ka.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
ka.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 600)
ka.connect(('127.0.0.1', 7300))
plain = socket.create_connection(('127.0.0.1', 7300))
busy = socket.create_connection(('127.0.0.1', 7301))
srv = [l.accept()[0], l.accept()[0], l2.accept()[0]]
busy.send(b'x' * 1000)   # the server's ACKs are dropped: unacknowledged data, retransmit timer
print('READY', ka.getsockname()[1], plain.getsockname()[1], busy.getsockname()[1], flush=True)
time.sleep(120)
`

interface Row { local: { port: number }; remote: { port: number }; keepalive: string; timer: { name: string; expiresMs: number } | null; idleMs: number | null; unackedData: boolean; detectMs: number | null; basis: string; neverNotices: boolean; process?: { pid: number }[] }
interface Doc { defaults: { keepaliveIntvlS: number; keepaliveProbes: number; retries2TimeoutMs: number }; total: number; neverNotice: number; sockets: Row[] }

let ns = ''
let ports = { ka: 0, plain: 0, busy: 0 }

function cli(args: string[], inside = true): { code: number; stdout: string; stderr: string } {
  const cmd = inside ? ['ip', ['netns', 'exec', ns, process.execPath, BIN, ...args]] as const : [process.execPath, [BIN, ...args]] as const
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe.skipIf(skip)('keepalive audit in a private namespace', () => {
  beforeAll(async () => {
    ns = makeNetns('tdka')
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'add table inet ka; add chain inet ka out { type filter hook output priority 0; policy accept; }; add rule inet ka out tcp sport 7301 tcp flags & syn == 0 drop'])
    const child = spawnInNetns(ns, 'python3', ['-c', SCENARIO])
    // the whole line: waitForLine resolves on the first chunk that matches, which may be cut short
    const line = await waitForLine(child, /READY( \d+){3}/)
    const [, a, b, c] = line.trim().split(/\s+/).map(Number)
    ports = { ka: a!, plain: b!, busy: c! }
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('lists the connection without keepalive as "would never notice", as ss -o sees the timers', () => {
    const r = cli(['keepalive', '--json', '--min-idle', '0'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as Doc
    const mine = (port: number) => doc.sockets.find((s) => s.local.port === port)!
    const ss = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tnoH', 'state', 'established'], { encoding: 'utf8' })
    const ssKeepalive = ss.split('\n').filter((l) => l.includes('timer:(keepalive')).map((l) => Number(/127\.0\.0\.1:(\d+)\s+127/.exec(l)?.[1]))
    expect(ssKeepalive).toEqual([ports.ka]) // the oracle: only that socket has a keepalive timer
    expect(doc.sockets.filter((s) => s.keepalive === 'on').map((s) => s.local.port)).toEqual(ssKeepalive)

    const ka = mine(ports.ka)
    expect(ka).toMatchObject({ keepalive: 'on', basis: 'keepalive', neverNotices: false, timer: expect.objectContaining({ name: 'keepalive' }) })
    expect(ka.timer!.expiresMs).toBeGreaterThan(590_000) // TCP_KEEPIDLE 600 s set by the application
    expect(ka.detectMs).toBe(ka.timer!.expiresMs + doc.defaults.keepaliveIntvlS * doc.defaults.keepaliveProbes * 1000)

    const plain = mine(ports.plain)
    expect(plain).toMatchObject({ keepalive: 'off', basis: 'none', detectMs: null, neverNotices: true, unackedData: false })
    expect(plain.idleMs).toBeGreaterThanOrEqual(0)
    expect(plain.process?.[0]?.pid).toBeGreaterThan(0)

    const busy = mine(ports.busy)
    expect(busy).toMatchObject({ unackedData: true, basis: 'retries2', neverNotices: false, detectMs: doc.defaults.retries2TimeoutMs })
    expect(busy.timer?.name).toBe('on')
    // the server sides have no keepalive either (and the one on 7301 only receives): 3 + plain
    expect(doc.neverNotice).toBe(4)
    expect(doc.total).toBe(6)
  })

  it('with the default --min-idle (60 s) fresh connections are not flagged; --netns from outside works', () => {
    const doc = JSON.parse(cli(['keepalive', '--json']).stdout) as Doc
    expect(doc.neverNotice).toBe(0)
    const outside = cli(['keepalive', '--json', '--min-idle', '0', '--never', '--netns', ns], false)
    expect(outside.code, outside.stderr).toBe(0)
    const o = JSON.parse(outside.stdout) as Doc & { notes: string[] }
    expect(o.sockets.map((s) => s.local.port).sort()).toContain(ports.plain)
    expect(o.sockets.every((s) => s.neverNotices)).toBe(true)
    expect(o.notes.join(' ')).toMatch(/ip netns exec/)
  })

  it('human output names the never-noticing sockets, in English and Chinese', () => {
    const en = cli(['keepalive', '--min-idle', '0'])
    expect(en.stdout).toMatch(/4 of 6 ESTABLISHED sockets would never notice a dead peer/)
    expect(en.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${ports.plain}\\s.*off.*never`))
    expect(en.stdout).toMatch(/15m24\.6s \(unacked data: tcp_retries2\)/)
    const zh = cli(['keepalive', '--min-idle', '0', '--lang', 'zh'])
    expect(zh.stdout).toMatch(/永远发现不了对端失效/)
  })
})
