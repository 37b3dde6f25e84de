/**
 * @module
 * One pass over a sample's sockets, shared by the serve sampler and the watch sampler: counts per
 * state and every listener with its accept queue, backlog and owner (owners are remembered
 * between the samples that walk /proc), fullest queue first.
 */
import type { Socket } from '../model/socket.js'
import { countedState, type StateName } from '../model/state.js'

export interface TalliedListener {
  local: string
  address: string
  port: number
  /** Connections waiting for accept() (Recv-Q of a listener). */
  queue: number
  /** The backlog (Send-Q of a listener). */
  backlog: number
  process?: string
}

/** owners: listener text -> "command[pid]", updated when withOwners (this sample walked /proc). */
export function tallySockets(sockets: readonly Socket[], owners: Map<string, string>, withOwners: boolean): { states: Partial<Record<StateName, number>>; listeners: TalliedListener[] } {
  const states: Partial<Record<StateName, number>> = {}
  const listeners: TalliedListener[] = []
  for (const s of sockets) {
    const st = countedState(s.state)
    states[st] = (states[st] ?? 0) + 1
    if (s.state !== 'LISTEN') continue
    const local = `${s.family === 'inet6' ? `[${s.local.address}]` : s.local.address}:${s.local.port}`
    const p = s.process?.[0]
    if (withOwners) {
      if (p) owners.set(local, `${p.command}[${p.pid}]`)
      else owners.delete(local)
    }
    listeners.push({ local, address: s.local.address, port: s.local.port, queue: s.recvQ, backlog: s.sendQ, process: owners.get(local) })
  }
  return { states, listeners: sortListeners(listeners) }
}

/** Fullest accept queue first (queue over backlog), then by port and address; sorts in place. */
export function sortListeners<T extends Pick<TalliedListener, 'queue' | 'backlog' | 'port' | 'local'>>(listeners: T[]): T[] {
  return listeners.sort((a, b) => b.queue / Math.max(1, b.backlog) - a.queue / Math.max(1, a.backlog) || a.port - b.port || a.local.localeCompare(b.local))
}
