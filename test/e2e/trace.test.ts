/**
 * `trace` against traceroute and mtr on the same five-namespace chain (test/helpers/topology.ts):
 * r2 sends no ICMP time exceeded (a router that does not answer), 5 ms each way on r2–r3
 * through a TUN relay, TCP port 8080 open on the server. Same hop list as traceroute for UDP,
 * ICMP and TCP probes; per-hop average RTT within 0.1 ms + 5 % of mtr's; a second chain with
 * 30 % of UDP probes dropped by nftables numgen on r2 gives loss per hop within the binomial
 * tolerance of what was planted, as mtr's does. Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { buildTopology, type Topology } from '../helpers/topology.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'traceroute'], ['tool', 'mtr'], ['tool', 'python3'], ['tool', 'nft'], ['tool', 'setpriv'], ['tool', 'script'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all']
const tolerance = (p: number, n: number): number => 300 * Math.sqrt((p * (1 - p)) / n)

function td(topo: Topology, args: string[], asNobody = false, ns?: string): { json: any; stdout: string; stderr: string; status: number } {
  const cmd = asNobody ? [...NOBODY, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args]
  const r = topo.exec(ns ?? topo.ns.client, cmd[0]!, cmd.slice(1), { allowFail: true, timeout: 50_000 })
  let json: any
  try {
    json = JSON.parse(r.stdout)
  } catch {
    json = undefined
  }
  return { ...r, json }
}

/** traceroute -n -q 1 output -> one address (or null for '*') per hop */
function tracerouteHops(out: string): (string | null)[] {
  return out.split('\n').slice(1).filter((l) => /^\s*\d+\s/.test(l)).map((l) => {
    const f = l.trim().split(/\s+/)
    return f[1] === '*' ? null : f[1]!
  })
}

/** mtr -n -r -c N report -> { host, loss, avg } per hop */
function mtrReport(out: string): { host: string | null; loss: number; avg: number; best: number; stdev: number }[] {
  return out.split('\n').filter((l) => /^\s*\d+\.\|--/.test(l)).map((l) => {
    const f = l.trim().split(/\s+/)
    return { host: f[1] === '???' ? null : f[1]!, loss: Number(f[2]!.replace('%', '')), avg: Number(f[5]), best: Number(f[6]), stdev: Number(f[8]) }
  })
}

