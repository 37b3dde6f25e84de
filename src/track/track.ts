/**
 * @module
 * Time in state without eBPF: a pure tracker fed with successive socket samples. Sockets are
 * keyed by their kernel cookie, which survives state changes (a TIME_WAIT socket keeps the cookie
 * of the full socket it replaced: inet_twsk_alloc copies sk_cookie), so one key follows
 * ESTABLISHED -> FIN_WAIT2 -> TIME_WAIT. Without a cookie (/proc) the key is
 * netns + state + 4-tuple + inode, and a state change looks like a new socket.
 * Ages are lower bounds: "first seen in this state", marked atLeast for sockets already there at
 * the first sample; maxAgeMs bounds them from above when the previous sample saw another state.
 * Memory is bounded: a socket missing from 2 consecutive samples is forgotten.
 */
import { counterStep } from '../counters/counters.js'
import type { ProcessRef, Socket } from '../model/socket.js'
import type { StateName } from '../model/state.js'

export interface StateChange {
  from: StateName
  to: StateName
  /** Time of the first sample that saw the new state (ms since the epoch). */
  at: number
}

export interface SocketAge {
  key: string
  /** The socket as last sampled. */
  socket: Socket
  state: StateName
  /** Time since the first sample that saw this state (a lower bound). */
  ageMs: number
  /** The socket was already in this state at the tracker's first sample: it is older. */
  atLeast: boolean
  /** Upper bound: since the last sample that saw it in another state or not at all; undefined when unknown. */
  maxAgeMs?: number
  firstSeenAt: number
  changes: StateChange[]
  /** Current owners, else the last known ones (a socket that lost its fd: TIME_WAIT, orphans). */
  owner?: ProcessRef[]
  /** owner comes from an earlier sample, not the current one. */
  ownerRemembered: boolean
}

export interface ListenerHealth {
  key: string
  socket: Socket
  samples: number
  /** Accept queue (recvQ) now, max and mean over the samples. */
  queue: number
  maxQueue: number
  meanQueue: number
  /** The backlog (sendQ on LISTEN: min(listen() backlog, somaxconn)). */
  backlog: number
  /** Samples where the queue was over the backlog (the kernel drops: sk_acceptq_is_full). */
  samplesFull: number
  /** Sum of the intervals that ended in a full sample (an estimate of time at full). */
  fullMs: number
  /** ListenOverflows / ListenDrops deltas of the listener's namespace over the tracked span. */
  listenOverflows?: number
  listenDrops?: number
}

interface Entry {
  key: string
  /** The socket as last sampled; undefined after forgetSockets() until the next sample sees it. */
  socket: Socket | undefined
  state: StateName
  since: number
  atLeast: boolean
  prevSampleAt?: number
  firstSeenAt: number
  lastSeenSample: number
  changes: StateChange[]
  owner?: ProcessRef[]
  /** owner was seen holding an fd (not inferred). */
  ownerSeen: boolean
  ownerRemembered: boolean
  listen?: { samples: number; sum: number; max: number; samplesFull: number; fullMs: number }
}

export interface TrackerOptions {
  /** Forget a socket after it is missing from this many consecutive samples (default 2). */
  forgetAfter?: number
  /** Keep at most this many state changes per socket (default 8). */
  maxChanges?: number
}

/** Flat counters of one namespace (nstat names), for ListenOverflows/ListenDrops deltas. */
export type FlatCounters = Readonly<Record<string, number>>

/** The key of a socket: its cookie, else netns + state + 4-tuple + inode. */
export function socketKey(s: Socket): string {
  if (s.cookie) return `c:${s.netns ?? ''}:${s.cookie}`
  return `t:${s.netns ?? ''}|${s.state}|${s.local.address}:${s.local.port}|${s.remote.address}:${s.remote.port}|${s.inode}`
}

export class SocketTracker {
  private readonly entries = new Map<string, Entry>()
  private sample = -1
  private firstAt: number | undefined
  private lastAt: number | undefined
  private readonly counters = new Map<string, { first: FlatCounters; last: FlatCounters }>()
  private readonly forgetAfter: number
  private readonly maxChanges: number

  constructor(opts: TrackerOptions = {}) {
    this.forgetAfter = opts.forgetAfter ?? 2
    this.maxChanges = opts.maxChanges ?? 8
  }

  /** Number of samples fed so far. */
  get samples(): number {
    return this.sample + 1
  }

  /** Sockets currently remembered (bounded by forgetAfter). */
  get size(): number {
    return this.entries.size
  }

