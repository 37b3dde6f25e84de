/**
 * Time in state, for real: in a private network namespace a client closes first, the server
 * never does; the server's CLOSE_WAIT socket is followed by cookie across samples with a growing
 * age, the client's fd-less FIN_WAIT2 keeps its remembered owner, and the listener's accept queue
 * (two connections never accepted) is measured against its backlog.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { gatherSockets } from '../../src/sockets/gather.js'
import { SocketTracker, type SocketAge } from '../../src/track/track.js'
import { sampleAges } from '../../src/track/ages.js'
import { readCounters } from '../../src/counters/counters.js'
import { resolveNetns } from '../../src/kernel/netns.js'
import type { Socket } from '../../src/model/socket.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'python3'])
const PORT = 7200

const SCENARIO = `
import socket, sys, time
l = socket.socket(); l.bind(('127.0.0.1', ${PORT})); l.listen(4)
a = socket.create_connection(('127.0.0.1', ${PORT}))
srv, _ = l.accept()
print('READY1', flush=True)
sys.stdin.readline()
a.close()                      # client closes first: client FIN_WAIT2 (fd-less), server CLOSE_WAIT
waiting = [socket.create_connection(('127.0.0.1', ${PORT})) for _ in range(2)]  # never accepted
time.sleep(0.2)
print('READY2', flush=True)
time.sleep(120)
`

let ns = ''
let child: ReturnType<typeof spawnInNetns> | undefined

function sample(): Socket[] {
  return gatherSockets({ netns: ns, owners: true }).namespaces.flatMap((n) => n.sockets)
}

describe.skipIf(skip)('tracking sockets across samples in a private namespace', () => {
  beforeAll(async () => {
    ns = makeNetns('tdtr')
    child = spawnInNetns(ns, 'python3', ['-c', SCENARIO])
    await waitForLine(child, /READY1/)
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('follows a CLOSE_WAIT socket by cookie with a growing age, remembers the FIN_WAIT2 owner', async () => {
    const tracker = new SocketTracker()
    const [target] = resolveNetns(ns)
    const counters = (): Record<string, Record<string, number>> => ({ [ns]: readCounters({ netns: target, ipv6: false }).counters })
    const recorded: Socket[][] = []
    const s0 = sample()
    recorded.push(s0)
    tracker.update(s0, Date.now(), counters())
    const ready2 = waitForLine(child!, /READY2/)
    child!.stdin!.write('close\n')
    await ready2
    const closeWait: SocketAge[] = []
    for (let i = 0; i < 3; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 400))
      const s = sample()
      recorded.push(s)
      tracker.update(s, Date.now(), counters())
      const cw = tracker.ages().find((a) => a.state === 'CLOSE_WAIT' && a.socket.local.port === PORT)
      expect(cw, `sample ${i + 1}`).toBeDefined()
      closeWait.push(cw!)
    }
    if (process.env.TD_RECORD) writeFileSync(process.env.TD_RECORD, JSON.stringify(recorded))
    // one socket (one cookie), age growing sample after sample
    expect(new Set(closeWait.map((a) => a.key)).size).toBe(1)
    expect(closeWait[1]!.ageMs).toBeGreaterThan(closeWait[0]!.ageMs)
    expect(closeWait[2]!.ageMs).toBeGreaterThan(closeWait[1]!.ageMs)
    const last = closeWait[2]!
    expect(last.atLeast).toBe(false)
    expect(last.changes).toEqual([expect.objectContaining({ from: 'ESTABLISHED', to: 'CLOSE_WAIT' })])
    expect(last.maxAgeMs).toBeGreaterThan(last.ageMs)
    expect(last.owner?.[0]?.pid).toBeGreaterThan(0)
    expect(last.ownerRemembered).toBe(false)
    // the client's socket lost its fd on close(): same cookie, owner remembered
    const fw2 = tracker.ages().find((a) => a.state === 'FIN_WAIT2')!
    expect(fw2.changes[0]).toMatchObject({ from: 'ESTABLISHED', to: 'FIN_WAIT2' })
    expect(fw2.socket.inode).toBe(0)
    expect(fw2.ownerRemembered).toBe(true)
    expect(fw2.owner?.[0]?.pid).toBe(last.owner?.[0]?.pid)
    // the listener was there from the start: its age is a lower bound
    const [listener] = tracker.listeners()
    expect(listener).toMatchObject({ backlog: 4, queue: 2, maxQueue: 2, samples: 4, samplesFull: 0, listenOverflows: 0 })
    expect(tracker.ages().find((a) => a.state === 'LISTEN')!.atLeast).toBe(true)
  })

  it('sampleAges() does the same in one call (what sockets --age needs)', async () => {
    const r = await sampleAges({ netns: ns, owners: true }, { samples: 3, intervalMs: 200 })
    expect(r.samples).toBe(3)
    expect(r.spanMs).toBeGreaterThanOrEqual(350)
    const cw = r.ages.find((a) => a.state === 'CLOSE_WAIT')!
    expect(cw.atLeast).toBe(true)
    expect(cw.ageMs).toBe(r.spanMs)
    expect(r.listeners[0]).toMatchObject({ queue: 2, backlog: 4, listenOverflows: 0, listenDrops: 0 })
  })
})