describe.skipIf(skip)('trace on a namespace chain with a silent router, traceroute and mtr as oracles', () => {
  let topo: Topology
  beforeAll(() => {
    topo = buildTopology({ delayMs: 5, silentR2: true, tcp: true })
  })
  afterAll(() => topo?.destroy())

  it.each([
    ['udp', [], ['-U']],
    ['icmp', ['-I'], ['-I']],
    ['tcp', ['-T', '-p', '8080'], ['-T', '-p', '8080']],
  ] as const)('%s probes: the same hop list as traceroute, the silent router as a gap', (method, ours, theirs) => {
    const r = td(topo, ['trace', '--json', '-W', '1', ...ours, topo.server4])
    expect(r.status, r.stderr).toBe(0)
    expect(r.json.method).toBe(method)
    expect(r.json.reached).toBe(true)
    const oracle = tracerouteHops(topo.exec(topo.ns.client, 'traceroute', ['-n', '-q', '1', '-w', '1', ...theirs, topo.server4]).stdout)
    expect(r.json.hops.map((h: any) => h.address)).toEqual(oracle)
    expect(oracle).toEqual(['10.9.0.2', null, '10.9.2.2', '10.9.3.2'])
    for (const h of r.json.hops) expect(Object.keys(h)).toEqual(expect.arrayContaining(['ttl', 'address', 'sent', 'loss', 'rtt']))
  })

  it('UDP and TCP traces need no privilege (IP_RECVERR), ICMP uses the ping socket when allowed; IPv6 works too', () => {
    for (const args of [[], ['-T', '-p', '8080']]) {
      const r = td(topo, ['trace', '--json', '-W', '1', ...args, topo.server4], true)
      expect(r.status, r.stderr).toBe(0)
      expect(r.json.hops.map((h: any) => h.address)).toEqual(['10.9.0.2', null, '10.9.2.2', '10.9.3.2'])
    }
    // ICMP probes through the unprivileged ping socket, where ping_group_range admits the group
    topo.exec(topo.ns.client, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=0 2147483647'])
    try {
      const icmp = td(topo, ['trace', '--json', '-I', '-W', '1', topo.server4], true)
      expect(icmp.json.socket).toBe('icmp')
      expect(icmp.json.hops.map((h: any) => h.address)).toEqual(['10.9.0.2', null, '10.9.2.2', '10.9.3.2'])
    } finally {
      topo.exec(topo.ns.client, 'sysctl', ['-qw', 'net.ipv4.ping_group_range=1 0'])
    }
    expect(td(topo, ['trace', '--json', '-I', topo.server4], true).json.error.code).toBe('TD_PERMISSION')
    const r6 = td(topo, ['trace', '--json', '-W', '1', topo.server6], true)
    const oracle = tracerouteHops(topo.exec(topo.ns.client, 'traceroute', ['-6', '-n', '-q', '1', '-w', '1', topo.server6]).stdout)
    expect(r6.json.hops.map((h: any) => h.address)).toEqual(oracle)
  })

  it('--rounds: per-hop best and average RTT within 0.1 ms + 5 % of mtr running at the same moment on the same path', async () => {
    const n = 30
    const run = (cmd: string, args: string[]): Promise<string> =>
      new Promise((resolve, reject) => {
        const c = spawn('ip', ['netns', 'exec', topo.ns.client, cmd, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
        let out = ''
        c.stdout.on('data', (d: Buffer) => (out += d.toString()))
        c.on('error', reject)
        c.on('exit', () => resolve(out))
      })
    const [a, b] = await Promise.all([
      run(process.execPath, [BIN, 'trace', '--json', '-I', '--rounds', String(n), '-i', '0.05', '-W', '1', topo.server4]),
      run('mtr', ['-n', '-r', '-c', String(n), '-i', '0.05', topo.server4]),
    ])
    const ours = JSON.parse(a)
    const theirs = mtrReport(b)
    expect(ours.hops.map((h: any) => h.address)).toEqual(theirs.map((h) => h.host))
    ours.hops.forEach((h: any, i: number) => {
      const m = theirs[i]!
      if (m.host === null) {
        expect(h.loss).toBe(100)
        expect(m.loss).toBe(100)
        expect(h.nodeLoss).toBe(100) // pathping: the node's own loss, not the path's
        return
      }
      expect(h.sent).toBe(n)
      // the best RTT has no scheduling noise in it: 0.1 ms + 5 % (mtr prints one decimal)
      expect(Math.abs(h.rtt.best - m.best), `hop ${h.ttl}: best ${h.rtt.best} vs mtr ${m.best}`).toBeLessThanOrEqual(0.1 + 0.05 * m.best)
      // averages of n samples also differ by sampling noise (the relay is a python process on a
      // loaded machine): 0.1 ms + 5 % + 3 standard errors of the difference of the two means
      const se = Math.sqrt((h.rtt.stdev ** 2 + m.stdev ** 2) / n)
      expect(Math.abs(h.rtt.avg - m.avg), `hop ${h.ttl}: avg ${h.rtt.avg} vs mtr ${m.avg} (se ${se})`).toBeLessThanOrEqual(0.1 + 0.05 * m.avg + 3 * se)
    })
    expect(ours.hops[3].linkLoss).toBe(0)
  })

  it('--rounds on a terminal redraws a live table; Ctrl-C prints the statistics so far', async () => {
    // script(1) gives the command a pseudo-terminal; ^C on it is SIGINT to the foreground process
    const c = spawn('ip', ['netns', 'exec', topo.ns.client, 'script', '-qfc', `${process.execPath} ${BIN} trace --rounds 1000 -i 0.05 ${topo.server4}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] })
    let out = ''
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()))
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no live view: ${JSON.stringify(out.slice(-500))}`)), 20_000)
      const iv = setInterval(() => {
        if ((out.match(/\x1b\[2J/g) ?? []).length >= 3) {
          clearInterval(iv)
          clearTimeout(t)
          resolve()
        }
      }, 20)
    })
    c.stdin!.write('\x03')
    const code = await new Promise<number | null>((resolve) => c.on('exit', resolve))
    const last = out.split('\x1b[H\x1b[2J').at(-1)!
    expect(last).toMatch(/interrupted: statistics so far/)
    expect(last).toMatch(/^\s+4\s+10\.9\.3\.2\s+0\.0\s+\d+/m)
    expect(code).toBe(0)
  })

  it('bad input is a coded error with exit 2', () => {
    for (const [args, code] of [
      [['-m', '0'], 'TD_INVALID_ARGUMENT'],
      [['-m', '256'], 'TD_INVALID_ARGUMENT'],
      [['-f', '5', '-m', '3'], 'TD_INVALID_ARGUMENT'],
      [['--rounds', '0'], 'TD_INVALID_ARGUMENT'],
      [['-T', '-p', '0'], 'TD_INVALID_ARGUMENT'],
      [['-T', '-p', '70000'], 'TD_INVALID_ARGUMENT'],
      [['-I', '-T'], 'TD_USAGE'],
    ] as const) {
      const r = td(topo, ['trace', '--json', ...args, topo.server4])
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.json?.error?.code, args.join(' ')).toBe(code)
    }
    expect(td(topo, ['trace', '--json', 'no-such-host.invalid']).json.error.code).toBe('TD_RESOLVE')
    expect(td(topo, ['trace', '--json', '-6', 'fd99::1'], false, topo.ns.r2).json.error.code).toBe('TD_NO_ROUTE')
  })
})

