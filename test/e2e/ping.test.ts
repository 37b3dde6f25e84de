/**
 * `ping` against iputils ping on the same five-namespace chain (test/helpers/topology.ts: 5 ms
 * each way on r2–r3 through a TUN relay, 20 % of echo requests dropped by nftables numgen on
 * r1), run at the same moment: same reply TTL, median RTT within 0.1 ms + 5 %, loss within the
 * binomial tolerance of the planted 20 %. Then the TCP classification (open / refused /
 * filtered / unreachable) without privileges, the ping-socket and permission paths, bad input
 * and Ctrl-C. Needs a built dist/ (npx tsc -p tsconfig.build.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { buildTopology, type Topology } from '../helpers/topology.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ping'], ['tool', 'python3'], ['tool', 'nft'], ['tool', 'setpriv'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all']

let topo: Topology
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
/** 3 standard deviations of a binomial proportion, in percent */
const tolerance = (p: number, n: number): number => 300 * Math.sqrt((p * (1 - p)) / n)

function td(args: string[], opts: { ns?: string; asNobody?: boolean; env?: NodeJS.ProcessEnv } = {}): { json: any; stdout: string; stderr: string; status: number } {
  const cmd = opts.asNobody ? [...NOBODY, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args]
  const r = topo.exec(opts.ns ?? topo.ns.client, cmd[0]!, cmd.slice(1), { allowFail: true, timeout: 50_000, env: opts.env })
  let json: any
  try {
    json = JSON.parse(r.stdout)
  } catch {
    json = undefined
  }
  return { ...r, json }
}

/** Runs tcpdoctor and iputils ping at the same time in the client namespace. */
async function both(tdArgs: string[], pingArgs: string[]): Promise<[any, string]> {
  const run = (cmd: string, args: string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      const c = spawn('ip', ['netns', 'exec', topo.ns.client, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      c.stdout.on('data', (d: Buffer) => (out += d.toString()))
      c.stderr.on('data', (d: Buffer) => (out += d.toString()))
      c.on('error', reject)
      c.on('exit', () => resolve(out))
    })
  const [a, b] = await Promise.all([run(process.execPath, [BIN, ...tdArgs]), run('ping', pingArgs)])
  return [JSON.parse(a), b]
}

function iputils(out: string): { rtts: number[]; ttl: number; sent: number; received: number; loss: number } {
  const rtts = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]))
  const ttl = Number(/ttl=(\d+)/.exec(out)?.[1])
  const m = /(\d+) packets transmitted, (\d+) received.*?([\d.]+)% packet loss/.exec(out)!
  return { rtts, ttl, sent: Number(m[1]), received: Number(m[2]), loss: Number(m[3]) }
}

