/**
 * @module
 * The resets the kernel counted (kernel/resets.ts) as diagnose shows them: grouped by kind, peer
 * host and service port (the server's port, never an ephemeral one), with who is behind each
 * group where anything shows it -- the task that sent an abort (the kernel saw it), the owner of
 * the socket in a dump, or the process listening on the service port. Pure.
 */
import type { Endpoint, Family, Socket } from '../model/socket.js'
import type { StateName } from '../model/state.js'
import { formatEndpoint } from '../model/endpoint-text.js'
import { ownerOf } from './offenders.js'
import type { ResetKind } from '../model/reset-kind.js'

/** One reset group as the kernel counted it (kernel/resets.ts ResetEvent, namespace already chosen). */
export interface ResetEventInput {
  direction: 'sent' | 'received'
  reason: string | null
  family: Family
  local: Endpoint
  remote: Endpoint
  state: StateName | null
  segment: string | null
  count: number
  task?: { pid: number | null; command: string }
}

/**
 * What a group of resets is, from the kernel's reason (enum sk_rst_reason) or, for received ones,
 * from the state of our socket: a stable name in the evidence, and the message key of its line.
 */
export type { ResetKind } from '../model/reset-kind.js'

const REASON_KIND: Record<string, ResetKind> = {
  TCP_ABORT_ON_CLOSE: 'abortOnClose',
  TCP_ABORT_ON_DATA: 'abortOnData',
  TCP_ABORT_ON_LINGER: 'abortOnLinger',
  TCP_ABORT_ON_MEMORY: 'abortOnMemory',
  TCP_KEEPALIVE_TIMEOUT: 'keepaliveTimeout',
  TCP_STATE: 'disconnect',
  TCP_DISCONNECT_WITH_DATA: 'disconnect',
  TCP_TIMEWAIT_SOCKET: 'timeWait',
  TCP_INVALID_ACK_SEQUENCE: 'invalid',
  TCP_RFC7323_PAWS: 'invalid',
  TCP_TOO_OLD_ACK: 'invalid',
  TCP_ACK_UNSENT_DATA: 'invalid',
  TCP_FLAGS: 'invalid',
  TCP_OLD_ACK: 'invalid',
  INVALID_SYN: 'invalid',
}

const isSyn = (segment: string | null): boolean => segment !== null && segment.split('|').includes('SYN') && !segment.split('|').includes('ACK')

export function resetKind(e: Pick<ResetEventInput, 'direction' | 'reason' | 'state' | 'segment'>): ResetKind {
  if (e.direction === 'received') return e.state === 'SYN_SENT' ? 'refusedByPeer' : 'resetByPeer'
  if (e.reason === 'NO_SOCKET') return isSyn(e.segment) ? 'refused' : 'noSocket'
  return (e.reason && REASON_KIND[e.reason]) || 'other'
}

/** The owner named beside a group: how it was found. */
export interface ResetOwner {
  pid: number | null
  command: string
  /** task: the kernel saw it send the reset; socket: it held the socket in a dump; listener: it listens on the service port. */
  via: 'task' | 'socket' | 'listener'
}

/** Evidence field `kernelResets.groups[]` of RESETS_HIGH (docs/commands/diagnose.md). */
export interface ResetGroup {
  kind: ResetKind
  direction: 'sent' | 'received'
  /** enum sk_rst_reason name (sent), null (received: the wire carries no reason). */
  reason: string | null
  /** server: this host serves the port (peer -> :port); client: this host connects to peer:port. */
  side: 'server' | 'client'
  peer: string
  /** The service port: the server's, never the ephemeral one. */
  port: number
  /** "10.0.0.5 -> :6379" (server side) or "10.0.0.5:6379" (client side). */
  service: string
  family: Family
  count: number
  owner?: ResetOwner
}

export interface GroupContext {
  /** Ports something listens on in the namespace. */
  listening: Set<number>
  /** ip_local_port_range of the namespace. */
  portRange: [number, number]
  /** Sockets of the dumps (first and last): owners of the connections reset. */
  sockets: readonly Socket[]
}

