/**
 * ss-compatible human output (issue 8 item 7): `tcpdoctor ls -o` prints each socket's timer
 * exactly as `ss -tano` prints it for the same socket, taken around the same moment (ss before and
 * after; timers with minutes or 10+ seconds have one-second resolution, so one of the two matches).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const PORT = 9330

// Keepalive with TCP_KEEPIDLE 120 (1min59sec), the default 7200 s (119min), and a TIME_WAIT (59sec).
const PLANT = `
import socket, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', ${PORT})); l.listen(8)
keep = []
for idle in (120, 7200):
    c = socket.create_connection(('127.0.0.1', ${PORT}))
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
    a, _ = l.accept(); keep += [c, a]
c = socket.create_connection(('127.0.0.1', ${PORT})); a, _ = l.accept(); a.close(); c.recv(1); c.close()
print('READY', flush=True)
while True: time.sleep(60)
`

let ns = ''

/** "local peer" -> timer text of each row that has one. */
function timers(out: string): Map<string, string> {
  const m = new Map<string, string>()
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/)
    const timer = f.find((w) => w.startsWith('timer:('))
    if (timer && f.length >= 5) m.set(`${f[3]} ${f[4]}`, timer)
  }
  return m
}
const ss = (): Map<string, string> => timers(execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanoH'], { encoding: 'utf8' }))
function ours(): Map<string, string> {
  const r = spawnSync(process.execPath, [BIN, 'ls', '-o', '-H', '--netns', ns], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
  // tcpdoctor's columns: State Recv-Q Send-Q Local Peer [extras], the same order as ss
  return timers(r.stdout.split('\n').map((l) => l.replace(/^(\S+)\s+(\d+)\s+(\d+)\s+/, '$1 $2 $3 ')).join('\n'))
}

describe.skipIf(skip)('human output as ss prints it', () => {
  beforeAll(async () => {
    ns = makeNetns('tdow')
    const child = spawnInNetns(ns, 'python3', ['-c', PLANT])
    await waitForLine(child, /READY/)
    await waitUntil(() => [...ss().values()].filter((t) => t.startsWith('timer:(timewait')).length === 1 && [...ss().values()].filter((t) => t.startsWith('timer:(keepalive')).length === 2, 'two keepalive timers and a TIME_WAIT')
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('timers: the same text as ss -tano for every socket (keepalive,1min59sec / 119min, timewait,59sec)', async () => {
    const shapes = await waitUntil(() => {
      const before = ss()
      const mine = ours()
      const after = ss()
      if (mine.size !== before.size) return false
      for (const [k, t] of mine) if (t !== before.get(k) && t !== after.get(k)) throw new Error(`${k}: tcpdoctor ${t}, ss ${before.get(k)} / ${after.get(k)}`)
      return [...mine.values()]
    }, 'tcpdoctor and ss to agree on every timer', 20_000, 200)
    expect(shapes.some((t) => /^timer:\(keepalive,1min5\dsec,0\)$/.test(t))).toBe(true)
    expect(shapes.some((t) => /^timer:\(keepalive,119min,0\)$/.test(t))).toBe(true)
    expect(shapes.some((t) => /^timer:\(timewait,\d+sec,0\)$/.test(t))).toBe(true)
  })

  it('a dual-stack listener ([::]:P, IPV6_V6ONLY off) prints *:P as ss does; a v6-only one [::]:P (raw and object paths)', async () => {
    const child = spawnInNetns(ns, 'python3', ['-c', `
import socket, time
a = socket.socket(socket.AF_INET6); a.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); a.bind(('::', ${PORT + 1})); a.listen()
b = socket.socket(socket.AF_INET6); b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1); b.bind(('::', ${PORT + 2})); b.listen()
print('READY', flush=True)
time.sleep(60)
`])
    try {
      await waitForLine(child, /READY/)
      const rows = (out: string): string[] => out.trim().split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === 'LISTEN' && /:(9331|9332)$/.test(f[3]!)).map((f) => `${f[3]} ${f[4]}`).sort()
      const want = rows(execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' }))
      expect(want).toEqual([`*:${PORT + 1} *:*`, `[::]:${PORT + 2} [::]:*`])
      for (const extra of [[], ['--sort', 'sport']]) {
        const r = spawnSync(process.execPath, [BIN, 'ls', '-H', '--netns', ns, ...extra], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
        expect(rows(r.stdout)).toEqual(want)
      }
    } finally {
      child.kill('SIGKILL')
    }
  })
})