  /**
   * Feeds one sample taken at `at` (ms since the epoch). `counters` maps a namespace label
   * ('' for the current one) to its flat counters at the same moment.
   */
  update(sockets: readonly Socket[], at: number, counters?: Readonly<Record<string, FlatCounters>>): void {
    this.sample++
    const first = this.sample === 0
    const prevAt = this.lastAt
    this.firstAt ??= at
    this.lastAt = at
    for (const s of sockets) {
      const key = socketKey(s)
      let e = this.entries.get(key)
      if (!e) {
        e = { key, socket: s, state: s.state, since: at, atLeast: first, firstSeenAt: at, lastSeenSample: this.sample, changes: [], ownerSeen: false, ownerRemembered: false }
        // Seen for the first time after the first sample: it appeared after the previous one.
        if (!first) e.prevSampleAt = prevAt
        this.entries.set(key, e)
      } else {
        if (e.state !== s.state) {
          e.changes.push({ from: e.state, to: s.state, at })
          if (e.changes.length > this.maxChanges) e.changes.shift()
          e.state = s.state
          e.since = at
          e.atLeast = false
          e.prevSampleAt = e.lastSeenSample === this.sample - 1 ? prevAt : undefined
        }
        e.socket = s
        e.lastSeenSample = this.sample
      }
      const owned = s.process?.filter((p) => !p.inferred) ?? []
      if (owned.length) {
        e.owner = owned
        e.ownerSeen = true
        e.ownerRemembered = false
      } else if (e.ownerSeen) e.ownerRemembered = true // lost its fd: keep who held it
      else if (s.process?.length) e.owner = s.process // inferred (the listener on the same port)
      if (s.state === 'LISTEN') {
        const l = (e.listen ??= { samples: 0, sum: 0, max: 0, samplesFull: 0, fullMs: 0 })
        l.samples++
        l.sum += s.recvQ
        l.max = Math.max(l.max, s.recvQ)
        if (s.recvQ > s.sendQ) {
          l.samplesFull++
          if (prevAt !== undefined) l.fullMs += at - prevAt
        }
      }
    }
    for (const [key, e] of this.entries) if (this.sample - e.lastSeenSample >= this.forgetAfter) this.entries.delete(key)
    if (counters) {
      for (const [ns, values] of Object.entries(counters)) {
        const c = this.counters.get(ns)
        if (c) c.last = values
        else this.counters.set(ns, { first: values, last: values })
      }
    }
  }

  /**
   * Drops the sampled socket objects (tcp_info, memory, owners' details) and keeps what the next
   * sample is compared with: keys, states, times, changes and owners. A monitor keeps its tracker
   * between doctor runs; with the sockets that is ~2 kB a socket held for nothing (100 MB of live
   * heap at 50k sockets), without them tens of bytes. ages() and listeners() see no socket again
   * until the next update().
   */
  forgetSockets(): void {
    for (const e of this.entries.values()) e.socket = undefined
  }

  /** Ages of the sockets seen in the latest sample, at time `now` (default: the latest sample). */
  ages(now = this.lastAt ?? Date.now()): SocketAge[] {
    const out: SocketAge[] = []
    for (const e of this.entries.values()) {
      if (e.lastSeenSample !== this.sample || !e.socket) continue
      const age: SocketAge = {
        key: e.key,
        socket: e.socket,
        state: e.state,
        ageMs: now - e.since,
        atLeast: e.atLeast,
        firstSeenAt: e.firstSeenAt,
        changes: [...e.changes],
        ownerRemembered: e.ownerRemembered,
      }
      if (!e.atLeast && e.prevSampleAt !== undefined) age.maxAgeMs = now - e.prevSampleAt
      if (e.owner) age.owner = e.owner
      out.push(age)
    }
    return out
  }

  /** Health of every LISTEN socket in the latest sample, with its namespace's counter deltas. */
  listeners(): ListenerHealth[] {
    const out: ListenerHealth[] = []
    for (const e of this.entries.values()) {
      if (!e.listen || e.lastSeenSample !== this.sample || e.state !== 'LISTEN' || !e.socket) continue
      const l = e.listen
      const h: ListenerHealth = {
        key: e.key,
        socket: e.socket,
        samples: l.samples,
        queue: e.socket.recvQ,
        maxQueue: l.max,
        meanQueue: l.sum / l.samples,
        backlog: e.socket.sendQ,
        samplesFull: l.samplesFull,
        fullMs: l.fullMs,
      }
      const c = this.counters.get(e.socket.netns ?? '')
      if (c) {
        h.listenOverflows = delta(c.first, c.last, 'TcpExtListenOverflows')
        h.listenDrops = delta(c.first, c.last, 'TcpExtListenDrops')
      }
      out.push(h)
    }
    return out
  }
}

function delta(a: FlatCounters, b: FlatCounters, name: string): number | undefined {
  return counterStep(name, a[name], b[name])
}