describe.skipIf(skip)('trace --rounds: loss per hop within the binomial tolerance of the loss nftables plants', () => {
  let topo: Topology
  beforeAll(() => {
    topo = buildTopology({ loss: { router: 2, pct: 30, proto: 'udp' } })
  })
  afterAll(() => topo?.destroy())

  it('hops before r2 lose nothing, hops after it lose 30 % (and so does mtr)', () => {
    const n = 100
    const ours = td(topo, ['trace', '--json', '--rounds', String(n), '-i', '0.02', '-W', '2', topo.server4]).json
    expect(ours.hops.map((h: any) => h.address)).toEqual(topo.hops4)
    const theirs = mtrReport(topo.exec(topo.ns.client, 'mtr', ['-n', '-r', '-u', '-c', String(n), '-i', '0.02', '--timeout', '2', topo.server4]).stdout)
    const planted = [0, 0, 30, 30]
    ours.hops.forEach((h: any, i: number) => {
      expect(h.sent).toBe(n)
      const tol = planted[i] ? tolerance(planted[i]! / 100, n) : 0
      expect(Math.abs(h.loss - planted[i]!), `hop ${h.ttl} loss ${h.loss}`).toBeLessThanOrEqual(tol)
      expect(Math.abs(theirs[i]!.loss - planted[i]!), `mtr hop ${i + 1} loss ${theirs[i]!.loss}`).toBeLessThanOrEqual(tol)
    })
    // pathping: the loss starts on the link into hop 3 (r2 -> r3) and is not r3's own
    expect(Math.abs(ours.hops[2].linkLoss - 30)).toBeLessThanOrEqual(tolerance(0.3, n))
    expect(ours.hops[1].linkLoss).toBe(0)
    // hop 4's samples are independent of hop 3's: the difference is noise of about sqrt(2) sigma
    expect(ours.hops[3].linkLoss).toBeLessThanOrEqual(1.5 * tolerance(0.3, n))
  })
})
