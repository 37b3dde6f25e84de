/**
 * @module
 * Listener helpers shared by SYN_FLOOD, LISTEN_QUEUE_OVERFLOW and UNEXPECTED_LISTENER: which
 * request sockets belong to which LISTEN socket, and the accept queue against the backlog.
 */
import type { Socket } from '../model/socket.js'
import { stateOf, type NamespaceInput } from './input.js'
import type { ProcessActivity } from '../kernel/owners.js'

const ANY = new Set(['0.0.0.0', '::'])

/** The LISTEN sockets of a namespace. */
export function listenersOf(ns: NamespaceInput): Socket[] {
  return ns.sockets.filter((s) => s.state === 'LISTEN')
}

/** Whether a socket's local endpoint is served by this listener (same port; wildcard or same address). */
export function servedBy(l: Socket, s: Socket): boolean {
  return s.local.port === l.local.port && (ANY.has(l.local.address) || l.local.address === s.local.address)
}

/** Request sockets (SYN_RECV) per listener; each goes to the most specific listener. */
export function synRecvByListener(ns: NamespaceInput): Map<Socket, Socket[]> {
  const listeners = listenersOf(ns)
  const out = new Map<Socket, Socket[]>(listeners.map((l) => [l, []]))
  for (const s of ns.sockets) {
    if (stateOf(s) !== 'SYN_RECV') continue
    const exact = listeners.find((l) => l.local.port === s.local.port && l.local.address === s.local.address)
    const l = exact ?? listeners.find((x) => servedBy(x, s))
    if (l) out.get(l)!.push(s)
  }
  return out
}

/** The accept queue is past its limit (the kernel drops when queue > backlog). */
export function acceptQueueFull(l: Socket, fraction = 1): boolean {
  return l.sendQ > 0 && l.recvQ >= Math.max(1, l.sendQ * fraction)
}

/** "0.0.0.0:8080" */
export function listenerText(l: Socket): string {
  return l.family === 'inet6' ? `[${l.local.address}]:${l.local.port}` : `${l.local.address}:${l.local.port}`
}

/** A listener owner's activity when the input carries it (NamespaceInput.processActivity, by pid). */
export type OwnerActivity = ProcessActivity & { cpuPercent?: number }

export function activityOf(ns: NamespaceInput, pid: number): OwnerActivity | undefined {
  return (ns as NamespaceInput & { processActivity?: Record<string, OwnerActivity> }).processActivity?.[String(pid)]
}

/** What the owner is doing, as a message key suffix: stopped, blocked (D), busy (CPU), waiting (S). */
export function ownerDoing(a: OwnerActivity): 'stopped' | 'blocked' | 'busy' | 'waiting' | undefined {
  const n = Object.values(a.threads).reduce((x, y) => x + y, 0) || 1
  if (a.state === 'T' || a.state === 't') return 'stopped'
  if (a.state === 'D' || (a.threads.D ?? 0) * 2 >= n) return 'blocked'
  if ((a.cpuPercent ?? 0) >= 90 || (a.threads.R ?? 0) === n) return 'busy'
  if (a.state === 'S') return 'waiting'
  return undefined
}
