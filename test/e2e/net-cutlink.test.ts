/**
 * Proof on a cut link: a server and a client in two network namespaces joined by a veth, one
 * connection per protection. Then the server's namespace drops every packet (nft, input and
 * output: the client "vanished", as a phone losing signal does) and we measure, on the real
 * kernel, when each server socket learns:
 *
 *   none                 no keepalive, no data: stays ESTABLISHED (watched for a bounded 5 s)
 *   keepalive            idle 1 s, interval 1 s, count 2: ETIMEDOUT at idle + interval x count = 3 s
 *                        after the last packet from the peer (the handshake)
 *   userTimeout (IPv6)   TCP_USER_TIMEOUT 2 s, then 64 KiB written after the cut: ETIMEDOUT 2 s
 *                        after the write (the RTO is clamped to the remaining user timeout)
 *   keepalive+userTimeout idle 1 s, interval 1 s, count 10 (alone: 11 s), TCP_USER_TIMEOUT 2.5 s:
 *                        the user timeout overrides the probe count (tcp_keepalive_timer), the
 *                        socket dies at the first keepalive tick >= 2.5 s, i.e. 3 s
 *   heartbeat            interval 300 ms, timeout 1.5 s: TD_PEER_TIMEOUT within 1.5 s of the last
 *                        beat, i.e. within 1.5 s of the cut
 *
 * Tolerance: +1000 ms over each bound (kernel timer slack and a loaded 2-core machine waking the
 * peer process), -150 ms under it (jiffies). Measured times are printed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'nft'], ['tool', 'ss'])
const PEER = join(import.meta.dirname, 'net-cutlink-peer.mjs')
const TOL_UP = 1000
const TOL_DOWN = 150
const WATCH_NONE_MS = 5000

interface Ev { ev: string; name?: string; t: number; code?: string; family?: string; missed?: number; silentMs?: number; applied?: unknown; message?: string }

let nsS = ''
let nsC = ''
let server: ChildProcess | undefined
let client: ChildProcess | undefined
const events: Ev[] = []

function collect(child: ChildProcess, who: string): void {
  let buf = ''
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString()
    let i: number
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (line.startsWith('{')) events.push({ ...(JSON.parse(line) as Ev), ...(who === 'client' ? { ev: `client-${(JSON.parse(line) as Ev).ev}` } : {}) })
    }
  })
}

/** Polls until pred finds an event (the kernel state we wait for), or fails after ms. */
async function waitEvent(pred: (e: Ev) => boolean, ms: number, what: string): Promise<Ev> {
  const end = Date.now() + ms
  for (;;) {
    const e = events.find(pred)
    if (e) return e
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(events.slice(-20))}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

function estabOnServer(port: number): number {
  return execFileSync('ip', ['netns', 'exec', nsS, 'ss', '-tnH', 'state', 'established', `( sport = :${port} )`], { encoding: 'utf8' }).split('\n').filter(Boolean).length
}

describe.skipIf(skip)('half-open connections on a cut link (two namespaces, veth, nft drop)', () => {
  beforeAll(async () => {
    nsS = makeNetns('tdnet')
    nsC = makeNetns('tdnet')
    const [vs, vc] = [`tdnet${process.pid}s`, `tdnet${process.pid}c`]
    execFileSync('ip', ['link', 'add', vs, 'netns', nsS, 'type', 'veth', 'peer', 'name', vc, 'netns', nsC])
    for (const [ns, dev, a4, a6] of [[nsS, vs, '10.213.0.2/24', 'fd21:3::2/64'], [nsC, vc, '10.213.0.1/24', 'fd21:3::1/64']] as const) {
      execFileSync('ip', ['-n', ns, 'addr', 'add', a4, 'dev', dev])
      execFileSync('ip', ['-n', ns, '-6', 'addr', 'add', a6, 'dev', dev, 'nodad'])
      execFileSync('ip', ['-n', ns, 'link', 'set', dev, 'up'])
    }
    server = spawnInNetns(nsS, process.execPath, [PEER, 'server'])
    collect(server, 'server')
    await waitEvent((e) => e.ev === 'ready', 15_000, 'server ready')
    client = spawnInNetns(nsC, process.execPath, [PEER, 'client', '10.213.0.2', 'fd21:3::2'])
    collect(client, 'client')
    for (const name of ['none', 'keepalive', 'userTimeout', 'heartbeat', 'keepaliveAndUserTimeout'])
      await waitEvent((e) => e.ev === 'accept' && e.name === name, 15_000, `accept ${name}`)
    await waitEvent((e) => e.ev === 'beat', 15_000, 'first heartbeat')
  }, 60_000)

  afterAll(() => {
    server?.kill('SIGKILL')
    client?.kill('SIGKILL')
    if (nsS) dropNetns(nsS) // the veth and the nft table go with the namespaces
    if (nsC) dropNetns(nsC)
  })

  it('each protection notices the vanished peer within its bound; nothing at all never does', async () => {
    const accepted = (name: string): Ev => events.find((e) => e.ev === 'accept' && e.name === name)!
    expect(accepted('userTimeout').family).toBe('IPv6')
    expect(accepted('keepalive').applied).toMatchObject({ keepAlive: { idleMs: 1000, intervalMs: 1000, count: 2, detectMs: 3000 } })
    expect(estabOnServer(7401)).toBe(1)

    // the cut: the server's namespace drops everything, both ways
    const tCut = Date.now()
    execFileSync('ip', ['netns', 'exec', nsS, 'nft', `add table inet tdnet${process.pid}; add chain inet tdnet${process.pid} in { type filter hook input priority -300; policy drop; }; add chain inet tdnet${process.pid} out { type filter hook output priority -300; policy drop; }`])
    const tCutDone = Date.now()
    server!.stdin!.write('write userTimeout\n')
    const wrote = await waitEvent((e) => e.ev === 'wrote', 5000, 'write')

    const died = async (name: string): Promise<Ev> => waitEvent((e) => e.ev === 'error' && e.name === name, 20_000, `error on ${name}`)
    const [ka, ut, both, hb] = await Promise.all([died('keepalive'), died('userTimeout'), died('keepaliveAndUserTimeout'), died('heartbeat')])

    // nothing: still ESTABLISHED, no event, for a bounded 5 s after the cut
    while (Date.now() - tCut < WATCH_NONE_MS) await new Promise((r) => setTimeout(r, 100))
    const noneEstablished = estabOnServer(7401)
    const noneEvents = events.filter((e) => e.name === 'none' && (e.ev === 'error' || e.ev === 'close'))

    const rows = [
      { what: 'nothing', bound: 'never', from: 'cut', ms: null as number | null, result: noneEstablished === 1 ? `still ESTABLISHED after ${Date.now() - tCut} ms` : 'gone' },
      { what: 'keepalive 1s/1s/2', bound: 3000, from: 'accept', ms: ka.t - accepted('keepalive').t, sinceCut: ka.t - tCut, code: ka.code },
      { what: 'user timeout 2s (IPv6)', bound: 2000, from: 'write', ms: ut.t - wrote.t, code: ut.code },
      { what: 'keepalive 1s/1s/10 + user timeout 2.5s', bound: 3000, from: 'accept', ms: both.t - accepted('keepaliveAndUserTimeout').t, sinceCut: both.t - tCut, code: both.code },
      { what: 'heartbeat 300ms/1.5s', bound: 1500, from: 'cut', ms: hb.t - tCut, code: hb.code, misses: events.filter((e) => e.ev === 'miss').length },
    ]
    console.log(`cut took ${tCutDone - tCut} ms (nft); measured, tolerance +${TOL_UP}/-${TOL_DOWN} ms:\n` + rows.map((r) => `  ${r.what.padEnd(40)} bound ${String(r.bound).padStart(5)} ms from ${r.from.padEnd(6)} measured ${r.ms ?? '-'} ms ${r.code ?? ''} ${'sinceCut' in r ? `(${r.sinceCut} ms after the cut)` : ''} ${'misses' in r ? `${r.misses} miss events` : ''} ${r.result ?? ''}`).join('\n'))

    expect(noneEstablished).toBe(1)
    expect(noneEvents).toEqual([])

    expect(ka.code).toBe('ETIMEDOUT')
    expect(ka.t - accepted('keepalive').t).toBeGreaterThanOrEqual(3000 - TOL_DOWN)
    expect(ka.t - tCut).toBeLessThanOrEqual(3000 + TOL_UP)

    expect(ut.code).toBe('ETIMEDOUT')
    expect(ut.t - wrote.t).toBeGreaterThanOrEqual(2000 - TOL_DOWN)
    expect(ut.t - wrote.t).toBeLessThanOrEqual(2000 + TOL_UP)

    // TCP_USER_TIMEOUT overrides TCP_KEEPCNT: 3 s, not the 11 s that 10 probes would take
    expect(both.code).toBe('ETIMEDOUT')
    expect(both.t - accepted('keepaliveAndUserTimeout').t).toBeGreaterThanOrEqual(2500 - TOL_DOWN)
    expect(both.t - tCut).toBeLessThanOrEqual(3000 + TOL_UP)

    expect(hb.code).toBe('TD_PEER_TIMEOUT')
    expect(hb.t - tCut).toBeGreaterThanOrEqual(1500 - 300 - TOL_DOWN) // the last beat came at most one interval before the cut
    expect(hb.t - tCut).toBeLessThanOrEqual(1500 + TOL_UP)
    expect(events.filter((e) => e.ev === 'miss').length).toBeGreaterThanOrEqual(3) // 1.5 s / 300 ms, minus the first partial interval
  }, 60_000)
})
