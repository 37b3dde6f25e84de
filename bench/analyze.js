#!/usr/bin/env node
// bench/analyze.js: `tcpdoctor analyze --json` vs `tshark -q -z conv,tcp -r` vs the read floor
// `tcpdump -r F -w /dev/null`, on the same file in one run (SPEC section 7).
// The capture is SYNTHETIC: generated here (not captured) as N connections x 10 packets over
// Ethernet/IPv4 (SYN, SYN/ACK, ACK, data, ACK, data, ACK, FIN, FIN/ACK, ACK), interleaved so
// that CONCURRENT connections are open at once. Default: 100,000 connections = 1,000,000 packets.
// Usage: node bench/analyze.js [connections] [--keep FILE] [--big CONNECTIONS [--keep-big FILE]]
//   --big (or BENCH_ANALYZE_BIG=1100000): also run analyze on a second file of that many
//   connections (1,100,000 = 1 GiB), the same 1,000 open at once, and compare peak RSS: streamed,
//   it must not grow with the file (only the per-4-tuple memory does, tens of bytes each).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, openSync, rmSync, statSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// The connection count is the first argument when it is a number (`--keep F` alone keeps the default).
const conns = /^\d+$/.test(process.argv[2] ?? '') ? Number(process.argv[2]) : 100_000
const keepAt = process.argv.indexOf('--keep')
const dir = mkdtempSync(join(tmpdir(), 'tdpk-bench-'))
const file = keepAt > 0 ? process.argv[keepAt + 1] : join(dir, 'bench.pcap')
const bigAt = process.argv.indexOf('--big')
const bigConns = bigAt > 0 ? Number(process.argv[bigAt + 1]) : Number(process.env.BENCH_ANALYZE_BIG ?? 0)
const keepBigAt = process.argv.indexOf('--keep-big')
const bigFile = keepBigAt > 0 ? process.argv[keepBigAt + 1] : join(dir, 'big.pcap')

function generate(path, n) {
  const fd = openSync(path, 'w')
  const head = Buffer.alloc(24)
  head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6)
  head.writeUInt32LE(262144, 16); head.writeUInt32LE(1, 20)
  writeSync(fd, head)
  const CONCURRENT = 1000
  const out = Buffer.alloc(8 << 20)
  let o = 0
  let ts = 1_700_000_000
  const flush = () => { writeSync(fd, out, 0, o); o = 0 }
  const pkt = (c, fromClient, flags, seq, ack, len) => {
    if (o + 16 + 54 + len > out.length) flush()
    const total = 54 + len
    const usec = Math.round((ts % 1) * 1e6)
    out.writeUInt32LE(Math.floor(ts), o); out.writeUInt32LE(usec, o + 4); out.writeUInt32LE(total, o + 8); out.writeUInt32LE(total, o + 12)
    const p = o + 16
    out.fill(0, p, p + total)
    out.writeUInt16BE(0x0800, p + 12)
    out[p + 14] = 0x45; out.writeUInt16BE(40 + len, p + 16); out[p + 22] = 64; out[p + 23] = 6
    const cli = (10 << 24) | (c >>> 16 & 255) << 16 | (c >>> 8 & 255) << 8 | (c & 255)
    const srv = (192 << 24) | (168 << 16) | 1
    const cport = 1024 + (c % 60000), sport = 80
    out.writeUInt32BE((fromClient ? cli : srv) >>> 0, p + 26); out.writeUInt32BE((fromClient ? srv : cli) >>> 0, p + 30)
    const t = p + 34
    out.writeUInt16BE(fromClient ? cport : sport, t); out.writeUInt16BE(fromClient ? sport : cport, t + 2)
    out.writeUInt32BE(seq >>> 0, t + 4); out.writeUInt32BE(ack >>> 0, t + 8)
    out[t + 12] = 0x50; out[t + 13] = flags; out.writeUInt16BE(65535, t + 14)
    o += 16 + total
    ts += 0.00001
  }
  // steps of one connection; run CONCURRENT connections round-robin
  const step = (c, s) => {
    const ci = 1000 + c, si = 5000 + c
    switch (s) {
      case 0: return pkt(c, true, 0x02, ci, 0, 0)
      case 1: return pkt(c, false, 0x12, si, ci + 1, 0)
      case 2: return pkt(c, true, 0x10, ci + 1, si + 1, 0)
      case 3: return pkt(c, true, 0x18, ci + 1, si + 1, 100)
      case 4: return pkt(c, false, 0x10, si + 1, ci + 101, 0)
      case 5: return pkt(c, false, 0x18, si + 1, ci + 101, 200)
      case 6: return pkt(c, true, 0x10, ci + 101, si + 201, 0)
      case 7: return pkt(c, true, 0x11, ci + 101, si + 201, 0)
      case 8: return pkt(c, false, 0x11, si + 201, ci + 102, 0)
      case 9: return pkt(c, true, 0x10, ci + 102, si + 202, 0)
    }
  }
  for (let base = 0; base < n; base += CONCURRENT) {
    const m = Math.min(CONCURRENT, n - base)
    for (let s = 0; s < 10; s++) for (let i = 0; i < m; i++) step(base + i, s)
  }
  flush()
  closeSync(fd)
}

