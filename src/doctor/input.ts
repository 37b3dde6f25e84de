/**
 * @module
 * DiagnoseInput: everything the rules look at, as plain JSON (so a real capture can be saved as
 * a fixture and replayed): per network namespace the sockets of the last sample (owners,
 * tcp_info, timers, memory), what the first sample saw of the same sockets, two counter samples,
 * the sysctls; for the host the recent TCP events of the kernel log. Plus pure accessors the rules
 * share (counter deltas, sockets that persisted over the interval).
 */
import type { Socket } from '../model/socket.js'
import { countedState, type StateName } from '../model/state.js'
import type { TcpSockstat } from '../kernel/procfs/sockstat.js'
import type { MissingReason, TcpSysctls } from '../kernel/procfs/sysctl.js'
import type { KernelLogEvent } from '../kernel/procfs/kmsg.js'
import { counterStep } from '../counters/counters.js'
import type { ProcessActivity } from '../kernel/owners.js'
import { socketKey } from '../track/track.js'
import type { ResetGroup } from './reset-groups.js'

export const INPUT_VERSION = 1

/** Two samples of a namespace's MIB counters (nstat names, Tcp* only) and its sockstat. */
export interface CounterWindow {
  /** ms between the samples; 0 when only one was taken. */
  intervalMs: number
  /** The first sample; absent with one sample (--interval 0). */
  first?: Record<string, number>
  second: Record<string, number>
  /** sockstat at the second sample (inuse, tw per namespace; orphan, alloc, mem host-wide). */
  sockstat: TcpSockstat
}

/** What the first sample saw of a socket still there in the last one. */
export interface EarlierSocket {
  state: StateName
  /** Time in this state, a lower bound (SocketTracker: first seen in it). */
  ageMs: number
  segsOut?: number
  totalRetrans?: number
  bytesSent?: number
  bytesRetrans?: number
}

export interface SysctlInput {
  kernel: string
  /** Dotted key -> value text (net.ipv4.tcp_*, port range, somaxconn ...). */
  values: Record<string, string>
  missing: Record<string, MissingReason>
  initialNetns: boolean
  tcp: TcpSysctls
}

/**
 * The resets the kernel counted in this namespace over the counter window (BPF programs on
 * tcp:tcp_send_reset and tcp:tcp_receive_reset; root, Linux 6.10+), grouped by kind, peer host
 * and service port. Absent when they could not be counted.
 */
export interface KernelResetsInput {
  windowMs: number
  /** Resets this namespace sent and received (every group). */
  sent: number
  received: number
  /** Resets the kernel could not count, host-wide (its map was full). */
  dropped: number
  /** Largest first, at most 50. */
  groups: ResetGroup[]
}

export interface NamespaceInput {
  /** The namespace label ("host", a /run/netns name, net:[inode] ...). */
  netns: string
  source: string
  /** Sockets of the last sample, with owners, tcp_info, timers and memory. */
  sockets: Socket[]
  /** socketKey -> the first sample's view of sockets that kept their state (absent: one sample). */
  earlier?: Record<string, EarlierSocket>
  counters?: CounterWindow
  /** Why there are no counters (a namespace without processes, seen from outside). */
  countersMissing?: string
  sysctls?: SysctlInput
  /**
   * Whose sysctls these are: 'own' (read inside this namespace), 'runner' (the namespace
   * tcpdoctor runs in: /proc/sys shows only the reader's), 'none'.
   */
  sysctlScope: 'own' | 'runner' | 'none'
  /**
   * What the owners of listeners are doing, by pid: state letters of the process and its threads,
   * and CPU use over the interval (LISTEN_QUEUE_OVERFLOW says whether the owner is stopped,
   * blocked in D state or busy).
   */
  processActivity?: Record<string, ProcessActivity & { cpuPercent?: number }>
  /** Who reset and why, as the kernel counted it over the counter window. */
  kernelResets?: KernelResetsInput
}

export interface KernelLogInput {
  readable: boolean
  reason?: string
  /** Only events younger than this many seconds are kept (the ring holds days of history). */
  windowS: number
  events: KernelLogEvent[]
  /** TCP events older than the window, not kept. */
  older: number
}

export interface DiagnoseInput {
  version: typeof INPUT_VERSION
  takenAt: string
  hostname: string
  kernel: string
  /** Socket samples taken: 2 with an interval, 1 with --interval 0 or a snapshot. */
  samples: number
  intervalMs: number
  namespaces: NamespaceInput[]
  kernelLog: KernelLogInput
  notes: string[]
}

/** Delta of a counter over the window; undefined with one sample or an unknown counter. */
export function delta(ns: NamespaceInput, name: string): number | undefined {
  const c = ns.counters
  if (!c?.first) return undefined
  return counterStep(name, c.first[name], c.second[name])
}

/** Per-second rate of a counter over the window; undefined with one sample. */
export function rate(ns: NamespaceInput, name: string): number | undefined {
  const d = delta(ns, name)
  const ms = ns.counters?.intervalMs ?? 0
  return d === undefined || ms <= 0 ? undefined : (d * 1000) / ms
}

/** The counter's value at the last sample (since the namespace was created). */
export function absolute(ns: NamespaceInput, name: string): number | undefined {
  return ns.counters?.second[name]
}

/** States folded as ss shows them (request sockets are SYN_RECV). */
export function stateOf(s: Socket): StateName {
  return countedState(s.state)
}

/**
 * Sockets in `state` that were already in it at the first sample (with two samples), else all
 * of them: a pile-up is what stays, not what passes through.
 */
export function lingering(ns: NamespaceInput, state: StateName): Socket[] {
  const now = ns.sockets.filter((s) => stateOf(s) === state)
  if (!ns.earlier) return now
  const earlier = ns.earlier
  return now.filter((s) => earlier[socketKey(s)]?.state === state)
}

/** The earlier view of a socket, if it was there in the same state. */
export function earlierOf(ns: NamespaceInput, s: Socket): EarlierSocket | undefined {
  const e = ns.earlier?.[socketKey(s)]
  return e && e.state === s.state ? e : undefined
}

/** The sysctls when they are this namespace's own (rules that judge sysctls need that). */
export function ownSysctls(ns: NamespaceInput): SysctlInput | undefined {
  return ns.sysctlScope === 'own' ? ns.sysctls : undefined
}

/** The sysctls to size thresholds with: own, else the runner's (noted in evidence). */
export function sizingSysctls(ns: NamespaceInput): TcpSysctls | undefined {
  return ns.sysctls?.tcp
}