describe.skipIf(skip)('ping on a namespace chain, iputils ping as the oracle', () => {
  beforeAll(() => {
    topo = buildTopology({ delayMs: 5, tcp: true, loss: { router: 1, pct: 20, proto: 'icmp' } })
  })
  afterAll(() => topo?.destroy())

  it.each([4, 6] as const)('IPv%i: same TTL, median RTT within 0.1 ms + 5 %, loss within the binomial tolerance of the planted 20 %', async (family) => {
    const addr = family === 4 ? topo.server4 : topo.server6
    const n = 100
    const [ours, theirs] = await both(['ping', '--json', '-c', String(n), '-i', '0.01', '-W', '2', addr], ['-n', `-${family}`, '-c', String(n), '-i', '0.01', '-W', '2', addr])
    const base = iputils(theirs)
    expect(ours.mode).toBe('raw') // ping_group_range is "1 0" here: root falls back to the raw socket
    expect(ours.sent).toBe(n)
    expect(ours.ttl).toBe(base.ttl)
    expect(ours.ttl).toBe(61)
    expect(ours.hops).toBe(4)
    const mine = ours.probes.filter((p: any) => p.outcome === 'reply').map((p: any) => p.rtt)
    const m1 = median(mine)
    const m2 = median(base.rtts)
    expect(Math.abs(m1 - m2), `median ${m1} vs iputils ${m2}`).toBeLessThanOrEqual(0.1 + 0.05 * m2)
    for (const loss of [ours.loss, base.loss]) expect(Math.abs(loss - 20)).toBeLessThanOrEqual(tolerance(0.2, n))
    expect(ours.rtt.min).toBeGreaterThanOrEqual(10) // 2 x 5 ms through the relay
    expect(Object.keys(ours)).toEqual(expect.arrayContaining(['target', 'address', 'mode', 'sent', 'received', 'loss', 'rtt', 'ttl', 'hops', 'probes']))
    expect(Object.keys(ours.rtt)).toEqual(expect.arrayContaining(['min', 'avg', 'max', 'mdev', 'jitter']))
  })

  it('uses the unprivileged ping socket when ping_group_range admits the group, and names the sysctl and CAP_NET_RAW when nothing is allowed', () => {
    const denied = td(['ping', '--json', '-c', '1', topo.server4], { asNobody: true })
    expect(denied.status).toBe(2)
    expect(denied.json.error.code).toBe('TD_PERMISSION')
    expect(denied.json.error.message).toMatch(/ping_group_range.*"1 0".*CAP_NET_RAW/)
    topo.exec(topo.ns.client, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=0 2147483647'])
    try {
      const ok = td(['ping', '--json', '-c', '2', '-i', '0.2', '-W', '2', '-s', '100', '10.9.0.2'], { asNobody: true })
      expect(ok.status).toBe(0)
      expect(ok.json.mode).toBe('icmp')
      expect(ok.json.received).toBe(2)
      expect(ok.json.ttl).toBe(64)
      expect(ok.json.hops).toBe(1)
    } finally {
      topo.exec(topo.ns.client, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=1 0'])
    }
  })

  it('--tcp classifies open, refused (RST), filtered (dropped SYN) and unreachable (ICMP from r1), unprivileged', () => {
    const run = (port: number, host = topo.server4) => td(['ping', '--json', '-c', '2', '-i', '0.2', '-W', '0.5', '--tcp', String(port), host], { asNobody: true })
    const open = run(8080)
    expect(open.json.mode).toBe('tcp')
    expect(open.json.probes.map((p: any) => p.outcome)).toEqual(['open', 'open'])
    expect(open.json.rtt.min).toBeGreaterThanOrEqual(10)
    expect(open.status).toBe(0)
    const refused = run(81)
    expect(refused.json.probes.map((p: any) => p.outcome)).toEqual(['refused', 'refused'])
    expect(refused.status).toBe(1)
    const filtered = run(8081)
    expect(filtered.json.probes.map((p: any) => p.outcome)).toEqual(['filtered', 'filtered'])
    expect(filtered.json.received).toBe(0)
    const unreachable = run(80, '10.9.7.1') // r1 has no route: ICMP net unreachable from 10.9.0.2
    expect(unreachable.json.probes.map((p: any) => p.outcome)).toEqual(['unreachable', 'unreachable'])
    expect(unreachable.json.probes[0].from).toBe('10.9.0.2')
    // without the addon, Node's connect() classifies the same way (no TTL, no ICMP sender)
    const env = { ...process.env, TCPDOCTOR_NO_NATIVE: '1' }
    const plain = (port: number, host = topo.server4) => td(['ping', '--json', '-c', '1', '-W', '0.5', '--tcp', String(port), host], { env }).json.probes[0].outcome
    expect([plain(8080), plain(81), plain(8081), plain(80, '10.9.7.1')]).toEqual(['open', 'refused', 'filtered', 'unreachable'])
  })

  it('bad input is a coded error with exit 2, never a hang or a stack trace', () => {
    const cases: [string[], string, string?][] = [
      [['-c', '0', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['--tcp', '0', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['--tcp', '70000', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['-t', '0', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['-t', '256', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['-c', 'x', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['-6', topo.server4], 'TD_INVALID_ARGUMENT'],
      [['no-such-host.invalid'], 'TD_RESOLVE'],
      [[], 'TD_USAGE'],
      [['-6', '-c', '1', 'fd99::1'], 'TD_NO_ROUTE', topo.ns.r2], // r2 has no IPv6 default route
    ]
    for (const [args, code, ns] of cases) {
      const r = td(['ping', '--json', ...args], { ns })
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.json?.error?.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(code)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('Ctrl-C prints the statistics so far, as ping does', async () => {
    const c = spawn('ip', ['netns', 'exec', topo.ns.client, process.execPath, BIN, 'ping', '-i', '0.1', topo.server4], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    c.stdout.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no replies: ${out}`)), 20_000)
      const iv = setInterval(() => {
        if ((out.match(/bytes from/g) ?? []).length >= 3) {
          clearInterval(iv)
          clearTimeout(t)
          resolve()
        }
      }, 20)
    })
    c.kill('SIGINT')
    const code = await new Promise<number | null>((resolve) => c.on('exit', resolve))
    expect(out).toMatch(/--- 10\.9\.3\.2 ping statistics ---/)
    expect(out).toMatch(/\d+ packets transmitted, \d+ received/)
    expect(out).toMatch(/rtt min\/avg\/max\/mdev = /)
    expect(code).toBe(0)
  })
})
