/**
 * @module
 * Ephemeral ports per destination, shared by TIME_WAIT_PORT_EXHAUSTION and
 * EPHEMERAL_RANGE_NARROW. connect() needs a local port unused for the 4-tuple, so the limit is per
 * (src ip, dst ip, dst port): the usable range is ip_local_port_range minus
 * ip_local_reserved_ports, and every socket to that destination holds one, TIME_WAIT included.
 */
import type { TcpSysctls } from '../kernel/procfs/sysctl.js'
import { stateOf, type NamespaceInput } from './input.js'

/** The kernel default when the range cannot be read (include/net/ip.h, inet_init_net). */
export const DEFAULT_RANGE: [number, number] = [32768, 60999]

export interface PortRange {
  low: number
  high: number
  reserved: number
  usable: number
}

export function portRange(tcp: TcpSysctls | undefined): PortRange {
  const [low, high] = tcp?.localPortRange ?? DEFAULT_RANGE
  let reserved = 0
  for (const [a, b] of tcp?.localReservedPorts ?? []) reserved += Math.max(0, Math.min(b, high) - Math.max(a, low) + 1)
  return { low, high, reserved, usable: Math.max(0, high - low + 1 - reserved) }
}

export interface DestinationUse {
  source: string
  address: string
  port: number
  /** Sockets to it with a local port in the ephemeral range. */
  count: number
  timeWait: number
  established: number
  processes: Map<string, number>
}

/** Sockets per (src ip, dst ip, dst port) with local ports in the range, busiest first. */
export function destinationUse(ns: NamespaceInput, range: PortRange): DestinationUse[] {
  const m = new Map<string, DestinationUse>()
  for (const s of ns.sockets) {
    const st = stateOf(s)
    if (st === 'LISTEN' || st === 'SYN_RECV' || s.remote.port === 0) continue
    if (s.local.port < range.low || s.local.port > range.high) continue
    const k = `${s.local.address}|${s.remote.address}|${s.remote.port}`
    const e = m.get(k) ?? { source: s.local.address, address: s.remote.address, port: s.remote.port, count: 0, timeWait: 0, established: 0, processes: new Map() }
    e.count++
    if (st === 'TIME_WAIT') e.timeWait++
    if (st === 'ESTABLISHED') e.established++
    const owner = s.process?.find((p) => !p.inferred) ?? s.process?.[0]
    if (owner && st !== 'TIME_WAIT') e.processes.set(`${owner.command} (pid ${owner.pid})`, (e.processes.get(`${owner.command} (pid ${owner.pid})`) ?? 0) + 1)
    m.set(k, e)
  }
  return [...m.values()].sort((a, b) => b.count - a.count)
}

/** JSON shape of a destination for evidence. */
export function destinationJson(d: DestinationUse): Record<string, unknown> {
  return { source: d.source, address: d.address, port: d.port, count: d.count, timeWait: d.timeWait, established: d.established, processes: [...d.processes].map(([p, n]) => ({ process: p, count: n })) }
}

export function destinationText(d: DestinationUse): string {
  const dst = d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`
  return `${d.source} -> ${dst}`
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/

/** tcp_tw_reuse lets connect() take a TIME_WAIT port (1: always, 2: loopback only; needs timestamps). */
export function twReuseApplies(tcp: TcpSysctls | undefined, d: DestinationUse): boolean {
  return tcp?.twReuse === 1 || (tcp?.twReuse === 2 && LOOPBACK.test(d.address))
}
