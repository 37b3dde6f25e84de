#!/usr/bin/env node
// serve's sampling cost and a soak (SPEC 7, issue 12): in a private namespace holding sockets
// (loopback connections, both ends, in holder processes under the 20,000-fd cap), run
// `tcpdoctor serve --netns NS --interval 1` and read its CPU time from /proc/<pid>/stat:
//   1. 100,000 sockets for BENCH_CPU_S seconds (default 240, so the window holds a run of the
//      doctor, which at this size runs every 150-200 s): CPU % of one core (target < 10 %),
//      next to the floor: a bare C sock_diag dump (bench/c/floor.c) once a second.
//   2. 50,000 sockets for BENCH_SOAK_S seconds (default 600) with --raw-retention 120s (so the
//      retention runs during the soak): RSS every 10 s, its slope by least squares over the whole
//      soak and its second half (kB/min; flat is ~0), and the history rows and database size at
//      half time and at the end (bounded: 120 s of 1 s rows, plus the minute rows); serve runs
//      under V8 --trace-gc, and the live heap after each full collection gets its own slope.
// Either part is skipped when its variable is 0. Needs root.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const CPU_S = Number(process.env.BENCH_CPU_S ?? 240)
const SOAK_S = Number(process.env.BENCH_SOAK_S ?? 600)
const PER_PROC = 9000
// BENCH_PROFILE=DIR: serve runs under --cpu-prof into DIR, and the CPU part prints its top functions by self time.
const PROFILE = process.env.BENCH_PROFILE
if (process.getuid() !== 0) {
  console.error('bench/monitor: needs root (it builds a private network namespace)')
  process.exit(2)
}
const tmp = mkdtempSync(join(tmpdir(), 'tdmon-bench-'))
for (const f of ['holder', 'floor']) execFileSync('cc', ['-O2', '-o', join(tmp, f), join(here, 'c', `${f}.c`)])
const ns = `tdmon${process.pid}`
let kids = []
function cleanup() {
  for (const k of kids) try { k.kill('SIGKILL') } catch {}
  try {
    for (const p of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)) try { process.kill(Number(p), 'SIGKILL') } catch {}
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
  } catch {}
  rmSync(tmp, { recursive: true, force: true })
}
process.on('exit', cleanup)
process.on('SIGINT', () => process.exit(130))

let base = 20000
function holder(i, count) {
  const h = spawn('ip', ['netns', 'exec', ns, join(tmp, 'holder'), String(base + i), `127.1.${i}.1`, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] })
  kids.push(h)
  return new Promise((ok, fail) => {
    h.stdout.on('data', (d) => (String(d).includes('READY') ? ok(h) : undefined))
    h.on('exit', (c) => fail(new Error(`holder exited ${c}`)))
  })
}
async function sockets(n) {
  base += 100
  for (const k of kids) try { k.kill('SIGKILL') } catch {}
  kids = []
  for (const p of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)) try { process.kill(Number(p), 'SIGKILL') } catch {}
  while (execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim()) await sleep(100)
  const conns = Math.ceil(n / 2)
  const procs = Math.ceil(conns / PER_PROC)
  await Promise.all(Array.from({ length: procs }, (_, i) => holder(i, Math.min(PER_PROC, conns - i * PER_PROC))))
}
const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
function cpuS(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ')
  return (Number(f[11]) + Number(f[12])) / ticks
}
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1])
/**
 * Starts serve. With traceGc, V8's --trace-gc lines (printed on stdout) are read: after each full
 * (Mark-Compact) collection the live heap, so a leak in JavaScript is told apart from V8 growing
 * its heap lazily and from garbage not yet collected (which is what makes RSS saw).
 */
