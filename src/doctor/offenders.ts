/**
 * @module
 * Top offenders for evidence: sockets grouped by local port, peer, destination, process. Pure.
 */
import type { ProcessRef, Socket } from '../model/socket.js'
import { formatEndpoint } from '../model/endpoint-text.js'

export interface PortCount { port: number; count: number }
export interface PeerCount { address: string; count: number }
export interface DestinationCount { destination: string; address: string; port: number; count: number }
export interface ProcessCount { pid: number; command: string; count: number; inferred?: boolean }

function topOf<T extends { count: number }>(m: Map<string, T>, n: number): T[] {
  return [...m.values()].sort((a, b) => b.count - a.count).slice(0, n)
}

export function topLocalPorts(sockets: readonly Socket[], n = 3): PortCount[] {
  const m = new Map<string, PortCount>()
  for (const s of sockets) {
    const k = String(s.local.port)
    const e = m.get(k) ?? { port: s.local.port, count: 0 }
    e.count++
    m.set(k, e)
  }
  return topOf(m, n)
}

export function topPeers(sockets: readonly Socket[], n = 3): PeerCount[] {
  const m = new Map<string, PeerCount>()
  for (const s of sockets) {
    const e = m.get(s.remote.address) ?? { address: s.remote.address, count: 0 }
    e.count++
    m.set(s.remote.address, e)
  }
  return topOf(m, n)
}

export function topDestinations(sockets: readonly Socket[], n = 3): DestinationCount[] {
  const m = new Map<string, DestinationCount>()
  for (const s of sockets) {
    const k = formatEndpoint(s.remote, s.family)
    const e = m.get(k) ?? { destination: k, address: s.remote.address, port: s.remote.port, count: 0 }
    e.count++
    m.set(k, e)
  }
  return topOf(m, n)
}

/** The owner to blame for a socket: a process holding it, else the inferred one. */
export function ownerOf(s: Socket): ProcessRef | undefined {
  return s.process?.find((p) => !p.inferred) ?? s.process?.[0]
}

export function topProcesses(sockets: readonly Socket[], n = 3): ProcessCount[] {
  const m = new Map<string, ProcessCount>()
  for (const s of sockets) {
    const p = ownerOf(s)
    if (!p) continue
    const k = String(p.pid)
    const e = m.get(k) ?? { pid: p.pid, command: p.command, count: 0, ...(p.inferred ? { inferred: true } : {}) }
    e.count++
    m.set(k, e)
  }
  return topOf(m, n)
}

/** "tdlab-leaky (pid 4121)", or "" when unknown. */
export function processText(p: ProcessCount | undefined): string {
  return p ? `${p.command} (pid ${p.pid}${p.inferred ? ', inferred' : ''})` : ''
}

/** ":8080 x100, :9000 x3" */
export function portsText(ports: readonly PortCount[]): string {
  return ports.map((p) => `:${p.port} x${p.count}`).join(', ')
}

export function peersText(peers: readonly PeerCount[]): string {
  return peers.map((p) => `${p.address} x${p.count}`).join(', ')
}

export function destinationsText(d: readonly DestinationCount[]): string {
  return d.map((x) => `${x.destination} x${x.count}`).join(', ')
}

export function processesText(ps: readonly ProcessCount[]): string {
  return ps.map((p) => `${processText(p)} x${p.count}`).join(', ')
}

/** The max of a list, 0 when empty. */
export function maxOf(values: Iterable<number>): number {
  let m = 0
  for (const v of values) if (v > m) m = v
  return m
}

/** Seconds with one decimal below 10 s. */
export function seconds(ms: number): number {
  const s = ms / 1000
  return s < 10 ? Math.round(s * 10) / 10 : Math.round(s)
}

/** `local|port` keys of the listening ports of a namespace's sockets (which side of a socket serves). */
export function listeningPorts(sockets: readonly Socket[]): Set<number> {
  const ports = new Set<number>()
  for (const s of sockets) if (s.state === 'LISTEN') ports.add(s.local.port)
  return ports
}

/**
 * The service a socket belongs to: its local port when something listens there (server side),
 * else the remote address and port (client side: 10.0.0.5:6379, never the local ephemeral port).
 */
