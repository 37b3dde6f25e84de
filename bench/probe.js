#!/usr/bin/env node
// bench/probe.js: the probe targets of SPEC 7 / issue 11, measured in one run on a namespace
// chain (test/helpers/topology.ts): client - r1 - r2 - r3 - server, 5 ms each way on r2-r3
// through a TUN relay.
//  1. ping: median RTT of 100 probes vs iputils ping, both running at the same moment on the
//     same path (target: within 0.1 ms), to the first router (veth) and to the server (relay).
//  2. trace --rounds 100: loss per hop vs the loss nftables plants on r2 (30 % of UDP probes),
//     within the binomial tolerance (3 sigma).
//  3. the time to a full trace vs `mtr -r -c 1` (target: no longer), both UDP and ICMP, with
//     r2 silent (no time exceeded) as in the tests, wall time including Node's start-up.
// Needs root, iproute2, nftables, python3, iputils-ping, mtr, a built dist/ and the addon.
// Usage: node bench/probe.js [--json]
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BIN = join(root, 'bin', 'tcpdoctor.js')
const tmp = mkdtempSync(join(tmpdir(), 'tdpr-bench-'))
await build({ entryPoints: [join(root, 'test/helpers/topology.ts')], bundle: true, platform: 'node', format: 'esm', outfile: join(tmp, 'topology.mjs'), logLevel: 'error' })
const { buildTopology } = await import(pathToFileURL(join(tmp, 'topology.mjs')).href)

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const run = (ns, cmd, args) =>
  new Promise((resolve) => {
    const t0 = process.hrtime.bigint()
    const c = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (out += d))
    c.on('exit', (code) => resolve({ out, code, ms: Number(process.hrtime.bigint() - t0) / 1e6 }))
  })
const wall = (ns, cmd, args, times = 5) => {
  const ms = []
  for (let i = 0; i < times; i++) {
    const t0 = process.hrtime.bigint()
    spawnSync('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: 'ignore' })
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  return median(ms)
}

const rows = []
const topos = []
try {
  // 1. ping RTT vs iputils, concurrently on the same path
  const a = buildTopology({ delayMs: 5 })
  topos.push(a)
  for (const [label, addr] of [['r1 (veth)', '10.9.0.2'], ['server (relay)', '10.9.3.2']]) {
    const [ours, theirs] = await Promise.all([
      run(a.ns.client, process.execPath, [BIN, 'ping', '--json', '-c', '100', '-i', '0.02', '-W', '1', addr]),
      run(a.ns.client, 'ping', ['-n', '-c', '100', '-i', '0.02', '-W', '1', addr]),
    ])
    const mine = JSON.parse(ours.out).probes.filter((p) => p.outcome === 'reply').map((p) => p.rtt)
    const base = [...theirs.out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]))
    const m1 = median(mine)
    const m2 = median(base)
    rows.push({ target: `ping median RTT, 100 probes, ${label}`, tcpdoctor: `${m1.toFixed(3)} ms`, classic: `${m2.toFixed(3)} ms (iputils)`, result: `diff ${(m1 - m2).toFixed(3)} ms`, pass: Math.abs(m1 - m2) <= 0.1 })
  }
  // 3. full trace time vs mtr -r -c 1, r2 silent
  const s = buildTopology({ delayMs: 5, silentR2: true })
  topos.push(s)
  const nodeFloor = wall(s.ns.client, process.execPath, ['-e', '0'])
  for (const [topo, where, label, ours, theirs] of [
    [a, 'every hop answers', 'UDP', ['trace', '-W', '2', '10.9.3.2'], ['-n', '-r', '-c', '1', '-u', '10.9.3.2']],
    [a, 'every hop answers', 'ICMP', ['trace', '-I', '-W', '2', '10.9.3.2'], ['-n', '-r', '-c', '1', '10.9.3.2']],
    [s, 'silent hop 2', 'UDP', ['trace', '-W', '2', '10.9.3.2'], ['-n', '-r', '-c', '1', '-u', '10.9.3.2']],
    [s, 'silent hop 2', 'ICMP', ['trace', '-I', '-W', '2', '10.9.3.2'], ['-n', '-r', '-c', '1', '10.9.3.2']],
  ]) {
    const t1 = wall(topo.ns.client, process.execPath, [BIN, ...ours])
    const t2 = wall(topo.ns.client, 'mtr', theirs)
    if (label === 'UDP') {
      // context, not a target: traceroute waits for every probe (mtr's -r adds a 5 s grace time)
      const t3 = wall(topo.ns.client, 'traceroute', ['-n', '-q', '1', '-w', '2', '10.9.3.2'])
      rows.push({ target: `full trace, UDP, ${where}: traceroute -q 1 (context)`, tcpdoctor: `${t1.toFixed(0)} ms`, classic: `${t3.toFixed(0)} ms (traceroute)`, result: `${(t3 / t1).toFixed(1)}x`, pass: true })
    }
    rows.push({ target: `full trace, ${label}, ${where} (median of 5)`, tcpdoctor: `${t1.toFixed(0)} ms (${(t1 - nodeFloor).toFixed(0)} ms own)`, classic: `${t2.toFixed(0)} ms (mtr -r -c 1)`, result: `${(t2 / t1).toFixed(1)}x faster`, pass: t1 <= t2 })
  }
  // 2. loss per hop vs planted
  const l = buildTopology({ loss: { router: 2, pct: 30, proto: 'udp' } })
  topos.push(l)
  const n = 100
  const tr = JSON.parse((await run(l.ns.client, process.execPath, [BIN, 'trace', '--json', '--rounds', String(n), '-i', '0.02', '-W', '2', '10.9.3.2'])).out)
  const planted = [0, 0, 30, 30]
  tr.hops.forEach((h, i) => {
    const p = planted[i] / 100
    const tol = 300 * Math.sqrt((p * (1 - p)) / n)
    rows.push({ target: `trace --rounds ${n} loss, hop ${h.ttl} ${h.address}`, tcpdoctor: `${h.loss.toFixed(1)} % (link ${h.linkLoss.toFixed(1)} %)`, classic: `${planted[i]} % planted`, result: `|diff| ${Math.abs(h.loss - planted[i]).toFixed(1)} <= ${tol.toFixed(1)}`, pass: Math.abs(h.loss - planted[i]) <= tol })
  })
} finally {
  for (const t of topos) t.destroy()
  rmSync(tmp, { recursive: true, force: true })
}

if (process.argv.includes('--json')) console.log(JSON.stringify(rows, null, 2))
else {
  const cols = ['target', 'tcpdoctor', 'classic', 'result', 'pass']
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)))
  const line = (cells) => cells.map((c, i) => String(c).padEnd(w[i])).join('  ')
  console.log(line(cols))
  for (const r of rows) console.log(line(cols.map((c) => (c === 'pass' ? (r.pass ? 'yes' : 'NO') : r[c]))))
}
process.exitCode = rows.every((r) => r.pass) ? 0 : 1
