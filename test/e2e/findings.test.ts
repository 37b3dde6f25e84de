/**
 * Findings an on-call engineer can act on (issue 8 item 6), each on a real reproduction in a
 * private namespace: the finding names the remote service and every process of the program, and
 * its fix command, run as written, lists every leaked socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { diagnoseIn, runIn } from './diagnose-helpers.js'
import { startScenario } from '../../src/lab/index.js'
import { collectInput } from '../../src/doctor/collect.js'
import { runRules } from '../../src/doctor/diagnose.js'
import { readProcessActivity } from '../../src/kernel/owners.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])
const PER_PROCESS = 15

describe.skipIf(skip)('client-side CLOSE_WAIT leak to 10.0.0.5:6379 (two workers of one program)', () => {
  let ns = ''
  beforeAll(async () => {
    ns = makeNetns('tdow')
    execFileSync('ip', ['-n', ns, 'addr', 'add', '10.0.0.5/32', 'dev', 'lo'])
    const child = spawnInNetns(ns, 'python3', [join(import.meta.dirname, 'findings-plant.py'), String(PER_PROCESS)])
    await waitForLine(child, /READY/)
    await waitUntil(() => execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', 'state', 'close-wait'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length === 2 * PER_PROCESS, 'every client socket in CLOSE_WAIT')
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('is one finding named by the remote service and the program with its 2 processes; the fix lists every socket', async () => {
    const { report } = await diagnoseIn(ns, ['--interval', '0.2'])
    const cw = report.findings.filter((f) => f.code === 'CLOSE_WAIT_LEAK')
    expect(cw, JSON.stringify(report.findings.map((f) => f.title))).toHaveLength(1)
    const f = cw[0]!
    expect(f.title).toContain('10.0.0.5:6379')
    expect(f.title).toMatch(/tdfind-app \(2 processes: pid \d+, \d+\)/)
    expect(f.evidence.count).toBe(2 * PER_PROCESS)
    // No local ephemeral port names the leak: the title's only port is the service's.
    expect(f.title.match(/:\d+/g)).toEqual([':6379'])
    const fix = f.fixes.find((x) => x.includes('tcpdoctor ls'))!
    const cmd = fix.slice(fix.indexOf('tcpdoctor ls') + 'tcpdoctor '.length)
    // Run the advice as a shell would (the filter is quoted for one).
    const words = execFileSync('sh', ['-c', `for w in ${cmd}; do printf '%s\\n' "$w"; done`], { encoding: 'utf8' }).trim().split('\n')
    const r = await runIn(ns, [...words, '-H'])
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.trim().split('\n').filter(Boolean)
    expect(rows).toHaveLength(2 * PER_PROCESS)
    for (const row of rows) expect(row).toMatch(/CLOSE-WAIT.*10\.0\.0\.5:6379.*tdfind-app/)
  })
})

describe.skipIf(skip || need(['tool', 'nft']))('half-open peers with data queued (lab half-open)', () => {
  it('HALF_OPEN_SUSPECTED puts TCP_USER_TIMEOUT first; keepalive says keepalive never fires while data is unacknowledged', async () => {
    const lab = await startScenario('half-open')
    try {
      const server = lab.info.expect.netns.find((e) => e.role === 'server')!.name
      // The retransmissions it needs build up over seconds: poll diagnose until it sees them.
      let f: Awaited<ReturnType<typeof diagnoseIn>>['report']['findings'][number] | undefined
      let titles = ''
      for (const deadline = Date.now() + 30_000; !f && Date.now() < deadline;) {
        const { report } = await diagnoseIn(server, ['--interval', '0.2'])
        f = report.findings.find((x) => x.code === 'HALF_OPEN_SUSPECTED')
        titles = JSON.stringify(report.findings.map((x) => x.title))
      }
      expect(f, titles).toBeDefined()
      expect(f!.evidence.withUnackedData).toBe(f!.evidence.count)
      expect(f!.fixes[0]).toMatch(/^set TCP_USER_TIMEOUT/)
      expect(f!.fixes[0]).toContain('keepalive never fires while data is unacknowledged')
      expect(f!.title).toContain(':8080')
      const k = await runIn(server, ['keepalive', '--min-idle', '0'])
      expect(k.stdout).toMatch(/5 sockets have unacknowledged data: keepalive never fires while data is unacknowledged/)
    } finally {
      await lab.stop()
    }
  })
})

// A server streaming to its clients over a path that drops 10% of its data segments (nftables on
// the input hook of lo: the output hook of lo did not drop here): the retransmitting sockets are the server's, with the clients' ephemeral
// ports as peers. The finding must name the peer host and the service port, and the server.
const STREAM = `
import ctypes, socket, threading, time
ctypes.CDLL(None).prctl(15, b'tdfind-stream', 0, 0, 0)
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 9340)); l.listen(8)
def serve(a):
    buf = b'x' * 16384
    while True: a.sendall(buf); time.sleep(0.002)
def read(c):
    while c.recv(65536): pass
cs = [socket.create_connection(('127.0.0.1', 9340)) for _ in range(4)]
for c in cs: threading.Thread(target=read, args=(c,), daemon=True).start()
for _ in cs: threading.Thread(target=serve, args=(l.accept()[0],), daemon=True).start()
print('READY', flush=True)
while True: time.sleep(60)
`

describe.skipIf(skip || need(['tool', 'nft']))('server-side retransmissions', () => {
  let ns = ''
  afterAll(() => { if (ns) dropNetns(ns) })
  it('RETRANSMISSION_HIGH names the peer host and the service port (never the ephemeral port) and the process', async () => {
    ns = makeNetns('tdow')
    execFileSync('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { input: 'table inet tdow {\n chain c {\n type filter hook input priority 0; policy accept;\n tcp sport 9340 meta length > 200 numgen random mod 100 < 10 drop\n }\n}\n' })
    const child = spawnInNetns(ns, 'python3', ['-c', STREAM])
    await waitForLine(child, /READY/)
    let f: Awaited<ReturnType<typeof diagnoseIn>>['report']['findings'][number] | undefined
    let titles = ''
    for (const deadline = Date.now() + 30_000; !f && Date.now() < deadline;) {
      const { report } = await diagnoseIn(ns, ['--interval', '0.5'])
      f = report.findings.find((x) => x.code === 'RETRANSMISSION_HIGH')
      titles = JSON.stringify(report.findings.map((x) => x.title))
    }
    expect(f, titles).toBeDefined()
    expect(f!.title).toContain('127.0.0.1 -> :9340')
    expect(f!.title).toContain('tdfind-stream')
    const dests = f!.evidence.destinations as { destination: string; port: number; side: string }[]
    expect(dests).toEqual([expect.objectContaining({ destination: '127.0.0.1 -> :9340', port: 9340, side: 'server' })])
  })
})

// A server that was SIGSTOPped (the real case was a redis): its accept queue fills and stays full.
const ACCEPTER = `
import socket, time
import os
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); l.bind(('127.0.0.1', 9350)); l.listen(4)
worker = os.fork()  # a master and a worker share the listener, as nginx does
if worker: print('READY', flush=True)
while True: l.accept()[0].close()
`

describe.skipIf(skip)('a stopped server behind a full accept queue', () => {
  let ns = ''
  afterAll(() => { if (ns) dropNetns(ns) })
  it('LISTEN_QUEUE_OVERFLOW says the owner is stopped (state T) and to resume it, from /proc/PID/stat', async () => {
    ns = makeNetns('tdow')
    const child = spawnInNetns(ns, 'python3', ['-c', ACCEPTER])
    await waitForLine(child, /READY/)
    await waitUntil(() => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim().split(/\s+/).length === 2, 'the master and its worker')
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).trim().split(/\s+/).map(Number).sort((a, b) => a - b)
    for (const p of pids) process.kill(p, 'SIGSTOP')
    await waitUntil(() => pids.every((p) => readProcessActivity('/proc', p)?.state === 'T'), 'the server stopped')
    const pid = pids[0]!
    const clients = spawnInNetns(ns, 'python3', ['-c', "import socket,time\ncs=[]\nfor _ in range(8):\n  s=socket.socket(); s.setblocking(False); s.connect_ex(('127.0.0.1', 9350)); cs.append(s)\nprint('READY', flush=True)\ntime.sleep(600)"])
    await waitForLine(clients, /READY/)
    await waitUntil(() => /LISTEN\s+5\s+4\s/.test(execFileSync('ip', ['netns', 'exec', ns, 'ss', '-ltnH'], { encoding: 'utf8' })), 'the accept queue full (Recv-Q 5 of backlog 4)')
    const input = await collectInput({ netns: ns, intervalMs: 200 })
    // The owners' activity as collect would attach it (NamespaceInput.processActivity, by pid).
    for (const n of input.namespaces) {
      const act: Record<string, unknown> = {}
      for (const s of n.sockets) for (const p of s.process ?? []) if (s.state === 'LISTEN') act[String(p.pid)] = readProcessActivity('/proc', p.pid)
      Object.assign(n, { processActivity: act })
    }
    const f = runRules(input).findings.find((x) => x.code === 'LISTEN_QUEUE_OVERFLOW')
    expect(f).toBeDefined()
    // The title counts all the workers; the fix names the one whose state was read.
    expect(f!.title).toContain(`python3 (2 processes: pid ${pids[0]}, ${pids[1]})`)
    expect(f!.fixes[0]).toMatch(new RegExp(`python3 \\(pid ${pid}\\) is stopped \\(state T.*kill -CONT ${pid}`))
    expect((f!.evidence.owner as { state: string }).state).toBe('T')
    for (const p of pids) process.kill(p, 'SIGCONT')
  })
})

describe.skipIf(skip || need(['tool', 'nft']))('the client side of a full accept queue (lab listen-overflow)', () => {
  it('gets an info finding naming the server, the waiting connections and the process', async () => {
    const lab = await startScenario('listen-overflow')
    try {
      const client = lab.info.expect.netns.find((e) => e.role === 'client')!.name
      const { report } = await diagnoseIn(client, ['--interval', '0.2'])
      const f = report.findings.find((x) => x.code === 'LISTEN_QUEUE_OVERFLOW')
      expect(f, JSON.stringify(report.findings.map((x) => x.title))).toBeDefined()
      expect(f!.severity).toBe('info')
      expect(f!.title).toMatch(/connections to [\d.]+:8080 wait in SYN_SENT while 9 to it are up: its accept queue is likely full \(tdlab-client \(pid \d+\)\)/)
      expect(f!.fixes[0]).toContain('tcpdoctor diagnose')
    } finally {
      await lab.stop()
    }
  })
})
