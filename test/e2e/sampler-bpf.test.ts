/**
 * serve's samples between owner walks come from the addon's BPF tcp iterator when root
 * (native/src/tcpiter.c, src/kernel/tcp-iter.ts). Held at the same moment, on planted sockets in
 * a private namespace, to ss (every socket: state, ports, peer; every listener with its queues)
 * and to the sock_diag dump the sampler uses otherwise (TCPDOCTOR_NO_BPF=1): equal samples.
 * The plant covers what is not a full socket: TIME_WAIT (a timewait socket), an orphaned
 * FIN_WAIT2 (a timewait socket whose substate ss shows), SYN_RECV (request sockets: the
 * handshake's last ACK is dropped by nftables), besides IPv6, v4-mapped and a full accept queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { Sampler } from '../../src/monitor/sampler.js'
import { tryNative } from '../../src/kernel/native.js'
import { iterateTcp, tcpIterUsable } from '../../src/kernel/tcp-iter.js'
import { formatIPv4, formatIPv6 } from '../../src/model/address.js'
import { stateName } from '../../src/model/state.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'python3'], ['tool', 'ss'], ['tool', 'nft']) ?? (tcpIterUsable('/proc') ? undefined : 'TCPDOCTOR_NO_BPF=1 is set')

// 8090: 5 held connections; 8091 ([::], dual stack): 2 from ::1, 1 from 127.0.0.1; 8092: 2
// closed by the client then the server (client TIME_WAIT); 8094: closed by the client only (its
// orphan is a timewait socket in FIN_WAIT2; the server CLOSE_WAIT); 8093: backlog 2, 3 never
// accepted; 8095: 3 connects whose last ACK nftables drops (server SYN_RECV, request sockets).
const PLANT = `
import socket, sys, time
keep = []
def listener(port, fam=socket.AF_INET, host="127.0.0.1", backlog=64):
    l = socket.socket(fam); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6: l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    l.bind((host, port)); l.listen(backlog); keep.append(l); return l
l = listener(8090)
for _ in range(5):
    keep.append(socket.create_connection(("127.0.0.1", 8090))); keep.append(l.accept()[0])
l = listener(8091, socket.AF_INET6, "::")
for h in ["::1", "::1", "127.0.0.1"]:
    keep.append(socket.create_connection((h, 8091))); keep.append(l.accept()[0])
l = listener(8092)
for _ in range(2):
    c = socket.create_connection(("127.0.0.1", 8092)); a = l.accept()[0]
    c.close(); time.sleep(0.05); a.close()
l = listener(8094)
c = socket.create_connection(("127.0.0.1", 8094)); keep.append(l.accept()[0]); c.close()
l = listener(8093, backlog=2)
for _ in range(3):
    keep.append(socket.create_connection(("127.0.0.1", 8093)))
l = listener(8095)
for _ in range(3):
    keep.append(socket.create_connection(("127.0.0.1", 8095)))
print("READY", flush=True)
sys.stdin.readline()
`

const SS_STATE: Record<string, string> = {
  ESTAB: 'ESTABLISHED', LISTEN: 'LISTEN', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2',
  'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'LAST-ACK': 'LAST_ACK', CLOSING: 'CLOSING',
}

/** ss's sockets as "STATE :lport peer" (listeners "LISTEN local queue/backlog"), sorted. */
function ssLines(ns: string): string[] {
  return inNetns(ns, 'ss', ['-tanH']).split('\n').filter(Boolean).map((line) => {
    const [st, rq, wq, local, peer] = line.trim().split(/\s+/) as [string, string, string, string, string]
    const state = SS_STATE[st]!
    // ss writes a dual-stack [::] listener as *
    if (state === 'LISTEN') return `LISTEN ${local.replace(/^\*:/, '[::]:')} ${rq}/${wq}`
    return `${state} :${local.slice(local.lastIndexOf(':') + 1)} ${peer}`
  }).sort()
}

