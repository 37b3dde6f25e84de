/**
 * @module
 * Groups sockets for `states --by`: per service port, local endpoint, peer address, owning
 * process or namespace, each group with its per-state counts. Pure.
 */
import type { Socket } from '../model/socket.js'
import { countedState, type StateName } from '../model/state.js'
import { formatEndpoint } from '../model/endpoint-text.js'

export const GROUP_KEYS = ['port', 'local', 'remote', 'process', 'netns'] as const
export type GroupKey = (typeof GROUP_KEYS)[number]

export interface StateGroup {
  key: string
  total: number
  states: Partial<Record<StateName, number>>
}

/** The service port of a socket: its local port when something listens there, else `->:remote`. */
export function servicePortKey(s: Socket, listening: Set<string>): string {
  if (s.state === 'LISTEN' || listening.has(`${s.netns ?? ''}|${s.local.port}`)) return `:${s.local.port}`
  return `->:${s.remote.port}`
}

function processKey(s: Socket): string {
  const p = s.process?.[0]
  if (!p) return '-'
  return `${p.command}[${p.pid}]${p.inferred ? '~' : ''}`
}

/** Groups sockets by key, largest group first (ties by key). */
export function groupStates(sockets: readonly Socket[], by: GroupKey): StateGroup[] {
  const listening = new Set<string>()
  if (by === 'port') for (const s of sockets) if (s.state === 'LISTEN') listening.add(`${s.netns ?? ''}|${s.local.port}`)
  const keyOf = (s: Socket): string => {
    switch (by) {
      case 'port': return servicePortKey(s, listening)
      case 'local': return formatEndpoint(s.local, s.family)
      case 'remote': return s.remote.port === 0 ? '*' : s.remote.address
      case 'process': return processKey(s)
      case 'netns': return s.netns ?? '-'
    }
  }
  const groups = new Map<string, StateGroup>()
  for (const s of sockets) {
    const key = keyOf(s)
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { key, total: 0, states: {} }))
    const st = countedState(s.state)
    g.states[st] = (g.states[st] ?? 0) + 1
    g.total++
  }
  return [...groups.values()].sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}