const unmapped = (a: string): string => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a)
const tupleKey = (l: Endpoint, r: Endpoint): string => `${unmapped(l.address)}|${l.port}|${unmapped(r.address)}|${r.port}`

/** Which end of the connection serves: the refused SYN's target, a listening port, else the port outside the ephemeral range. */
function sideOf(e: ResetEventInput, kind: ResetKind, ctx: GroupContext): 'server' | 'client' {
  if (kind === 'refused') return 'server'
  if (kind === 'refusedByPeer') return 'client'
  if (ctx.listening.has(e.local.port)) return 'server'
  if (ctx.listening.has(e.remote.port)) return 'client'
  const eph = (p: number): boolean => p >= ctx.portRange[0] && p <= ctx.portRange[1]
  if (eph(e.local.port) && !eph(e.remote.port)) return 'client'
  if (eph(e.remote.port) && !eph(e.local.port)) return 'server'
  return e.local.port !== 0 && e.local.port <= e.remote.port ? 'server' : 'client'
}

/** The resets grouped and ranked (largest first; ties sent first, then by name, so two runs list them alike). */
export function groupResets(events: readonly ResetEventInput[], ctx: GroupContext): ResetGroup[] {
  const bySocket = new Map<string, Socket>()
  for (const s of ctx.sockets) if (s.process?.length && s.state !== 'LISTEN') bySocket.set(tupleKey(s.local, s.remote), s)
  const listeners = new Map<number, Socket>()
  for (const s of ctx.sockets) if (s.state === 'LISTEN' && s.process?.length && !listeners.has(s.local.port)) listeners.set(s.local.port, s)
  const groups = new Map<string, ResetGroup & { owners: Map<string, { owner: ResetOwner; count: number }> }>()
  for (const e of events) {
    const kind = resetKind(e)
    const side = sideOf(e, kind, ctx)
    const peer = unmapped(e.remote.address)
    const port = side === 'server' ? e.local.port : e.remote.port
    const family: Family = peer.includes(':') ? 'inet6' : 'inet'
    const service = side === 'server' ? `${peer} -> :${port}` : formatEndpoint({ address: peer, port }, family)
    const key = `${kind}|${e.reason ?? ''}|${service}`
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { kind, direction: e.direction, reason: e.reason, side, peer, port, service, family, count: 0, owners: new Map() }))
    g.count += e.count
    let owner: ResetOwner | undefined
    if (e.task) owner = { pid: e.task.pid, command: e.task.command, via: 'task' }
    else {
      const s = bySocket.get(tupleKey(e.local, e.remote))
      const p = s && ownerOf(s)
      if (p) owner = { pid: p.pid, command: p.command, via: 'socket' }
      else if (side === 'server') {
        const l = listeners.get(port)
        const lp = l && ownerOf(l)
        if (lp) owner = { pid: lp.pid, command: lp.command, via: 'listener' }
      }
    }
    if (owner) {
      const ok = `${owner.pid}|${owner.command}`
      const o = g.owners.get(ok) ?? { owner, count: 0 }
      o.count += e.count
      g.owners.set(ok, o)
    }
  }
  return [...groups.values()]
    .map(({ owners, ...g }) => {
      const top = [...owners.values()].sort((a, b) => b.count - a.count)[0]
      return top ? { ...g, owner: top.owner } : g
    })
    // Ties: sent first (they carry the kernel's reason and often the process), then by name.
    .sort((a, b) => b.count - a.count || (a.direction === b.direction ? 0 : a.direction === 'sent' ? -1 : 1) || (a.service < b.service ? -1 : a.service > b.service ? 1 : a.kind < b.kind ? -1 : 1))
}

/** "tdlab-client (pid 4121)", or "tdlab-client" when the pid is not ours to show. */
export function ownerText(o: ResetOwner | undefined): string {
  if (!o) return ''
  return o.pid === null ? o.command : `${o.command} (pid ${o.pid})`
}
