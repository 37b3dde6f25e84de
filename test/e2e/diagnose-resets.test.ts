/**
 * RESETS_HIGH names who resets and why from the kernel itself (BPF on tcp:tcp_send_reset and
 * tcp:tcp_receive_reset), without a packet capture. Two namespaces joined by a veth: a client
 * (B) makes refused connects, connections the server (A) aborts on close with unread data, that
 * A aborts in FIN_WAIT2 with TCP_LINGER2 < 0, and that B closes with SO_LINGER 0 -- a fixed
 * number of each, inside the sampling window of `diagnose --netns A` and `diagnose --netns B`
 * (the test waits until both have their BPF links open). Meanwhile a third namespace makes
 * refused connects and aborts of its own on loopback, to the same port numbers. The oracles:
 * tcpdump in A and in B over the same moment (every RST on the wire, by direction and port) and
 * the kernel's TcpOutRsts. Needs root, netns, the addon, tcpdump, python3 and a built dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns } from '../helpers/netns.js'
import { needResetWatch } from '../helpers/reset-watch.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

const skip = need(['root'], ['netns'], ['native'], ['tool', 'tcpdump'], ['tool', 'python3']) ?? needResetWatch()

const N = 30
const A = '10.77.91.1'
const B = '10.77.91.2'
const PORT = { abortOnClose: 7101, refused: 7102, abortOnLinger: 7103, drain: 7104 }

/** Server in A: 7101 closes as soon as data is readable (unread), 7103 half-closes, waits for FIN_WAIT2, TCP_LINGER2 -1, close; 7104 holds the connection. */
const SERVER = `
import socket, select, struct, sys, threading, time
def listen(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("${A}", port)); s.listen(256); return s
def state(c):
    return c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]
def unread(s):
    while True:
        c, _ = s.accept(); select.select([c], [], [], 2); c.close()
def linger2(s):
    while True:
        c, _ = s.accept(); c.shutdown(socket.SHUT_WR)
        end = time.time() + 2
        while state(c) != 5 and time.time() < end: time.sleep(0.001)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_LINGER2, -1); c.close()
held = []
def drain(s):
    while True:
        c, _ = s.accept(); c.sendall(b"k"); held.append(c)
for port, fn in ((${PORT.abortOnClose}, unread), (${PORT.abortOnLinger}, linger2), (${PORT.drain}, drain)):
    threading.Thread(target=fn, args=(listen(port),), daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
`

/** Client in B: waits for "go" on stdin, then N of each kind in turn, then prints "done". */
const CLIENT = `
import socket, struct, sys, time
sys.stdin.readline()
def conn(port):
    c = socket.socket(); c.settimeout(3); c.connect(("${A}", port)); return c
for i in range(${N}):
    try: conn(${PORT.refused}).close()
    except ConnectionRefusedError: pass
    c = conn(${PORT.abortOnClose}); c.sendall(b"unread")
    try: c.recv(10)
    except ConnectionResetError: pass
    c.close()
    c = conn(${PORT.abortOnLinger})
    # The server half-closes (we reach CLOSE_WAIT), then resets: wait for CLOSE, never send a FIN first.
    end = time.time() + 3
    while c.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0] != 7 and time.time() < end: time.sleep(0.001)
    c.close()
    c = conn(${PORT.drain}); c.recv(1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
print("done", flush=True)
`

/** Loopback noise in the third namespace, to the same port numbers, until killed. */
const NOISE = `
import socket, struct, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", ${PORT.drain})); s.listen(256)
def acc():
    while True: s.accept()[0].close()
threading.Thread(target=acc, daemon=True).start()
while True:
    try: socket.create_connection(("127.0.0.1", ${PORT.refused})).close()
    except OSError: pass
    c = socket.create_connection(("127.0.0.1", ${PORT.drain})); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()
    time.sleep(0.002)
`

interface Group { kind: string; direction: string; reason: string | null; side: string; peer: string; port: number; service: string; count: number; owner?: { pid: number | null; command: string; via: string } }
interface Finding { code: string; title: string; details: string[]; fixes: string[]; evidence: { sent: { TcpOutRsts: number }; kernelResets?: { sent: number; received: number; dropped: number; groups: Group[] } } }
interface Run { child: ChildProcess; out: Promise<string> }

function start(cmd: string, args: string[]): Run {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()))
  return { child, out: new Promise((resolve) => child.on('exit', () => resolve(out))) }
}

