/**
 * The kernel as judge for `diagnose`, part 3: a healthy namespace under busy normal traffic
 * (thousands of short connections, a keepalive pool) gives no warning and exit 0; a namespace
 * with several troubles at once gives each finding, ranked; risky per-namespace sysctls give
 * SYSCTL_RISK; a snapshot with the diagnose extension replays to the same findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { BIN, diagnoseIn, runIn, serious } from './diagnose-helpers.js'
import { execFileSync } from 'node:child_process'

const skip = need(['root'], ['netns'], ['tool', 'python3'])

const HEALTHY = String.raw`
import socket, threading, time
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 9000)); srv.listen(1024)
def handle(c):
    try:
        while True:
            d = c.recv(4096)
            if not d: break
            c.sendall(d)
    except OSError: pass
    c.close()
def acceptor():
    while True:
        c, _ = srv.accept(); threading.Thread(target=handle, args=(c,), daemon=True).start()
threading.Thread(target=acceptor, daemon=True).start()
pool = []
for i in range(20):
    s = socket.create_connection(('127.0.0.1', 9000))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 60)
    pool.append(s)
def pooled():
    while True:
        for s in pool:
            s.sendall(b'ping'); s.recv(16)
        time.sleep(0.1)
threading.Thread(target=pooled, daemon=True).start()
done = [0]
def short():
    while True:
        s = socket.create_connection(('127.0.0.1', 9000))
        s.sendall(b'GET /'); s.recv(16); s.close()
        done[0] += 1
for i in range(2):
    threading.Thread(target=short, daemon=True).start()
while done[0] < 3000: time.sleep(0.05)
print('ready', done[0], flush=True)
while True:
    time.sleep(1)
`

// Several troubles at once: a CLOSE_WAIT leak on :8080, a backdoor on :31337, SYNs to an address
// behind a link that answers nothing; tcp_syncookies=0 is set from outside.
const MIXED = String.raw`
import socket, threading, time
held = []
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', 8080)); srv.listen(128)
def acceptor():
    while True:
        c, _ = srv.accept(); held.append(c)
threading.Thread(target=acceptor, daemon=True).start()
back = socket.socket(); back.bind(('0.0.0.0', 31337)); back.listen(5)
clients = [socket.create_connection(('127.0.0.1', 8080)) for i in range(40)]
while len(held) < 40: time.sleep(0.01)
for c in clients: c.close()
probes = []
for i in range(30):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(('10.9.9.50', 443))
    except BlockingIOError: pass
    probes.append(s)
time.sleep(0.3)
print('ready', flush=True)
while True:
    time.sleep(1)
`

describe.skipIf(skip)('diagnose on healthy, mixed and misconfigured namespaces', () => {
  const made: string[] = []
  const ns = (prefix: string): string => {
    const n = makeNetns(prefix)
    made.push(n)
    return n
  }
  afterAll(() => {
    for (const n of made) dropNetns(n)
  })

  it('an empty namespace is healthy: exit 0, nothing at warning, every code checked', async () => {
    const n = ns('tddh')
    const { code, report } = await diagnoseIn(n, ['--interval', '0'])
    expect(code).toBe(0)
    expect(serious(report)).toEqual([])
    expect(report.checked).toHaveLength(19)
  })

  it('busy normal traffic (thousands of short connections, a keepalive pool) gives no warning and exit 0', async () => {
    const n = ns('tddb')
    const child = spawnInNetns(n, 'python3', ['-u', '-c', HEALTHY])
    await waitForLine(child, /^ready/, 60_000)
    const { code, report } = await diagnoseIn(n)
    const states = report.namespaces[0]!.states
    expect(states.TIME_WAIT ?? 0, 'thousands of TIME_WAIT from the short connections').toBeGreaterThan(1000)
    expect(states.ESTABLISHED ?? 0).toBeGreaterThanOrEqual(40)
    expect(serious(report), JSON.stringify(report.findings.map((f) => [f.code, f.severity, f.title]))).toEqual([])
    expect(code).toBe(0)
    child.kill('SIGKILL')
  })

  describe('several troubles in one namespace', () => {
    let n = ''
    let dir = ''
    beforeAll(async () => {
      n = ns('tddm')
      dir = mkdtempSync(join(tmpdir(), 'tddm-'))
      // A link whose far end answers nothing: a veth pair inside the namespace, and a permanent
      // neighbour entry so no ARP failure turns the SYNs into EHOSTUNREACH.
      execFileSync('ip', ['-n', n, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'])
      execFileSync('ip', ['-n', n, 'addr', 'add', '10.9.9.1/24', 'dev', 'v0'])
      execFileSync('ip', ['-n', n, 'link', 'set', 'v0', 'up'])
      execFileSync('ip', ['-n', n, 'link', 'set', 'v1', 'up'])
      execFileSync('ip', ['-n', n, 'neigh', 'add', '10.9.9.50', 'lladdr', '02:00:00:00:00:01', 'dev', 'v0', 'nud', 'permanent'])
      inNetns(n, 'sysctl', ['-qw', 'net.ipv4.tcp_syncookies=0'])
      const child = spawnInNetns(n, 'python3', ['-u', '-c', MIXED])
      await waitForLine(child, /^ready/)
    })

    it('gives each finding, critical and bigger first, and exit 1', async () => {
      const { code, report } = await diagnoseIn(n)
      expect(code).toBe(1)
      expect(serious(report)).toEqual(['CLOSE_WAIT_LEAK', 'SYN_SENT_UNREACHABLE', 'SYSCTL_RISK', 'UNEXPECTED_LISTENER'])
      const rank = { critical: 2, warning: 1, info: 0 } as Record<string, number>
      for (let i = 1; i < report.findings.length; i++) {
        const a = report.findings[i - 1]!
        const b = report.findings[i]!
        expect(rank[a.severity]! > rank[b.severity]! || (a.severity === b.severity && a.magnitude >= b.magnitude), `${a.code} before ${b.code}`).toBe(true)
      }
      const cw = report.findings.find((f) => f.code === 'CLOSE_WAIT_LEAK')!
      expect(cw.evidence.count).toBe(40)
      expect(cw.title).toContain('python3')
      expect(JSON.stringify(report.findings.find((f) => f.code === 'SYN_SENT_UNREACHABLE'))).toContain('10.9.9.50')
      expect(JSON.stringify(report.findings.find((f) => f.code === 'SYSCTL_RISK'))).toContain('net.ipv4.tcp_syncookies')
    })

    it('human output fits one screen: the state line, each finding with evidence and a fix; Chinese too', async () => {
      const r = await runIn(n, ['diagnose', '--interval', '0'])
      expect(r.code).toBe(1)
      const lines = r.stdout.trimEnd().split('\n')
      expect(lines.length).toBeLessThanOrEqual(50)
      expect(lines[1]).toMatch(/^sockets: \d+ = .*CLOSE-WAIT 40/)
      for (const c of ['CLOSE_WAIT_LEAK', 'SYN_SENT_UNREACHABLE', 'SYSCTL_RISK', 'UNEXPECTED_LISTENER']) expect(r.stdout).toContain(c)
      expect(r.stdout).toMatch(/fix: /)
      expect(r.stdout).toMatch(/why: tcpdoctor explain close-wait/)
      const zh = await runIn(n, ['diagnose', '--interval', '0', '--lang', 'zh'])
      expect(zh.stdout).toMatch(/泄漏 CLOSE_WAIT: 40 个套接字/)
      const v = await runIn(n, ['diagnose', '--interval', '0', '--verbose'])
      expect(v.stdout.split('\n').length).toBeGreaterThan(lines.length)
    })

    it('a snapshot with collectSnapshotExtras() replays to the same findings with --from', async () => {
      const file = join(dir, 'snap.json')
      const dist = join(import.meta.dirname, '../../dist')
      const script = `import { gatherSockets } from '${dist}/sockets/gather.js'
import { makeSnapshot, writeSnapshot } from '${dist}/snapshot/file.js'
import { collectSnapshotExtras } from '${dist}/doctor/collect.js'
const g = gatherSockets({ info: true, mem: true, owners: true, cmdline: true })
const extras = await collectSnapshotExtras({ intervalMs: 500 })
writeSnapshot(${JSON.stringify(file)}, makeSnapshot(g.namespaces.map((n) => ({ netns: n.netns, source: n.source, sockets: n.sockets })), { pidsDenied: g.pidsDenied }, extras))`
      inNetns(n, process.execPath, ['--input-type=module', '-e', script])
      const r = await runIn(n, ['diagnose', '--json', '--from', file])
      const report = JSON.parse(r.stdout) as { findings: { code: string; severity: string; evidence: Record<string, unknown> }[]; notes: string[] }
      expect(r.code).toBe(1)
      expect([...new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code))].sort()).toEqual(['CLOSE_WAIT_LEAK', 'SYN_SENT_UNREACHABLE', 'SYSCTL_RISK', 'UNEXPECTED_LISTENER'])
      expect(report.notes.join(' ')).toMatch(/replayed from/)
    })

    it('a config allowlisting the listeners and raising a threshold changes the verdict', async () => {
      const file = join(dir, 'cfg.json')
      execFileSync('sh', ['-c', `cat > ${file}`], { input: JSON.stringify({ expectedListeners: [{ port: 8080 }, { port: 31337, process: 'python3' }], thresholds: { CLOSE_WAIT_LEAK: { minCount: 41 } }, disable: ['SYSCTL_RISK'] }) })
      const { report } = await diagnoseIn(n, ['--interval', '0', '--config', file])
      expect(serious(report)).toEqual(['SYN_SENT_UNREACHABLE'])
      const bad = await runIn(n, ['diagnose', '--json', '--config', join(dir, 'missing.json')])
      expect(bad.code).toBe(2)
      expect(JSON.parse(bad.stdout).error.code).toBe('TD_NOT_FOUND')
    })
  })

  it('risky per-namespace sysctls give SYSCTL_RISK (warning) and exit 1', async () => {
    const n = ns('tdds')
    inNetns(n, 'sysctl', ['-qw', 'net.ipv4.tcp_syncookies=0', 'net.core.somaxconn=16', 'net.ipv4.tcp_max_syn_backlog=16', 'net.ipv4.tcp_keepalive_time=100000'])
    const { code, report } = await diagnoseIn(n, ['--interval', '0'])
    expect(serious(report)).toEqual(['SYSCTL_RISK'])
    expect(code).toBe(1)
    const items = report.findings[0]!.evidence.items as { key: string; severity: string }[]
    expect(items.filter((i) => i.severity === 'warning').map((i) => i.key).sort()).toEqual(['net.core.somaxconn', 'net.ipv4.tcp_max_syn_backlog', 'net.ipv4.tcp_syncookies'])
    expect(items.find((i) => i.key === 'net.ipv4.tcp_keepalive_time')?.severity).toBe('info')
  })

  it('bad --interval is a usage error (exit 2)', async () => {
    const r = await runIn(made[0] ?? ns('tddu'), ['diagnose', '--interval', 'soon', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout).error.code).toBe('TD_USAGE')
    void BIN
  })
})
