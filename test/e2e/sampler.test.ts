/**
 * The serve sampler's counted-in-place dump (src/monitor/scan.ts) against two oracles on the same
 * planted sockets in a private namespace: ss for the counts per state, and the object path (the
 * socket list, `states --by port|remote|process`, the listener tally) for every group. Then the
 * doctor's cadence: findings are evaluated every `findingsEvery` samples, later when a run costs
 * more than DOCTOR_SHARE of a core, and the sample and /metrics say when.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { OWNERS_SKIP_MAX, Sampler } from '../../src/monitor/sampler.js'
import { Metrics } from '../../src/monitor/metrics.js'
import { tallySockets } from '../../src/monitor/tally.js'
import { gatherSockets } from '../../src/sockets/gather.js'
import { groupStates } from '../../src/sockets/group.js'

const skip = need(['netns'], ['native'], ['tool', 'python3'], ['tool', 'ss'])

// 8080 (IPv4): 6 held connections. 8081 ([::], dual stack): 2 from ::1 and 1 from 127.0.0.1
// (v4-mapped). 8082: 2 connections closed by the client, then by the server (client TIME_WAIT).
// 8084: 1 closed by the client only (FIN_WAIT2 / CLOSE_WAIT). 8083: backlog 4, 3 never accepted.
const PLANT = `
import socket, sys, time
keep = []
def listener(port, fam=socket.AF_INET, host="127.0.0.1", backlog=64):
    l = socket.socket(fam); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6: l.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    l.bind((host, port)); l.listen(backlog); keep.append(l); return l
l = listener(8080)
for _ in range(6):
    keep.append(socket.create_connection(("127.0.0.1", 8080))); keep.append(l.accept()[0])
l = listener(8081, socket.AF_INET6, "::")
for h in ["::1", "::1", "127.0.0.1"]:
    keep.append(socket.create_connection((h, 8081))); keep.append(l.accept()[0])
l = listener(8082)
for _ in range(2):
    c = socket.create_connection(("127.0.0.1", 8082)); a = l.accept()[0]
    c.close(); time.sleep(0.05); a.close()
l = listener(8084)
c = socket.create_connection(("127.0.0.1", 8084)); keep.append(l.accept()[0]); c.close()
l = listener(8083, backlog=4)
for _ in range(3):
    keep.append(socket.create_connection(("127.0.0.1", 8083)))
print("READY", flush=True)
sys.stdin.readline()
`

const SS_STATE: Record<string, string> = {
  ESTAB: 'ESTABLISHED', LISTEN: 'LISTEN', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'FIN-WAIT-1': 'FIN_WAIT1', 'FIN-WAIT-2': 'FIN_WAIT2',
  'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'LAST-ACK': 'LAST_ACK', CLOSING: 'CLOSING', UNCONN: 'CLOSE',
}

function ssCounts(ns: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of inNetns(ns, 'ss', ['-tanH']).split('\n').filter(Boolean)) {
    const st = SS_STATE[line.split(/\s+/)[0]!]!
    out[st] = (out[st] ?? 0) + 1
  }
  return out
}

describe.skipIf(skip)('serve sampler: counted in place vs ss and the object path', () => {
  let ns = ''
  let plant: ChildProcess
  beforeAll(async () => {
    ns = makeNetns('tdmon')
    plant = spawnInNetns(ns, 'python3', ['-c', PLANT])
    let out = ''
    plant.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    await waitUntil(() => out.includes('READY'), 'the planter')
    await waitUntil(() => ssCounts(ns).TIME_WAIT === 2 && ssCounts(ns).CLOSE_WAIT === 1, 'TIME_WAIT and CLOSE_WAIT to settle')
  })
  afterAll(() => dropNetns(ns))

  it('states match ss; ports, peers, listeners and processes match the object path', async () => {
    const sampler = new Sampler({ netns: ns, procRoot: '/proc', findingsEvery: 0, ownersEvery: 30 })
    const first = await sampler.sample() // sample 0 walks the owners
    const second = await sampler.sample() // sample 1 does not: owners are kept
    const g = gatherSockets({ netns: ns, owners: true })
    const sockets = g.namespaces[0]!.sockets
    const ss = ssCounts(ns)
    for (const s of [first, second]) {
      expect(s.source).toBe('netlink')
      expect(s.states).toEqual(ss)
      expect(s.total).toBe(sockets.length)
      expect(s.ports).toEqual(groupStates(sockets, 'port'))
      expect(s.peers).toEqual(groupStates(sockets.filter((x) => x.state !== 'LISTEN'), 'remote'))
      expect(s.listeners).toEqual(tallySockets(sockets, new Map(), true).listeners)
      expect(s.processes).toEqual(groupStates(sockets, 'process').filter((p) => p.key !== '-'))
    }
    // --source procfs reads the socket list instead, with the same answer.
    const pf = await new Sampler({ netns: ns, source: 'procfs', findingsEvery: 0, ownersEvery: 0 }).sample()
    expect(pf.source).toBe('procfs')
    expect(pf.states).toEqual(ss)
    expect(pf.ports).toEqual(first.ports)
    // What the plant made, spelled out (the oracles above could share a mistake).
    expect(first.ports.find((p) => p.key === ':8080')).toEqual({ key: ':8080', total: 7, states: { LISTEN: 1, ESTABLISHED: 6 } })
    expect(first.ports.find((p) => p.key === '->:8080')).toEqual({ key: '->:8080', total: 6, states: { ESTABLISHED: 6 } })
    expect(first.ports.find((p) => p.key === ':8081')?.total).toBe(4)
    const q = first.listeners.find((l) => l.port === 8083)!
    expect([q.queue, q.backlog]).toEqual([3, 4])
    expect(first.listeners[0]!.port).toBe(8083) // fullest queue first
    expect(first.listeners.find((l) => l.port === 8081)!.local).toBe('[::]:8081')
    // ip netns exec execs python3: the child's pid is the planter's.
    expect(first.processes.map((p) => p.key)).toContain(`python3[${plant.pid}]`)
    expect(first.listeners.map((l) => l.process)).toEqual(first.listeners.map(() => `python3[${plant.pid}]`))
  })

  it('findings run every findingsEvery samples; the sample and /metrics say when', async () => {
    // A long interval: the doctor's share of it (DOCTOR_SHARE) never stretches the cadence here.
    const sampler = new Sampler({ netns: ns, procRoot: '/proc', findingsEvery: 3, ownersEvery: 0, intervalMs: 3600_000 })
    const metrics = new Metrics()
    const at: (number | undefined)[] = []
    for (let i = 0; i < 4; i++) {
      const s = await sampler.sample()
      at.push(s.findingsAt)
      metrics.update(s)
      if (i < 3) await new Promise((r) => setTimeout(r, 20))
    }
    expect(at[0]).toBeGreaterThan(0)
    expect(at[1]).toBe(at[0])
    expect(at[2]).toBe(at[0])
    expect(at[3]).toBeGreaterThan(at[0]!)
    const text = await metrics.text()
    const m = /^tcpdoctor_findings_evaluated_timestamp_seconds (\S+)$/m.exec(text)
    expect(Number(m?.[1])).toBe(at[3]! / 1000)
    const never = await new Sampler({ netns: ns, findingsEvery: 0, ownersEvery: 0 }).sample()
    expect(never.findingsAt).toBeUndefined()
  })

  it('a doctor run that costs more than DOCTOR_SHARE of the interval pushes the next one back', async () => {
    // 1 ms between samples: 1 % of it is 10 us, less than any run of the doctor costs.
    const sampler = new Sampler({ netns: ns, procRoot: '/proc', findingsEvery: 1, ownersEvery: 0, intervalMs: 1 })
    const at: (number | undefined)[] = []
    for (let i = 0; i < 4; i++) {
      at.push((await sampler.sample()).findingsAt)
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(at[0]).toBeGreaterThan(0)
    expect(at.slice(1)).toEqual([at[0], at[0], at[0]])
  })

  it('an owner walk on its turn is skipped while the sockets are those of the last walk', async () => {
    const sampler = new Sampler({ netns: ns, procRoot: '/proc', findingsEvery: 0, ownersEvery: 1 })
    const first = await sampler.sample()
    for (let i = 0; i < 3; i++) expect((await sampler.sample()).processes).toEqual(first.processes)
    expect(sampler.ownerWalks).toBe(1)
    // One more connection to 8080, left in its accept queue and closed by the client: new
    // sockets (FIN_WAIT2 and CLOSE_WAIT), so the next turn walks.
    inNetns(ns, 'python3', ['-c', 'import socket; s = socket.create_connection(("127.0.0.1", 8080)); s.close()'])
    await sampler.sample() // sees the new sockets (its turn was decided on the previous ones)
    const after = await sampler.sample()
    expect(sampler.ownerWalks).toBe(2)
    expect(after.processes).toEqual(groupStates(gatherSockets({ netns: ns, owners: true }).namespaces[0]!.sockets, 'process').filter((p) => p.key !== '-'))
    // Unchanged sockets: walked anyway after OWNERS_SKIP_MAX skipped turns.
    for (let i = 0; i < OWNERS_SKIP_MAX + 1; i++) await sampler.sample()
    expect(sampler.ownerWalks).toBe(3)
  })
})