/** The iterator's records in the same form. */
function iterLines(ns: string): string[] {
  const out: string[] = []
  iterateTcp(tryNative()!, `/run/netns/${ns}`, (b, start, end) => {
    let off = start
    for (;;) {
      if (end - off < 24) break
      const st = b[off + 1]!
      const len = st === 10 ? 32 : 24
      if (end - off < len) break
      const v6 = b[off] === 10
      const addr = v6 ? formatIPv6(b, off + 8) : formatIPv4(b, off + 8)
      const text = v6 ? `[${addr}]` : addr
      const lport = b.readUInt16LE(off + 2)
      if (st === 10) out.push(`LISTEN ${text}:${lport} ${b.readUInt32LE(off + 24)}/${b.readUInt32LE(off + 28)}`)
      else out.push(`${stateName(st === 12 ? 3 : st)} :${lport} ${text}:${b.readUInt16BE(off + 4)}`)
      off += len
    }
    return off - start
  })
  return out.sort()
}

describe.skipIf(skip)('serve sampler: BPF tcp iterator vs ss and the sock_diag dump', () => {
  let ns = ''
  let plant: ChildProcess
  beforeAll(async () => {
    ns = makeNetns('tdbpfit')
    inNetns(ns, 'nft', ['-f', '-'], 'table inet tdbpfit {\n chain input8095 {\n  type filter hook input priority 0;\n  tcp dport 8095 tcp flags == ack drop\n }\n}\n')
    plant = spawnInNetns(ns, 'python3', ['-c', PLANT])
    let out = ''
    plant.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    await waitUntil(() => out.includes('READY'), 'the planter')
    await waitUntil(() => {
      const l = ssLines(ns)
      return l.filter((x) => x.startsWith('TIME_WAIT')).length === 2 && l.filter((x) => x.startsWith('FIN_WAIT2')).length === 1 && l.filter((x) => x.startsWith('SYN_RECV')).length === 3
    }, 'TIME_WAIT, FIN_WAIT2 and SYN_RECV to settle')
  })
  afterAll(() => dropNetns(ns))

  it('every socket the iterator yields is one ss lists, at the same moment', async () => {
    // The planted sockets do not move (SYN_RECV retransmits keep their state): retried only if
    // a SYN-ACK retransmit happened to change a queue between the two reads.
    let ss: string[] = []
    let it: string[] = []
    for (let i = 0; i < 3; i++) {
      ss = ssLines(ns)
      it = iterLines(ns)
      if (JSON.stringify(ss) === JSON.stringify(it)) break
    }
    expect(it).toEqual(ss)
    expect(it.filter((x) => x.startsWith('SYN_RECV'))).toHaveLength(3)
    expect(it.filter((x) => x.startsWith('FIN_WAIT2') && x.endsWith(' 127.0.0.1:8094'))).toHaveLength(1)
    expect(it).toContain('LISTEN 127.0.0.1:8093 3/2')
    expect(it).toContain('LISTEN [::]:8091 0/64')
  })

  it('samples from the iterator equal samples from the dump (TCPDOCTOR_NO_BPF=1)', async () => {
    const bpf = new Sampler({ netns: ns, findingsEvery: 0, ownersEvery: 0 })
    expect(bpf.socketSource).toBe('bpf')
    const prev = process.env.TCPDOCTOR_NO_BPF
    process.env.TCPDOCTOR_NO_BPF = '1'
    const dump = new Sampler({ netns: ns, findingsEvery: 0, ownersEvery: 0 })
    if (prev === undefined) delete process.env.TCPDOCTOR_NO_BPF
    else process.env.TCPDOCTOR_NO_BPF = prev
    expect(dump.socketSource).toBe('netlink')
    const part = (s: Awaited<ReturnType<Sampler['sample']>>) => ({ netns: s.netns, total: s.total, states: s.states, ports: s.ports, peers: s.peers, listeners: s.listeners })
    const a = part(await bpf.sample())
    const b = part(await dump.sample())
    expect(bpf.socketSource).toBe('bpf') // it did not fall back
    expect(a).toEqual(b)
    expect(a.states.SYN_RECV).toBe(3)
    expect(a.states.FIN_WAIT2).toBe(1)
    expect(a.states.TIME_WAIT).toBe(2)
  })
})
