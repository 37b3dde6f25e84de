/**
 * @module
 * readCounters() (SPEC 4): one sample of a network namespace's TCP/IP MIB counters
 * (/proc/net/snmp, netstat, snmp6) and sockstat; diffCounters() turns two samples into deltas
 * and per-second rates, as nstat does. Another namespace is read from inside it (the addon
 * enters it on a thread: kernel/netns-files.ts), with or without processes in it.
 */
import { resolveNetns } from '../kernel/netns.js'
import { pause } from '../pause.js'
import { TcpdoctorError } from '../errors.js'
import type { NetnsTarget } from '../kernel/netns.js'
import { flattenMib, readSnmp, readSnmp6, type MibTable, type ProcNetOptions } from '../kernel/procfs/snmp.js'
import { readNetstat } from '../kernel/procfs/netstat.js'
import { readSockstat, readSockstat6, tcpSockstat, type SockstatTable, type TcpSockstat } from '../kernel/procfs/sockstat.js'
import { GAUGES } from './catalog.js'

export interface CounterOptions {
  /** Where /proc is mounted (default /proc). */
  procRoot?: string
  /** Read the namespace of this process (/proc/<pid>/net/...). */
  pid?: number
  /** Read this namespace (from resolveNetns); uses its pid. */
  netns?: NetnsTarget
  /** Include /proc/net/snmp6 (default true). */
  ipv6?: boolean
}

export interface CounterSample {
  /** Wall clock of the sample, ms since the epoch. */
  at: number
  /** Monotonic clock (performance.now()) for rates. */
  monoMs: number
  netns?: string
  /** nstat names -> value, in file order: snmp, netstat, snmp6. */
  counters: Record<string, number>
  /** The same by group, as the files have them. */
  groups: MibTable
  sockstat: TcpSockstat
  sockstatRaw: { v4: SockstatTable; v6: SockstatTable }
}

export interface CounterDelta {
  name: string
  /** Value in the second sample. */
  value: number
  /** second - first; for a counter that went backwards (reset), the second value. */
  delta: number
  /** delta per second; null for gauges (TcpCurrEstab, ...) and for a zero-length interval. */
  rate: number | null
  gauge: boolean
}

function procOptions(opts: CounterOptions): ProcNetOptions {
  // Another namespace is read from inside it (a thread that entered it), never through
  // /proc/<pid>/net of a process that may have exited by the time we read.
  if (opts.pid === undefined && opts.netns?.path !== undefined) return { procRoot: opts.procRoot, netns: opts.netns }
  return { procRoot: opts.procRoot, pid: opts.pid }
}

/** One sample of the MIB counters and sockstat of a namespace (SPEC 4 readCounters). */
export function readCounters(opts: CounterOptions = {}): CounterSample {
  const p = procOptions(opts)
  const at = Date.now()
  const monoMs = performance.now()
  const groups: MibTable = { ...readSnmp(p), ...readNetstat(p), ...(opts.ipv6 === false ? {} : readSnmp6(p)) }
  const counters: Record<string, number> = {}
  for (const [k, v] of flattenMib(groups)) counters[k] = v
  const v4 = readSockstat(p)
  const v6 = readSockstat6(p)
  const sample: CounterSample = { at, monoMs, counters, groups, sockstat: tcpSockstat(v4, v6), sockstatRaw: { v4, v6 } }
  if (opts.netns) sample.netns = opts.netns.label
  return sample
}

/** Deltas and rates from a to b for every counter present in both, in b's order. Pure. */
export function diffCounters(a: Pick<CounterSample, 'counters' | 'monoMs'>, b: Pick<CounterSample, 'counters' | 'monoMs'>): CounterDelta[] {
  const seconds = (b.monoMs - a.monoMs) / 1000
  const out: CounterDelta[] = []
  for (const [name, value] of Object.entries(b.counters)) {
    const before = a.counters[name]
    if (before === undefined) continue
    const gauge = GAUGES.has(name)
    let delta = value - before
    // A counter that goes backwards was reset (or wrapped at 32 bits on old kernels): count from 0.
    if (!gauge && delta < 0) delta = value
    out.push({ name, value, delta, rate: gauge || seconds <= 0 ? null : delta / seconds, gauge })
  }
  return out
}

/**
 * The one counter delta: after - before; a counter that went down was reset (namespace
 * re-created, module reloaded), so its new value is the delta; gauges may go down. Undefined when
 * either value is missing. Pure.
 */
export function counterStep(name: string, before: number | undefined, after: number | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined
  return after >= before || GAUGES.has(name) ? after - before : after
}

/** The delta of one counter between two samples (0 when a sample lacks it). Pure. */
export function counterDelta(a: Pick<CounterSample, 'counters'>, b: Pick<CounterSample, 'counters'>, name: string): number {
  return counterStep(name, a.counters[name], b.counters[name]) ?? 0
}

/**
 * Two samples intervalMs apart and the deltas between them. Resolves early with what it has
 * if signal aborts (the second sample is then taken at once).
 */
export async function sampleCounters(opts: CounterOptions, intervalMs: number, signal?: AbortSignal): Promise<{ first: CounterSample; second: CounterSample; deltas: CounterDelta[] }> {
  const first = readCounters(opts)
  await pause(intervalMs, signal) // interrupted: the second sample now; rates hold for the shorter interval
  const second = readCounters(opts)
  return { first, second, deltas: diffCounters(first, second) }
}

/** One namespace to read counters from: its label (when --netns was given) and a reader. */
export interface CounterTarget {
  label?: string
  read(): CounterSample
}

/** The namespaces a --netns spec names, each with a counter reader (undefined: the current one). */
export function counterTargets(spec: string | undefined, procRoot?: string): CounterTarget[] {
  const labelled = spec !== undefined
  return resolveNetns(spec, procRoot).map((target) => ({
    ...(labelled ? { label: target.label } : {}),
    read: () => readCounters({ procRoot, netns: labelled ? target : undefined }),
  }))
}