async function startServe(db, extra = [], { traceGc = false } = {}) {
  const prof = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []
  const v8 = traceGc ? ['--trace-gc'] : []
  const s = spawn(process.execPath, [...prof, ...v8, join(root, 'bin', 'tcpdoctor.js'), 'serve', '--netns', ns, '--interval', '1', '--listen', '127.0.0.1:0', '--db', db, '--json', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] })
  kids.push(s)
  const fullGcs = [] // { at: ms since serve started, afterMb }
  const started = Date.now()
  const url = await new Promise((ok, fail) => {
    let rest = ''
    s.stdout.on('data', (d) => {
      const lines = (rest + String(d)).split('\n')
      rest = lines.pop()
      for (const line of lines) {
        // e.g. "[123:0x5f]   61234 ms: Mark-Compact 95.3 (120.1) -> 70.2 (118.0) MB, ..."
        const gc = /Mark-Compact[^>]*-> ([\d.]+) \(/.exec(line)
        if (gc) fullGcs.push({ at: Date.now() - started, afterMb: Number(gc[1]) })
        else if (line.startsWith('{')) { try { ok(JSON.parse(line).url) } catch {} }
      }
    })
    s.on('exit', (c) => fail(new Error(`serve exited ${c}`)))
  })
  return { s, url, fullGcs }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
function slope(xs, ys) {
  const n = xs.length, mx = xs.reduce((a, b) => a + b) / n, my = ys.reduce((a, b) => a + b) / n
  let num = 0, den = 0
  for (let i = 0; i < n; i++) { num += (xs[i] - mx) * (ys[i] - my); den += (xs[i] - mx) ** 2 }
  return den ? num / den : 0
}
const dbBytes = (db) => readdirSync(dirname(db)).filter((f) => f.startsWith('h.db')).reduce((a, f) => a + statSync(join(dirname(db), f)).size, 0)

/** Prints the 25 functions with the most self time in the newest .cpuprofile of dir. */
function topFunctions(dir) {
  const f = readdirSync(dir).filter((x) => x.endsWith('.cpuprofile')).map((x) => join(dir, x)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]
  if (!f) return console.log(`no profile in ${dir}`)
  const p = JSON.parse(readFileSync(f, 'utf8'))
  const self = new Map()
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i])
    const cf = n.callFrame
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${cf.lineNumber + 1}`
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0))
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  console.log(`profile ${f}: ${(total / 1e6).toFixed(1)} s sampled`)
  for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(us / 1000).toFixed(0).padStart(7)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
}

execFileSync('ip', ['netns', 'add', ns])
execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_local_port_range=1024 65000'])

// 1. CPU at 100k (BENCH_CPU_S=0 skips it).
if (CPU_S > 0) {
  await sockets(100_000)
  const { s, url } = await startServe(join(tmp, 'cpu', 'h.db'))
  await sleep(5000) // start-up and the first owner walk out of the measurement
  const c0 = cpuS(s.pid), t0 = performance.now()
  // When the doctor ran in the window (findingsAt changes), asked every 10 s.
  const first = (await (await fetch(`${url}api/sample`)).json()).findingsAt
  const runs = new Set()
  while (performance.now() - t0 < CPU_S * 1000) {
    await sleep(Math.min(10_000, CPU_S * 1000 - (performance.now() - t0)))
    const at = (await (await fetch(`${url}api/sample`)).json()).findingsAt
    if (at !== first) runs.add(at)
  }
  const c1 = cpuS(s.pid), t1 = performance.now()
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  const sample = await (await fetch(`${url}api/sample`)).json()
  const pct = ((c1 - c0) / ((t1 - t0) / 1000)) * 100
  console.log(`serve --interval 1 at ${sample.total} sockets: ${pct.toFixed(1)} % of one core over ${CPU_S} s (target < 10 %); last sample took ${sample.tookMs.toFixed(0)} ms, the doctor ran ${runs.size} time(s) in the window; load average ${load}`)
  s.kill('SIGTERM')
  await new Promise((r) => s.once('exit', r))
  // The floor: the same dump from C, 10 times in the namespace; `times` prints the children's user and system time.
  const t = execFileSync('ip', ['netns', 'exec', ns, 'bash', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do ${join(tmp, 'floor')} >/dev/null; done; times`], { encoding: 'utf8' }).trim().split('\n').at(-1)
  const floorS = t.split(/\s+/).map((x) => { const m = /(\d+)m([\d.]+)s/.exec(x); return m ? Number(m[1]) * 60 + Number(m[2]) : 0 }).reduce((a, b) => a + b) / 10
  console.log(`floor: a C dump of the same sockets costs ${(floorS * 1000).toFixed(0)} ms of CPU, ${(floorS * 100).toFixed(1)} % of one core once a second; serve is ${(pct / (floorS * 100)).toFixed(2)}x that`)
  if (PROFILE) topFunctions(PROFILE)
}
// 2. Soak at 50k (BENCH_SOAK_S=0 skips it).
if (SOAK_S > 0) {
  await sockets(50_000)
  const db = join(tmp, 'soak', 'h.db')
  const RAW_S = 120
  const { s, url, fullGcs } = await startServe(db, ['--raw-retention', `${RAW_S}s`], { traceGc: true })
  await sleep(10_000)
  const xs = [], ys = []
  const t0 = Date.now()
  const rows = async () => {
    const h = await (await fetch(`${url}api/history?from=0`)).json()
    const raw = h.samples.filter((p) => p.step === 1).length
    const wal = (() => { try { return statSync(`${db}-wal`).size } catch { return 0 } })()
    return `${raw} 1 s rows + ${h.samples.length - raw} minute rows, database ${(dbBytes(db) / 1024).toFixed(0)} kB (of which WAL ${(wal / 1024).toFixed(0)} kB)`
  }
  let half = ''
  while (Date.now() - t0 < SOAK_S * 1000) {
    xs.push((Date.now() - t0) / 60_000)
    ys.push(rssKb(s.pid))
    if (!half && Date.now() - t0 >= (SOAK_S * 1000) / 2) half = await rows()
    await sleep(10_000)
  }
  const sample = await (await fetch(`${url}api/sample`)).json()
  const h2 = Math.floor(xs.length / 2)
  console.log(`soak ${SOAK_S} s at ${sample.total} sockets: RSS ${ys[0]} -> ${ys.at(-1)} kB (min ${Math.min(...ys)}, max ${Math.max(...ys)}), slope ${slope(xs, ys).toFixed(1)} kB/min, second half ${slope(xs.slice(h2), ys.slice(h2)).toFixed(1)} kB/min`)
  // RSS saws up and down with the doctor's and the owner walk's garbage; a leak raises the floor.
  // The floor: the lowest RSS of each minute, and its slope.
  const mins = new Map()
  xs.forEach((x, i) => mins.set(Math.floor(x), Math.min(mins.get(Math.floor(x)) ?? Infinity, ys[i])))
  const mx = [...mins.keys()], my = [...mins.values()]
  console.log(`  RSS floor per minute (kB): ${my.join(' ')}; slope ${slope(mx, my).toFixed(1)} kB/min`)
  // The live JavaScript heap after each full collection: a leak in JS makes this climb.
  const soakGcs = fullGcs.filter((g) => g.at >= 10_000)
  if (soakGcs.length >= 2) {
    const gx = soakGcs.map((g) => (g.at - 10_000) / 60_000), gy = soakGcs.map((g) => g.afterMb * 1024)
    const gh = Math.floor(gx.length / 2)
    console.log(`  heap after full GC: ${soakGcs.length} Mark-Compacts, ${gy[0].toFixed(0)} -> ${gy.at(-1).toFixed(0)} kB (min ${Math.min(...gy).toFixed(0)}, max ${Math.max(...gy).toFixed(0)}), slope ${slope(gx, gy).toFixed(1)} kB/min, second half ${slope(gx.slice(gh), gy.slice(gh)).toFixed(1)} kB/min`)
  } else console.log(`  heap after full GC: ${soakGcs.length} Mark-Compact(s) in the soak: too few for a slope`)
  console.log(`  history (--raw-retention ${RAW_S}s: at most ${RAW_S + 60} 1 s rows): at half time ${half}; at the end ${await rows()}`)
  s.kill('SIGTERM')
  await new Promise((r) => s.once('exit', r))
}
// The holders' pipes would keep the loop alive: exit (the exit handler cleans up).
process.exit(0)
