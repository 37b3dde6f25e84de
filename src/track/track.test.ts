import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import type { Socket } from '../model/socket.js'
import { SocketTracker, socketKey } from './track.js'

// Four samples recorded in a private namespace (test/fixtures/proc/CAPTION.md): client closes first.
const recorded = JSON.parse(readFileSync(new URL('../../test/fixtures/proc/track-samples.json', import.meta.url), 'utf8')) as Socket[][]

function sock(over: Partial<Socket>): Socket {
  return { family: 'inet', state: 'ESTABLISHED', local: { address: '127.0.0.1', port: 80 }, remote: { address: '127.0.0.1', port: 40000 }, recvQ: 0, sendQ: 0, uid: 0, inode: 1, cookie: '', ifindex: 0, ...over }
}

describe('SocketTracker on recorded samples', () => {
  const tracker = new SocketTracker()
  const label = recorded[0]![0]!.netns ?? '' // counters are matched to sockets by their netns label
  recorded.forEach((s, i) => tracker.update(s, 10_000 + i * 400, { [label]: { TcpExtListenOverflows: 3, TcpExtListenDrops: 3 + i } }))
  const ages = tracker.ages()
  const by = (state: string, port: number) => ages.find((a) => a.state === state && a.socket.local.port === port)!

  it('follows the server socket ESTABLISHED -> CLOSE_WAIT by cookie', () => {
    const cw = by('CLOSE_WAIT', 7200)
    expect(cw.ageMs).toBe(800) // first seen in CLOSE_WAIT at sample 1, now = sample 3
    expect(cw.maxAgeMs).toBe(1200) // it was still ESTABLISHED at sample 0
    expect(cw.atLeast).toBe(false)
    expect(cw.changes).toEqual([{ from: 'ESTABLISHED', to: 'CLOSE_WAIT', at: 10_400 }])
    expect(cw.owner?.[0]?.pid).toBe(15000)
  })
  it('remembers the owner of the client socket after close() took its fd', () => {
    const fw2 = by('FIN_WAIT2', 45254)
    expect(fw2.socket.process).toBeUndefined()
    expect(fw2.owner?.[0]?.pid).toBe(15000)
    expect(fw2.ownerRemembered).toBe(true)
  })
  it('marks sockets present at the first sample as "at least"', () => {
    const l = by('LISTEN', 7200)
    expect(l).toMatchObject({ atLeast: true, ageMs: 1200 })
    expect(l.maxAgeMs).toBeUndefined()
    const late = ages.find((a) => a.state === 'ESTABLISHED' && a.socket.remote.port === 7200)!
    expect(late).toMatchObject({ atLeast: false, ageMs: 800, maxAgeMs: 1200 })
  })
  it('measures the listener: queue vs backlog, and the namespace counters', () => {
    expect(tracker.listeners()).toEqual([
      expect.objectContaining({ samples: 4, queue: 2, maxQueue: 2, meanQueue: 1.5, backlog: 4, samplesFull: 0, fullMs: 0, listenOverflows: 0, listenDrops: 3 }),
    ])
  })
})

describe('SocketTracker rules', () => {
  it('forgets a socket missing from 2 consecutive samples, keeps one missing once', () => {
    const t = new SocketTracker()
    const a = sock({ cookie: '1' })
    const b = sock({ cookie: '2' })
    t.update([a, b], 0)
    t.update([a], 1000)
    expect(t.size).toBe(2)
    expect(t.ages().map((x) => x.key)).toEqual([socketKey(a)])
    t.update([a], 2000)
    expect(t.size).toBe(1)
    t.update([a, b], 3000) // b is back: a new socket as far as we know
    expect(t.ages().find((x) => x.socket.cookie === '2')).toMatchObject({ ageMs: 0, atLeast: false, maxAgeMs: 1000 })
  })
  it('without cookies (/proc) the key includes the state, so a state change is a new socket', () => {
    const t = new SocketTracker()
    t.update([sock({ state: 'ESTABLISHED' })], 0)
    t.update([sock({ state: 'CLOSE_WAIT' })], 1000)
    const [cw] = t.ages()
    expect(cw).toMatchObject({ state: 'CLOSE_WAIT', changes: [], ageMs: 0 })
    expect(socketKey(sock({}))).not.toBe(socketKey(sock({ state: 'CLOSE_WAIT' })))
  })
  it('counts time at full when the accept queue exceeds the backlog', () => {
    const t = new SocketTracker()
    const l = (q: number) => sock({ state: 'LISTEN', cookie: '9', recvQ: q, sendQ: 2, remote: { address: '0.0.0.0', port: 0 } })
    t.update([l(0)], 0)
    t.update([l(3)], 1000)
    t.update([l(3)], 3000)
    t.update([l(1)], 4000)
    expect(t.listeners()[0]).toMatchObject({ samplesFull: 2, fullMs: 3000, maxQueue: 3, meanQueue: 1.75 })
  })
  it('keeps memory bounded over many samples of churning sockets', () => {
    const t = new SocketTracker()
    for (let i = 0; i < 1000; i++) t.update([sock({ cookie: String(i) }), sock({ cookie: String(i + 1) })], i * 1000)
    expect(t.size).toBeLessThanOrEqual(3)
  })
  it('an inferred owner is not "remembered", a real one is', () => {
    const t = new SocketTracker()
    const inferred = [{ pid: 7, fd: 3, command: 'srv', user: 'root', inferred: true }]
    t.update([sock({ cookie: '5', state: 'TIME_WAIT', inode: 0, process: inferred })], 0)
    t.update([sock({ cookie: '5', state: 'TIME_WAIT', inode: 0, process: inferred })], 1000)
    expect(t.ages()[0]).toMatchObject({ ownerRemembered: false, owner: inferred })
  })
})

describe('SocketTracker.forgetSockets (a monitor between doctor runs)', () => {
  it('holds no socket objects, then picks up where it was at the next sample', () => {
    const feed = (t: SocketTracker) => {
      recorded.slice(0, 2).forEach((s, i) => t.update(s, 10_000 + i * 400))
    }
    const kept = new SocketTracker()
    const forgot = new SocketTracker()
    feed(kept)
    feed(forgot)
    forgot.forgetSockets()
    expect(forgot.ages()).toEqual([])
    expect(forgot.listeners()).toEqual([])
    expect(forgot.size).toBe(kept.size) // the entries (states, times, owners) stay
    recorded.slice(2).forEach((s, i) => {
      kept.update(s, 10_800 + i * 400)
      forgot.update(s, 10_800 + i * 400)
    })
    // Ages, changes, remembered owners and the listeners' queue history are the same either way.
    expect(forgot.ages()).toEqual(kept.ages())
    expect(forgot.listeners()).toEqual(kept.listeners())
    expect(forgot.ages().length).toBeGreaterThan(0)
  })
})
