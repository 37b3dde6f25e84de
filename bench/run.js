#!/usr/bin/env node
// npm run bench: builds SOCKETS established loopback sockets (default 300,000) in a private network
// namespace, spread over holder processes (20,000 open files per process is the cap here), then
// times tcpdoctor and the classic tools on the same sockets in one run and prints the ratios.
// Needs root. Env: BENCH_SOCKETS=N, BENCH_SKIP_SLOW=1 (skip ss -tanp and lsof, minutes at 300k).
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir, cpus, release } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 300_000)
const PER_PROC = 9_000 // connections per holder: 18,000 fds, under the 20,000 cap
const skipSlow = process.env.BENCH_SKIP_SLOW === '1'

if (process.getuid() !== 0) {
  console.error('bench: needs root (it builds a private network namespace)')
  process.exit(2)
}

const tmp = mkdtempSync(join(tmpdir(), 'tdbench-'))
for (const f of ['holder', 'floor', 'timeit']) execFileSync('cc', ['-O2', '-o', join(tmp, f), join(here, 'c', `${f}.c`)])
const ns = `tdbench${process.pid}`
const holders = []

let cleaned = false
function cleanup() {
  if (cleaned) return
  cleaned = true
  for (const h of holders) try { h.kill('SIGKILL') } catch {}
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)
    for (const p of pids) try { process.kill(Number(p), 'SIGKILL') } catch {}
    execFileSync('ip', ['netns', 'del', ns])
  } catch {}
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

execFileSync('ip', ['netns', 'add', ns])
execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000'])

const conns = Math.ceil(SOCKETS / 2)
const procs = Math.ceil(conns / PER_PROC)
console.log(`building ${conns * 2} established sockets in netns ${ns} with ${procs} holder processes...`)
const t0 = Date.now()
await Promise.all(
  Array.from({ length: procs }, (_, i) => {
    const n = Math.min(PER_PROC, conns - i * PER_PROC)
    const h = spawn('ip', ['netns', 'exec', ns, join(tmp, 'holder'), String(20000 + i), `127.1.${i}.1`, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] })
    holders.push(h)
    return new Promise((resolve, reject) => {
      h.stdout.on('data', (d) => (String(d).includes('READY') ? resolve() : undefined))
      h.on('exit', (c) => reject(new Error(`holder ${i} exited ${c}`)))
    })
  }),
)
console.log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

const node = process.execPath
const td = `${node} ${join(root, 'bin', 'tcpdoctor.js')}`
const inNs = (cmd) => `ip netns exec ${ns} sh -c ${JSON.stringify(cmd)}`
function time(cmd, runs) {
  const out = execFileSync(join(tmp, 'timeit'), [String(runs), inNs(cmd)], { encoding: 'utf8', maxBuffer: 1 << 20 }).trim().split(' ')
  return { s: Number(out[0]), rssMB: Number(out[1]) / 1024, code: Number(out[2]) }
}
function output(cmd) {
  return execFileSync('sh', ['-c', inNs(cmd)], { encoding: 'utf8', maxBuffer: 1 << 30 })
}

// Correctness first: the counts must agree.
const floorOut = output(join(tmp, 'floor'))
const tdStates = JSON.parse(output(`${td} states --json`))
const floorTotal = Number(/total (\d+)/.exec(floorOut)[1])
if (Math.abs(floorTotal - tdStates.total) > procs + 2) throw new Error(`count mismatch: floor ${floorTotal}, tcpdoctor ${tdStates.total}`)
console.log(`sockets counted: floor ${floorTotal}, tcpdoctor ${tdStates.total} (source ${tdStates.source})`)

writeFileSync(join(tmp, 'count.awk'), 'NR>1{c[$1]++} END{for(s in c) print s, c[s]}\n')
const awk = `awk -f ${join(tmp, 'count.awk')}`
// Warm-up: the first walk of /proc/*/fd instantiates a dentry per fd; every later walk (ours,
// ss -p's, lsof's) finds them cached. Walk once untimed so no tool pays it inside the timing.
output(`${td} who :1 >/dev/null || true`)
const r = {}
r.floor = time(`${join(tmp, 'floor')} >/dev/null`, 5)
r.addon = time(`${node} ${join(here, 'addon-dump.js')} >/dev/null`, 5)
r.states = time(`${td} states >/dev/null`, 5)
r.ssAwk = time(`ss -tan | ${awk} >/dev/null`, 3)
r.netstatAwk = time(`netstat -nat | ${awk} >/dev/null`, 1)
r.socketsProcess = time(`${td} sockets --process >/dev/null`, 3)
r.who = time(`${td} who :20000 >/dev/null`, 3)
if (!skipSlow) {
  console.log('timing ss -tanp and lsof (minutes at 300k sockets)...')
  r.ssP = time('ss -tanp >/dev/null', 1)
  r.lsof = time('lsof -nP -i:20000 >/dev/null', 1)
}

const x = (a, b) => (a && b ? (a.s / b.s).toFixed(1) + 'x' : 'skipped')
const rows = [
  ['`tcpdoctor states`', r.states, 'C netlink dump, counting states (floor)', r.floor, `${(r.states.s / r.floor.s).toFixed(2)}x the floor`, '<= 1.3x'],
  ['`tcpdoctor states`', r.states, 'addon dump alone, in Node (our floor)', r.addon, `${(r.states.s / r.addon.s).toFixed(2)}x the floor`, '<= 1.3x'],
  ['`tcpdoctor states`', r.states, "`ss -tan \\| awk`", r.ssAwk, `${x(r.ssAwk, r.states)} faster`, '>= 3x'],
  ['`tcpdoctor states`', r.states, "`netstat -nat \\| awk`", r.netstatAwk, `${x(r.netstatAwk, r.states)} faster`, '-'],
  ['`tcpdoctor sockets --process`', r.socketsProcess, '`ss -tanp`', r.ssP, `${x(r.ssP, r.socketsProcess)} faster`, '>= 30x'],
  ['`tcpdoctor who :PORT`', r.who, '`lsof -nP -i:PORT`', r.lsof, `${x(r.lsof, r.who)} faster`, '>= 20x'],
]
const f = (m) => (m ? `${m.s.toFixed(3)} s` : 'skipped')
const table = [
  `${floorTotal.toLocaleString('en-US')} ESTABLISHED loopback sockets, ${cpus().length} cores, kernel ${release()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| tcpdoctor | time | classic tool | time | ratio | target |',
  '|---|---|---|---|---|---|',
  ...rows.map(([a, am, b, bm, ratio, target]) => `| ${a} | ${f(am)} | ${b} | ${f(bm)} | ${ratio} | ${target} |`),
  `| \`tcpdoctor states\` peak RSS | ${r.states.rssMB.toFixed(1)} MB | | | | < 100 MB |`,
  `| \`tcpdoctor sockets --process\` peak RSS | ${r.socketsProcess.rssMB.toFixed(1)} MB | | | | - |`,
].join('\n')
console.log('\n' + table + '\n')
writeFileSync(join(here, 'results.md'), table + '\n')
writeFileSync(join(here, 'results.json'), JSON.stringify({ sockets: floorTotal, results: r }, null, 2) + '\n')
cleanup()
process.exit(0)
