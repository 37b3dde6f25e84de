/**
 * @module
 * sampleAges(): time in state by sampling sockets several times (no eBPF). For `sockets --age`
 * and `diagnose`: the last sample's sockets with their age, state changes and remembered owners,
 * plus listener health joined with ListenOverflows/ListenDrops.
 */
import { pause } from '../pause.js'
import { gatherSockets, type GatherOptions, type Gathered } from '../sockets/gather.js'
import { tryNative } from '../kernel/native.js'
import { SocketTracker, type ListenerHealth, type SocketAge } from './track.js'
import { resolveNetns } from '../kernel/netns.js'
import { readCounters } from '../counters/counters.js'
import type { FlatCounters } from './track.js'

export interface SampleAgesOptions {
  /** Number of samples (>= 1; default 3). */
  samples?: number
  /** Pause between samples (default 1000 ms). */
  intervalMs?: number
  /** Stops sampling early; the samples taken so far are used. */
  signal?: AbortSignal
  /** Read ListenOverflows/ListenDrops with each sample (default true; skipped where unreadable). */
  counters?: boolean
}

export interface SampledAges {
  samples: number
  /** Wall-clock span from the first to the last sample. */
  spanMs: number
  ages: SocketAge[]
  listeners: ListenerHealth[]
}

function countersOf(opts: GatherOptions): Record<string, FlatCounters> | undefined {
  if (opts.from) return undefined
  const out: Record<string, FlatCounters> = {}
  try {
    const labelled = opts.netns !== undefined
    for (const target of resolveNetns(opts.netns, opts.procRoot)) {
      // Sockets carry the netns label only when the caller asked about namespaces (gatherSockets).
      out[labelled ? target.label : ''] = readCounters({ procRoot: opts.procRoot, netns: labelled ? target : undefined, ipv6: false }).counters
    }
  } catch {
    return undefined // a namespace without processes has no /proc/<pid>/net: ages still work, listener deltas are omitted
  }
  return out
}

/** Samples sockets `samples` times, intervalMs apart, and returns their ages (SPEC 6). */
export async function sampleAges(query: GatherOptions, opts: SampleAgesOptions = {}): Promise<SampledAges> {
  const n = Math.max(1, opts.samples ?? 3)
  const tracker = new SocketTracker()
  let firstAt = 0
  let lastAt = 0
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      if (!(await pause(opts.intervalMs ?? 1000, opts.signal))) break // interrupted: report what we have
    }
    const at = Date.now()
    const g = gatherSockets(query)
    tracker.update(g.namespaces.flatMap((ns) => ns.sockets), at, opts.counters === false ? undefined : countersOf(query))
    if (i === 0) firstAt = at
    lastAt = at
  }
  return { samples: tracker.samples, spanMs: lastAt - firstAt, ages: tracker.ages(), listeners: tracker.listeners() }
}

/**
 * sampleAges as a gather: the last sample's sockets with `socket.age` set (and remembered owners),
 * in the shape every socket-view command renders.
 */
export async function gatherWithAges(query: GatherOptions, opts: SampleAgesOptions = {}): Promise<Gathered> {
  const r = await sampleAges(query, opts)
  const sockets = r.ages.map((a) => {
    const s = a.socket
    s.age = { ms: a.ageMs, atLeast: a.atLeast, changes: a.changes.map((c) => `${c.from ?? 'new'}->${c.to}`), ...(a.maxAgeMs !== undefined ? { maxMs: a.maxAgeMs } : {}), ...(a.ownerRemembered ? { ownerRemembered: true } : {}) }
    if (a.owner) s.process = a.owner
    return s
  })
  const source = query.source === 'procfs' || !tryNative() ? 'procfs' : 'netlink'
  return { namespaces: [{ netns: query.netns ?? '', source, interrupted: false, sockets }], pidsDenied: 0 }
}