export interface ServiceCount { service: string; side: 'server' | 'client'; address: string; port: number; family: Socket['family']; count: number }

export function serviceOf(s: Socket, listening: Set<number>): Omit<ServiceCount, 'count'> {
  if (listening.has(s.local.port)) return { service: `:${s.local.port}`, side: 'server', address: '', port: s.local.port, family: s.family }
  return { service: formatEndpoint(s.remote, s.family), side: 'client', address: s.remote.address, port: s.remote.port, family: s.family }
}

/** Every service of the sockets, largest first (n: at most that many). */
export function topServices(sockets: readonly Socket[], listening: Set<number>, n = Infinity): ServiceCount[] {
  const m = new Map<string, ServiceCount>()
  for (const s of sockets) {
    const sv = serviceOf(s, listening)
    const e = m.get(sv.service) ?? { ...sv, count: 0 }
    e.count++
    m.set(sv.service, e)
  }
  return [...m.values()].sort((a, b) => b.count - a.count || (a.service < b.service ? -1 : 1)).slice(0, n)
}

/** ":8080 x100, 10.0.0.5:6379 x40" */
export function servicesText(services: readonly ServiceCount[]): string {
  return services.map((s) => `${s.service} x${s.count}`).join(', ')
}

/**
 * An ss filter expression selecting every socket of these services: `( sport = :8080 or dst
 * 10.0.0.5:6379 )`, quoted for a shell. Empty when there are too many to list (the state alone then).
 */
export function servicesFilter(services: readonly ServiceCount[], max = 8): string {
  if (!services.length || services.length > max) return ''
  const parts = services.map((s) => (s.side === 'server' ? `sport = :${s.port}` : `dst ${s.family === 'inet6' ? `[${s.address}]` : s.address}:${s.port}`))
  return `'( ${parts.join(' or ')} )'`
}

/**
 * The owners of a group as a title names them: "tdlab-leaky (pid 4121)", or all the workers of
 * one program "nginx (2 processes: pid 10, 11)", or "nginx (pid 10), redis (pid 20)".
 */
export function ownersText(sockets: readonly Socket[]): string {
  const byCommand = new Map<string, Set<number>>()
  let inferred = false
  for (const s of sockets) {
    // Every holder: a listener shared by a master and its forked workers names them all.
    const held = s.process?.filter((p) => !p.inferred) ?? []
    const holders = held.length ? held : s.process ?? []
    for (const p of holders) {
      if (p.inferred) inferred = true
      let set = byCommand.get(p.command)
      if (!set) byCommand.set(p.command, (set = new Set()))
      set.add(p.pid)
    }
  }
  const parts = [...byCommand].sort((a, b) => b[1].size - a[1].size).map(([cmd, pids]) => {
    const list = [...pids].sort((a, b) => a - b)
    const shown = list.slice(0, 4).join(', ') + (list.length > 4 ? ', ...' : '')
    return list.length === 1 ? `${cmd} (pid ${list[0]}${inferred ? ', inferred' : ''})` : `${cmd} (${list.length} processes: pid ${shown}${inferred ? ', inferred' : ''})`
  })
  return parts.join(', ')
}

/**
 * Destinations grouped by peer host and service port, never by an ephemeral port: a client
 * socket counts under the remote service (10.0.0.5:6379), a server socket under its peer host and
 * the local port it serves ("10.0.0.7 -> :8080").
 */
export function topPeerServices(sockets: readonly Socket[], listening: Set<number>, n = 3): (DestinationCount & { side: 'server' | 'client' })[] {
  const m = new Map<string, DestinationCount & { side: 'server' | 'client' }>()
  for (const s of sockets) {
    const server = listening.has(s.local.port)
    const k = server ? `${s.remote.address} -> :${s.local.port}` : formatEndpoint(s.remote, s.family)
    const e = m.get(k) ?? { destination: k, address: s.remote.address, port: server ? s.local.port : s.remote.port, side: server ? 'server' : 'client', count: 0 }
    e.count++
    m.set(k, e)
  }
  return topOf(m, n)
}
