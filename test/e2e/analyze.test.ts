/**
 * `tcpdoctor analyze` end to end: the CLI on corpus files (--json per SPEC 3a, stdin "-", --conn,
 * a bad file's coded error), and a capture made here from real kernel TCP in a private network
 * namespace (tcpdump --immediate-mode -i lo while python makes a normal close, a refused connect, an abortive
 * close with SO_LINGER 0, a half-close and an IPv6 connection), checked against tshark run live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CORPUS, needCorpus } from '../helpers/corpus.js'
import { need } from '../helpers/can.js'
import { tsharkStreams } from '../helpers/tshark.js'
import { analyzePcap } from '../../src/packets/analyze.js'
import { waitUntil } from '../helpers/wait.js'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'tcpdoctor.js')
const cli = (args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 26 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const skipCorpus = needCorpus()
describe.skipIf(skipCorpus !== undefined)('analyze CLI', () => {
  const dns = join(CORPUS, 'tcpdump', 'dns_tcp.pcap')

  it('--json has the SPEC 3a shape', () => {
    const r = cli(['analyze', '--json', dns])
    expect(r.status).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.packets).toBe(11)
    expect(doc.connections).toHaveLength(1)
    const c = doc.connections[0]
    expect(c.client).toEqual({ address: '192.168.1.11', port: 33779 })
    expect(c.server).toEqual({ address: '209.87.249.18', port: 53 })
    expect(c.outcome).toBe('four-way')
    expect(c.states.client).toBe('TIME_WAIT')
    expect(c.states.history.server).toBe('LISTEN>SYN_RECV>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSE')
    expect(c.anomalies).toEqual({})
    expect(doc.anomalies).toEqual({})
  })

  it('reads stdin with - and gives the same report', () => {
    const f = join(CORPUS, 'zeek', 'tcp__retransmit-fast009.pcap')
    const a = JSON.parse(cli(['analyze', '--json', f]).stdout)
    const b = JSON.parse(cli(['analyze', '--json', '-'], readFileSync(f)).stdout)
    expect(b).toEqual(a)
    expect(a.anomalies.fast_retransmission).toBe(1)
  })

  it('--conn N draws both sides\' states', () => {
    const r = cli(['analyze', dns, '--conn', '0'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('SYN_SENT')
    expect(r.stdout).toContain('CLOSE_WAIT')
    expect(r.stdout).toMatch(/SYN seq=\d+ ack=0/)
  })

  it('a file that is not a capture is TD_PCAP_FORMAT, in JSON too', () => {
    const r = cli(['analyze', '--json', join(CORPUS, 'libpcap', 'pcap-invalid-version-1.pcap')])
    expect(r.status).not.toBe(0)
    expect(JSON.parse(r.stdout).error.code).toBe('TD_PCAP_FORMAT')
    const r2 = cli(['analyze', '/nonexistent/x.pcap'])
    expect(r2.status).not.toBe(0)
    expect(r2.stderr).toContain('no such file')
  })
})

const PY = String.raw`
import socket, struct, sys, time
def serve(fam, addr, port):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port)); s.listen(8); return s
l4 = serve(socket.AF_INET, '127.0.0.1', 9000)
l6 = serve(socket.AF_INET6, '::1', 9000)
# 1. normal exchange, client closes first (four-way)
c = socket.create_connection(('127.0.0.1', 9000)); a, _ = l4.accept()
c.sendall(b'hello'); a.recv(10); a.sendall(b'world'); c.recv(10)
c.close(); time.sleep(0.05); a.close(); time.sleep(0.05)
# 2. refused: nobody listens on 9001
try: socket.create_connection(('127.0.0.1', 9001))
except ConnectionRefusedError: pass
# 3. abortive close (SO_LINGER 0 sends RST)
c = socket.create_connection(('127.0.0.1', 9000)); a, _ = l4.accept()
c.sendall(b'x' * 100); a.recv(200)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0)); c.close(); time.sleep(0.05); a.close()
# 4. half-close over IPv6: client shuts down writing, server keeps sending
c = socket.create_connection(('::1', 9000)); a, _ = l6.accept()
c.shutdown(socket.SHUT_WR); time.sleep(0.05); a.sendall(b'late data'); c.recv(20); time.sleep(0.05)
print('done', flush=True)
time.sleep(60)  # hold the half-closed connection open until the test kills us
`

describe('analyze on a capture of real traffic (netns, tcpdump -i lo, tshark live)', () => {
  const skip = need(['netns'], ['tool', 'tcpdump'], ['tool', 'tshark'], ['tool', 'python3'])
  const ns = `tdpk${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'tdpk-'))
  const file = join(dir, 'live.pcap')
  beforeAll(async () => {
    if (skip) return
    execFileSync('ip', ['netns', 'add', ns])
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    const dump = spawn('ip', ['netns', 'exec', ns, 'tcpdump', '--immediate-mode', '-Z', 'root', '-i', 'lo', '-U', '-w', file, 'tcp'], { stdio: ['ignore', 'ignore', 'pipe'] })
    let err = ''
    dump.stderr.on('data', (b: Buffer) => { err += b.toString() })
    await waitUntil(() => err.includes('listening on'), 'tcpdump listening')
    const py = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', PY], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    py.stdout.on('data', (b: Buffer) => { out += b.toString() })
    await waitUntil(() => out.includes('done'), 'the traffic script')
    // tcpdump -U writes each packet as it comes: wait until the file stops growing
    let last = -1, same = 0
    await waitUntil(() => { const n = existsSync(file) ? statSync(file).size : 0; same = n === last ? same + 1 : 0; last = n; return same >= 4 }, 'the capture file to settle', 10_000, 100)
    const exited = new Promise((r) => dump.on('exit', r))
    dump.kill('SIGINT')
    await exited
    py.kill('SIGKILL')
  }, 60_000)
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', ns])
    rmSync(dir, { recursive: true, force: true })
  })

  it.skipIf(skip !== undefined)('connections and anomaly counts equal tshark, outcomes and states are right', async () => {
    const r = await analyzePcap(file)
    const t = tsharkStreams(file)
    expect(r.connections.map((c) => [`${c.client.address}:${c.client.port}`, `${c.server.address}:${c.server.port}`].sort())).toEqual(t.map((s) => s.ends))
    r.connections.forEach((c, i) => {
      const mine: Record<string, number> = { ...c.anomalies }
      delete mine.illegal_flags
      expect(mine, `connection ${i}`).toEqual(t[i]!.anomalies)
      expect(c.packets).toBe(t[i]!.packets)
    })
    const byOutcome = r.connections.map((c) => c.outcome)
    expect(byOutcome).toEqual(['four-way', 'refused', 'reset', 'half-closed'])
    expect(r.connections[0]!.states.history.client).toBe('CLOSE>SYN_SENT>ESTABLISHED>FIN_WAIT1>FIN_WAIT2>TIME_WAIT')
    expect(r.connections[3]!.states.client).toBe('FIN_WAIT2')
    expect(r.connections[3]!.states.server).toBe('CLOSE_WAIT')
    expect(r.connections[3]!.client.address).toBe('::1')
    expect(r.connections[0]!.rttMs).toBeGreaterThan(0)
  })
})