function waitLine(c: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms: ${seen.slice(0, 300)}`)), ms)
    c[stream]!.on('data', (d: Buffer) => {
      seen += d.toString()
      if (re.test(seen)) { clearTimeout(timer); resolve() }
    })
  })
}

/** True once the process holds a BPF link (its reset programs are attached). */
function hasBpfLink(pid: number): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try { return /bpf[-_]link/.test(readlinkSync(`/proc/${pid}/fd/${fd}`)) } catch { return false }
    })
  } catch {
    return false
  }
}

async function until(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** RSTs in a tcpdump -n text, keyed "src>dst" as "ip.port". */
function rsts(text: string): { src: string; dst: string }[] {
  const out: { src: string; dst: string }[] = []
  for (const m of text.matchAll(/ IP (\S+) > (\S+?): Flags \[R/g)) out.push({ src: m[1]!, dst: m[2]! })
  return out
}

const count = (xs: { src: string; dst: string }[], f: (x: { src: string; dst: string }) => boolean): number => xs.filter(f).length
const port = (ep: string): number => Number(ep.slice(ep.lastIndexOf('.') + 1))
const host = (ep: string): string => ep.slice(0, ep.lastIndexOf('.'))

describe.skipIf(skip)('diagnose names who resets and why (kernel tracepoints, no capture)', () => {
  let nsA = ''
  let nsB = ''
  let nsC = ''
  let server: Run | undefined
  let noise: Run | undefined
  let reportA: { findings: Finding[] } | undefined
  let reportB: { findings: Finding[] } | undefined
  let wireA: { src: string; dst: string }[] = []
  let wireB: { src: string; dst: string }[] = []
  let replayA: { findings: Finding[] } | undefined
  const tmp = mkdtempSync(join(tmpdir(), 'tdrs-snap-'))

  beforeAll(async () => {
    nsA = makeNetns('tdrsa')
    nsB = makeNetns('tdrsb')
    nsC = makeNetns('tdrsc')
    const veth = `tdrs${process.pid % 100000}`
    inNetns(nsA, 'ip', ['link', 'add', `${veth}a`, 'type', 'veth', 'peer', 'name', `${veth}b`, 'netns', nsB])
    inNetns(nsA, 'ip', ['addr', 'add', `${A}/24`, 'dev', `${veth}a`])
    inNetns(nsA, 'ip', ['link', 'set', `${veth}a`, 'up'])
    inNetns(nsB, 'ip', ['addr', 'add', `${B}/24`, 'dev', `${veth}b`])
    inNetns(nsB, 'ip', ['link', 'set', `${veth}b`, 'up'])
    server = start('ip', ['netns', 'exec', nsA, 'python3', '-c', SERVER])
    await waitLine(server.child, 'stdout', /ready/)
    noise = start('ip', ['netns', 'exec', nsC, 'python3', '-c', NOISE])
    const dumps = [nsA, nsB].map((ns) => start('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'any', '-n', '-l', '-U', 'tcp[tcpflags] & tcp-rst != 0']))
    await Promise.all(dumps.map((d) => waitLine(d.child, 'stderr', /listening on/)))
    const diags = [nsA, nsB].map((ns) => start(process.execPath, [BIN, 'diagnose', '--netns', ns, '--interval', '5', '--json']))
    // A snapshot of A over the same moment: diagnose --from it must name the same resets.
    const snap = start(process.execPath, [BIN, 'snapshot', '--netns', nsA, '--interval', '5', '-o', join(tmp, 'a.json')])
    await until(() => [...diags, snap].every((d) => hasBpfLink(d.child.pid!)), 10_000, 'diagnose and snapshot to attach their reset programs')
    const client = start('ip', ['netns', 'exec', nsB, 'python3', '-c', CLIENT])
    const done = waitLine(client.child, 'stdout', /done/, 20_000)
    client.child.stdin!.write('go\n')
    await done
    const [a, b] = await Promise.all(diags.map((d) => d.out))
    reportA = JSON.parse(a!)
    reportB = JSON.parse(b!)
    await snap.out
    replayA = JSON.parse(await start(process.execPath, [BIN, 'diagnose', '--from', join(tmp, 'a.json'), '--json']).out)
    // tcpdump flushes per packet (-U -l): a moment for the last lines, then stop it.
    await new Promise((r) => setTimeout(r, 300))
    for (const d of dumps) d.child.kill('SIGINT')
    ;[wireA, wireB] = (await Promise.all(dumps.map((d) => d.out))).map(rsts) as [typeof wireA, typeof wireB]
  }, 60_000)

  afterAll(() => {
    server?.child.kill()
    noise?.child.kill()
    for (const ns of [nsA, nsB, nsC]) if (ns) dropNetns(ns)
    rmSync(tmp, { recursive: true, force: true })
  })

  const resetsOf = (r: { findings: Finding[] } | undefined): Finding => {
    const f = r?.findings.find((x) => x.code === 'RESETS_HIGH')
    expect(f, JSON.stringify(r?.findings.map((x) => x.code))).toBeDefined()
    expect(f!.evidence.kernelResets).toBeDefined()
    return f!
  }
  const group = (f: Finding, kind: string, port: number): Group | undefined => f.evidence.kernelResets!.groups.find((g) => g.kind === kind && g.port === port)

  it('the server side: refused, aborted on close, aborted in FIN_WAIT2 -- counts equal the RSTs tcpdump saw A send', () => {
    const f = resetsOf(reportA)
    const sentBy = (p: number): number => count(wireA, (x) => host(x.src) === A && port(x.src) === p)
    expect(sentBy(PORT.refused)).toBe(N)
    expect(group(f, 'refused', PORT.refused)).toMatchObject({ direction: 'sent', reason: 'NO_SOCKET', side: 'server', peer: B, service: `${B} -> :${PORT.refused}`, count: sentBy(PORT.refused) })
    expect(group(f, 'abortOnClose', PORT.abortOnClose)).toMatchObject({ reason: 'TCP_ABORT_ON_CLOSE', side: 'server', peer: B, count: sentBy(PORT.abortOnClose) })
    expect(group(f, 'abortOnLinger', PORT.abortOnLinger)).toMatchObject({ reason: 'TCP_ABORT_ON_LINGER', side: 'server', peer: B, count: sentBy(PORT.abortOnLinger) })
    // Aborts the process asked for carry it (the kernel saw the task); the refused have none (no socket).
    expect(group(f, 'abortOnClose', PORT.abortOnClose)!.owner).toMatchObject({ command: 'python3', via: 'task' })
    expect(group(f, 'abortOnLinger', PORT.abortOnLinger)!.owner).toMatchObject({ command: 'python3', via: 'task' })
    // Everything A sent, as tcpdump and the kernel's own counter saw it.
    expect(f.evidence.kernelResets!.sent).toBe(count(wireA, (x) => host(x.src) === A))
    expect(f.evidence.kernelResets!.sent).toBe(f.evidence.sent.TcpOutRsts)
    expect(f.evidence.kernelResets!.dropped).toBe(0)
  })

  it('the server side: resets received from the client (SO_LINGER 0) are named by the service port, never the ephemeral one', () => {
    const f = resetsOf(reportA)
    const got = count(wireA, (x) => host(x.src) === B && port(x.dst) === PORT.drain)
    expect(got).toBe(N)
    expect(group(f, 'resetByPeer', PORT.drain)).toMatchObject({ direction: 'received', reason: null, side: 'server', peer: B, service: `${B} -> :${PORT.drain}`, count: got })
    expect(group(f, 'resetByPeer', PORT.drain)!.owner).toMatchObject({ command: 'python3', via: 'listener' })
    expect(f.evidence.kernelResets!.received).toBe(count(wireA, (x) => host(x.src) === B))
    for (const g of f.evidence.kernelResets!.groups) expect(Object.values(PORT)).toContain(g.port)
  })

  it('the client side: SO_LINGER 0 is TCP_STATE sent by the client process; refused and reset connects name the server', () => {
    const f = resetsOf(reportB)
    const sent = count(wireB, (x) => host(x.src) === B && port(x.dst) === PORT.drain)
    expect(sent).toBe(N)
    expect(group(f, 'disconnect', PORT.drain)).toMatchObject({ direction: 'sent', reason: 'TCP_STATE', side: 'client', peer: A, service: `${A}:${PORT.drain}`, count: sent })
    expect(group(f, 'disconnect', PORT.drain)!.owner).toMatchObject({ command: 'python3', via: 'task' })
    const from = (p: number): number => count(wireB, (x) => host(x.src) === A && port(x.src) === p)
    expect(group(f, 'refusedByPeer', PORT.refused)).toMatchObject({ direction: 'received', side: 'client', service: `${A}:${PORT.refused}`, count: from(PORT.refused) })
    expect(group(f, 'resetByPeer', PORT.abortOnClose)).toMatchObject({ side: 'client', service: `${A}:${PORT.abortOnClose}`, count: from(PORT.abortOnClose) })
    expect(group(f, 'resetByPeer', PORT.abortOnLinger)).toMatchObject({ side: 'client', service: `${A}:${PORT.abortOnLinger}`, count: from(PORT.abortOnLinger) })
    expect(f.evidence.kernelResets!.sent).toBe(f.evidence.sent.TcpOutRsts)
  })

  it('resets made at the same time in another namespace are not attributed', () => {
    for (const f of [resetsOf(reportA), resetsOf(reportB)])
      for (const g of f.evidence.kernelResets!.groups) expect([A, B]).toContain(g.peer)
  })

  it('diagnose --from a snapshot taken over the same moment names the same resets as the live run', () => {
    const live = resetsOf(reportA)
    const replayed = resetsOf(replayA)
    // Owners seen holding a socket depend on each run's own dumps; the kernel's task and the rest do not.
    const bare = (f: Finding) => f.evidence.kernelResets!.groups.map(({ owner, ...g }) => ({ ...g, task: owner?.via === 'task' ? owner : undefined }))
    expect(bare(replayed)).toEqual(bare(live))
    expect(replayed.evidence.kernelResets!.sent).toBe(live.evidence.kernelResets!.sent)
    expect(group(replayed, 'refused', PORT.refused)?.count).toBe(N)
  })

  it('the text names them: the largest groups in the details, a fix for the refused port', () => {
    const f = resetsOf(reportA)
    const all = f.details.join('\n')
    expect(all).toContain(`refused: ${B} -> :${PORT.refused} (NO_SOCKET) ${N}`)
    expect(f.title).toMatch(/most /)
    expect(f.fixes.join('\n')).toContain(`${B} connects to port ${PORT.refused}, where nothing listens`)
  })
})