const haveTime = existsSync('/usr/bin/time')
function run(label, cmd, args) {
  const full = haveTime ? ['/usr/bin/time', ['-f', '%e %M', cmd, ...args]] : [cmd, args]
  const t0 = process.hrtime.bigint()
  const r = spawnSync(full[0], full[1], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 })
  const secs = Number(process.hrtime.bigint() - t0) / 1e9
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr.slice(-500)}`)
  const m = haveTime ? /(\d+\.\d+) (\d+)\s*$/.exec(r.stderr) : null
  return { label, secs, rssMB: m ? Number(m[2]) / 1024 : NaN }
}

try {
  if (!existsSync(file)) generate(file, conns)
  const size = statSync(file).size
  console.log(`capture: ${file} (synthetic, ${conns} connections, ${conns * 10} packets, ${(size / 1048576).toFixed(1)} MiB)`)
  const node = process.execPath
  const floorNode = run('node -e 0', node, ['-e', '0'])
  // bin/tcpdoctor: what users run (starts from the V8 snapshot when npm install built one)
  const ours = run('tcpdoctor analyze --json', join(root, 'bin', 'tcpdoctor'), ['analyze', '--json', file])
  const tcpdump = run('tcpdump -r F -w /dev/null', 'tcpdump', ['-r', file, '-w', '/dev/null'])
  const tshark = process.env.SKIP_TSHARK ? undefined : run('tshark -q -z conv,tcp -r F', 'tshark', ['-q', '-z', 'conv,tcp', '-r', file])
  for (const r of [ours, tshark, tcpdump, floorNode]) if (r) console.log(`${r.label.padEnd(28)} ${r.secs.toFixed(2).padStart(7)} s   peak RSS ${r.rssMB.toFixed(0)} MB`)
  if (tshark) console.log(`tshark / tcpdoctor: ${(tshark.secs / ours.secs).toFixed(1)}x faster (target >= 10x)`)
  console.log(`tcpdoctor / tcpdump: ${(ours.secs / tcpdump.secs).toFixed(1)}x the read floor (target <= 5x)`)
  if (bigConns > 0) {
    if (!existsSync(bigFile)) generate(bigFile, bigConns)
    const bigSize = statSync(bigFile).size
    console.log(`big capture: ${bigFile} (synthetic, ${bigConns} connections, ${bigConns * 10} packets, ${(bigSize / 1048576).toFixed(1)} MiB)`)
    const big = run('tcpdoctor analyze --json (big)', join(root, 'bin', 'tcpdoctor'), ['analyze', '--json', bigFile])
    const bigDump = run('tcpdump -r F -w /dev/null (big)', 'tcpdump', ['-r', bigFile, '-w', '/dev/null'])
    for (const r of [big, bigDump]) console.log(`${r.label.padEnd(32)} ${r.secs.toFixed(2).padStart(7)} s   peak RSS ${r.rssMB.toFixed(0)} MB`)
    console.log(`tcpdoctor / tcpdump (big): ${(big.secs / bigDump.secs).toFixed(1)}x the read floor`)
    // what each extra connection costs at its peak: the whole state (~1.3 KB) if kept, else the 4-tuple memory
    const perConn = ((big.rssMB - ours.rssMB) * 1048576) / (bigConns - conns)
    console.log(`peak RSS ${ours.rssMB.toFixed(0)} MB at ${conns} connections, ${big.rssMB.toFixed(0)} MB at ${bigConns} (1,000 open at once in both): ` +
      `${perConn.toFixed(0)} bytes per extra connection -> ${perConn < 200 ? 'bounded (state freed as connections finish)' : 'NOT bounded (state kept per connection)'}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true }) // with --keep the file lives outside dir
}
