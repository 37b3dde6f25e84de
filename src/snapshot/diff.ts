/**
 * @module
 * What changed between two snapshots: state counts, per service port, and the sockets that
 * appeared, disappeared or changed state (matched by cookie, else by namespace + 4-tuple). Pure.
 */
import type { Socket } from '../model/socket.js'
import { STATE_NAMES, type StateName } from '../model/state.js'
import { formatEndpoint } from '../model/endpoint-text.js'
import { countList } from '../kernel/source.js'
import { groupStates } from '../sockets/group.js'
import type { Snapshot } from './file.js'

export interface SocketChange {
  netns: string
  local: string
  remote: string
  from?: StateName
  to?: StateName
  process?: string
}

export interface SnapshotDiff {
  from: { takenAt: string; total: number }
  to: { takenAt: string; total: number }
  /** Per state: before, after, delta (states present in either). */
  states: { state: StateName; before: number; after: number; delta: number }[]
  /** Per service port (as states --by port), the groups whose counts changed, biggest change first. */
  ports: { key: string; before: number; after: number; delta: number }[]
  appeared: number
  disappeared: number
  changedState: number
  /** Up to `limit` examples of each kind. */
  examples: { appeared: SocketChange[]; disappeared: SocketChange[]; changed: SocketChange[] }
}

function flatten(s: Snapshot): Socket[] {
  return s.namespaces.flatMap((ns) => ns.sockets.map((x) => ({ ...x, netns: ns.netns })))
}

function keyOf(s: Socket): string {
  return s.cookie ? `${s.netns}|c${s.cookie}` : `${s.netns}|${s.local.address}:${s.local.port}|${s.remote.address}:${s.remote.port}|${s.inode}`
}

function describe(s: Socket): SocketChange {
  const p = s.process?.[0]
  return { netns: s.netns ?? '', local: formatEndpoint(s.local, s.family), remote: formatEndpoint(s.remote, s.family), ...(p ? { process: `${p.command}[${p.pid}]` } : {}) }
}

/** Compares two snapshots (older first). */
export function diffSnapshots(a: Snapshot, b: Snapshot, limit = 20): SnapshotDiff {
  const before = flatten(a)
  const after = flatten(b)
  const ca = countList(before).states
  const cb = countList(after).states
  const states = STATE_NAMES.filter((s) => (ca[s] ?? 0) + (cb[s] ?? 0) > 0).map((state) => {
    const x = ca[state] ?? 0
    const y = cb[state] ?? 0
    return { state, before: x, after: y, delta: y - x }
  })
  const ga = new Map(groupStates(before, 'port').map((g) => [g.key, g.total]))
  const gb = new Map(groupStates(after, 'port').map((g) => [g.key, g.total]))
  const ports = [...new Set([...ga.keys(), ...gb.keys()])]
    .map((key) => ({ key, before: ga.get(key) ?? 0, after: gb.get(key) ?? 0, delta: (gb.get(key) ?? 0) - (ga.get(key) ?? 0) }))
    .filter((p) => p.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.key < y.key ? -1 : 1))
  const ma = new Map(before.map((s) => [keyOf(s), s]))
  const mb = new Map(after.map((s) => [keyOf(s), s]))
  const examples: SnapshotDiff['examples'] = { appeared: [], disappeared: [], changed: [] }
  let appeared = 0
  let disappeared = 0
  let changedState = 0
  for (const [k, s] of mb) {
    const old = ma.get(k)
    if (!old) {
      appeared++
      if (examples.appeared.length < limit) examples.appeared.push({ ...describe(s), to: s.state })
    } else if (old.state !== s.state) {
      changedState++
      if (examples.changed.length < limit) examples.changed.push({ ...describe(s), from: old.state, to: s.state })
    }
  }
  for (const [k, s] of ma) {
    if (mb.has(k)) continue
    disappeared++
    if (examples.disappeared.length < limit) examples.disappeared.push({ ...describe(s), from: s.state })
  }
  return {
    from: { takenAt: a.takenAt, total: before.length },
    to: { takenAt: b.takenAt, total: after.length },
    states, ports, appeared, disappeared, changedState, examples,
  }
}
