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
