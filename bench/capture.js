#!/usr/bin/env node
// Live capture loss (SPEC 7: "loses no packet where tcpdump -w /dev/null loses none"):
// UDP on loopback inside a private namespace at rising rates; `tcpdoctor capture -w /dev/null`
// and `tcpdump -w /dev/null` listen to the same packets at the same time; each reports what it
// captured and what the kernel dropped. Needs root, iproute2, tcpdump, python3 and a built dist/.
//   BENCH_CAPTURE_RATES=20000,50000,100000,200000  BENCH_CAPTURE_SECONDS=2
import { execFileSync, spawn } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const BIN = join(here, '..', 'bin', 'tcpdoctor.js')
const rates = (process.env.BENCH_CAPTURE_RATES ?? '20000,50000,100000,200000,400000').split(',').map(Number)
const seconds = Number(process.env.BENCH_CAPTURE_SECONDS ?? 2)
if (process.getuid() !== 0) { console.log('bench/capture.js: needs root (AF_PACKET, netns); skipped'); process.exit(0) }

const ns = `tdcapb${process.pid}`
execFileSync('ip', ['netns', 'add', ns])
const cleanup = () => {
  try {
    for (const p of execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)) try { process.kill(Number(p), 'SIGKILL') } catch {}
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
  } catch {}
}
process.on('exit', cleanup)
execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])

// paced sender: batches of 100 datagrams, sleeping to hold the rate; prints how many it sent
const SENDER = `
import socket, sys, time
rate, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 47101))
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 16)
payload = b"x" * 64
sent = 0; start = time.monotonic(); end = start + secs
while True:
    now = time.monotonic()
    if now >= end: break
    due = int((now - start) * rate)
    while sent < due:
        try: s.sendto(payload, ("127.0.0.1", 47101)); sent += 1
        except BlockingIOError: pass
    time.sleep(0.0005)
print(sent)
`

function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const r = { child, err: '', done: new Promise((res) => child.on('exit', res)) }
  child.stderr.on('data', (d) => { r.err += d })
  child.stdout.on('data', () => {})
  return r
}
const waitFor = async (r, re) => { for (let i = 0; i < 200 && !re.test(r.err); i++) await new Promise((s) => setTimeout(s, 25)) }
const num = (text, re) => Number(re.exec(text)?.[1] ?? NaN)

const rows = []
for (const rate of rates) {
  const ours = start('node', [BIN, 'capture', '--netns', ns, '-i', 'lo', '-w', '/dev/null', 'udp', 'port', '47101'])
  const theirs = start('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'lo', '-w', '/dev/null', 'udp', 'port', '47101'])
  await waitFor(ours, /listening on/)
  await waitFor(theirs, /listening on/)
  const sent = Number(execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c', SENDER, String(rate), String(seconds)], { encoding: 'utf8' }).trim())
  await new Promise((s) => setTimeout(s, 1500)) // tcpdump's 1 s block timeout, our 100 ms
  ours.child.kill('SIGINT')
  theirs.child.kill('SIGINT')
  await Promise.all([ours.done, theirs.done])
  rows.push({
    rate, sent,
    ours: num(ours.err, /(\d+) packets captured/), oursDrop: num(ours.err, /(\d+) packets dropped by kernel/),
    theirs: num(theirs.err, /(\d+) packets captured/), theirsDrop: num(theirs.err, /(\d+) packets dropped by kernel/),
  })
}

console.log('\nLive capture on loopback in a namespace, UDP 64-byte payload, both tools at once, -w /dev/null')
console.log('| target pps | sent | tcpdoctor captured | tcpdoctor kernel drops | tcpdump captured | tcpdump kernel drops | tcpdoctor loss | tcpdump loss |')
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|')
for (const r of rows) {
  const loss = (c) => `${(100 * (1 - c / r.sent)).toFixed(2)}%`
  console.log(`| ${r.rate} | ${r.sent} | ${r.ours} | ${r.oursDrop} | ${r.theirs} | ${r.theirsDrop} | ${loss(r.ours)} | ${loss(r.theirs)} |`)
}
