/**
 * @module
 * Reads the TCP sysctls from /proc/sys: every net.ipv4.tcp_*, the port range and reserved ports,
 * net.core.somaxconn and friends, plus the kernel release they belong to (defaults and meanings
 * change with it: tcp_tw_recycle gone in 4.12, somaxconn 4096 since 5.4, tcp_tw_reuse=2).
 *
 * Namespaces: /proc/sys/net always shows the network namespace of the *reading* thread, never
 * that of a /proc/<pid>/ path, so another namespace's sysctls are read on a thread that entered it
 * (the addon; see netns-files.ts). Some keys are global and exist only in the initial
 * namespace (tcp_mem, tcp_max_orphans, tcp_low_latency, tcp_available_ulp, core.netdev_max_backlog):
 * read from another namespace they are reported in `missing` with the reason "global".
 */
import { join } from 'node:path'
import { TcpdoctorError } from '../../errors.js'
import { readNetnsFiles, type NetnsFile } from '../netns-files.js'
import type { NetnsTarget } from '../netns.js'
import { msg } from '../../i18n/index.js'

/** Keys outside net.ipv4.tcp_* that matter for TCP. */
export const EXTRA_KEYS = [
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.ip_default_ttl',
  'net.core.somaxconn',
  'net.core.netdev_max_backlog',
  'net.core.rmem_max',
  'net.core.wmem_max',
  'net.core.rmem_default',
  'net.core.wmem_default',
] as const

/** Keys that only the initial network namespace has (checked on 6.18; were per-netns never). */
export const GLOBAL_KEYS: ReadonlySet<string> = new Set([
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_max_orphans',
  'net.ipv4.tcp_low_latency',
  'net.ipv4.tcp_available_ulp',
  'net.core.netdev_max_backlog',
])

/** Keys we always look for, so their absence is reported (removed by the kernel, or global). */
export const EXPECTED_KEYS = [
  'net.ipv4.tcp_mem',
  'net.ipv4.tcp_max_orphans',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_orphan_retries',
  'net.ipv4.tcp_retries2',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_tw_recycle',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  ...EXTRA_KEYS,
] as const

export type MissingReason = 'absent' | 'global' | 'permission'

export interface SysctlSet {
  /** uname -r of the kernel these come from (/proc/sys/kernel/osrelease). */
  kernel: string
  /** Dotted key -> value text, whitespace runs folded to one space ("4096 131072 6291456"). */
  values: Record<string, string>
  /**
   * Keys we looked for and could not read: `absent` (this kernel has no such key, e.g.
   * tcp_tw_recycle after 4.12), `global` (exists only in the initial network namespace),
   * `permission` (write-only or restricted, e.g. tcp_fastopen_key for non-root).
   */
  missing: Record<string, MissingReason>
  /** Whether we are in the initial network namespace (global keys readable). */
  initialNetns: boolean
}

export interface SysctlOptions {
  /** Where /proc is mounted (default /proc). */
  procRoot?: string
  /** Read as this namespace sees them (default: the one we run in). */
  netns?: NetnsTarget
}

/** /proc/sys/net/ipv4/tcp_fin_timeout -> net.ipv4.tcp_fin_timeout */
export function sysctlPath(procRoot: string, key: string): string {
  return join(procRoot, 'sys', ...key.split('.'))
}

/** Folds a sysctl file's text to one line ("4096\t131072\t6291456\n" -> "4096 131072 6291456"). */
export function normalizeSysctlText(text: string): string {
  return text.trim().split(/\s+/).join(' ')
}

/** The numbers of a value ("32768 60999" -> [32768, 60999]); undefined if any word is not an integer. */
export function sysctlNumbers(value: string | undefined): number[] | undefined {
  if (value === undefined || value === '') return undefined
  const words = value.split(' ')
  if (!words.every((w) => /^-?\d+$/.test(w))) return undefined
  return words.map(Number)
}

/** The single number of a value; undefined when it is not one integer. */
export function sysctlNumber(value: string | undefined): number | undefined {
  const n = sysctlNumbers(value)
  return n && n.length === 1 ? n[0] : undefined
}

/**
 * Parses ip_local_reserved_ports ("8080,9000-9100" or "") into ranges. Pure; TD_PARSE on
 * anything else.
 */
export function parsePortList(text: string, key = 'net.ipv4.ip_local_reserved_ports'): [number, number][] {
  const t = text.trim()
  if (t === '') return []
  return t.split(',').map((part) => {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part.trim())
    if (!m) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badPortListItem', { key, part: JSON.stringify(part.slice(0, 40)) }))
    const lo = Number(m[1])
    const hi = m[2] === undefined ? lo : Number(m[2])
    if (lo > 65535 || hi > 65535 || hi < lo) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badPortRange', { key, part }))
    return [lo, hi] as [number, number]
  })
}

function keyValue(key: string, f: NetnsFile): string | MissingReason {
  if ('text' in f) return normalizeSysctlText(f.text)
  if ('entries' in f) return 'absent' // a directory, not a key
  const code = f.error
  if (code === 'EACCES' || code === 'EPERM' || code === 'EIO' || code === 'EINVAL') return 'permission'
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent'
  throw new TcpdoctorError('TD_IO', msg('err.kernel.readingSysctl', { key, code }))
}

/** net.ipv4.tcp_mem -> sys/net/ipv4/tcp_mem (relative to the proc root) */
function relPath(key: string): string {
  return ['sys', ...key.split('.')].join('/')
}

/**
 * Reads every net.ipv4.tcp_* key and the EXTRA_KEYS, with the kernel release. Keys in
 * EXPECTED_KEYS that cannot be read are listed in `missing` with the reason. With `netns`, all
 * of it as that namespace sees it (read on a thread inside it: netns-files.ts).
 *
 * Whether these are the initial namespace's: net.ipv4.tcp_mem is registered only there
 * (net/ipv4/sysctl_net_ipv4.c ipv4_table, not ipv4_net_table), so its presence decides;
 * comparing /proc/self/ns/net with /proc/1/ns/net would need CAP_SYS_PTRACE and a host pid 1.
 */
export function readSysctls(opts: SysctlOptions = {}): SysctlSet {
  const procRoot = opts.procRoot ?? '/proc'
  const read = (rels: readonly string[]): NetnsFile[] => readNetnsFiles(opts.netns, rels, procRoot)
  const values: Record<string, string> = {}
  const missing: Record<string, MissingReason> = {}
  const [os, dir, mem] = read(['sys/kernel/osrelease', 'sys/net/ipv4', relPath('net.ipv4.tcp_mem')]) as [NetnsFile, NetnsFile, NetnsFile]
  const initialNetns = !('error' in mem && mem.error === 'ENOENT')
  // a fixture root without kernel/osrelease: the version stays unknown ("")
  const kernel = 'text' in os ? os.text.trim() : ''
  const where = opts.netns?.path !== undefined ? msg('err.kernel.sysctlDirOfNamespace', { label: opts.netns.label }) : join(procRoot, 'sys', 'net', 'ipv4')
  if (!('entries' in dir)) throw new TcpdoctorError('TD_NOT_FOUND', msg('err.kernel.cannotListTcpSysctls', { where, reason: 'error' in dir ? dir.error : msg('err.kernel.notADirectory') }))
  const names = dir.entries.filter((n) => n.startsWith('tcp_')).sort()
  const keys = [...names.map((n) => `net.ipv4.${n}`), ...EXTRA_KEYS]
  const all = [...new Set([...keys, ...EXPECTED_KEYS])]
  const files = read(all.map(relPath))
  all.forEach((key, i) => {
    const v = keyValue(key, files[i]!)
    if (v === 'absent' || v === 'permission') missing[key] = v === 'absent' && GLOBAL_KEYS.has(key) && !initialNetns ? 'global' : v
    else values[key] = v
  })
  return { kernel, values, missing, initialNetns }
}

/** The sysctls rules and commands use most, as numbers (undefined: not readable here). */
export interface TcpSysctls {
  somaxconn?: number
  tcpMaxSynBacklog?: number
  tcpMaxTwBuckets?: number
  tcpMaxOrphans?: number
  /** [low, pressure, high] in pages. */
  tcpMem?: [number, number, number]
  keepaliveTimeS?: number
  keepaliveIntvlS?: number
  keepaliveProbes?: number
  finTimeoutS?: number
  syncookies?: number
  synackRetries?: number
  synRetries?: number
  orphanRetries?: number
  retries2?: number
  twReuse?: number
  /** [first, last] of ip_local_port_range. */
  localPortRange?: [number, number]
  /** ip_local_reserved_ports as ranges. */
  localReservedPorts?: [number, number][]
  /** tcp_rto_min_us / tcp_rto_max_ms (6.15+); the kernel constants 200 ms / 120 s before. */
  rtoMinMs: number
  rtoMaxMs: number
}

/** Picks the common sysctls out of a SysctlSet, as numbers. */
export function tcpSysctls(set: SysctlSet): TcpSysctls {
  const n = (k: string): number | undefined => sysctlNumber(set.values[`net.ipv4.${k}`])
  const mem = sysctlNumbers(set.values['net.ipv4.tcp_mem'])
  const range = sysctlNumbers(set.values['net.ipv4.ip_local_port_range'])
  const reserved = set.values['net.ipv4.ip_local_reserved_ports']
  let localReservedPorts: [number, number][] | undefined
  try {
    localReservedPorts = reserved === undefined ? undefined : parsePortList(reserved)
  } catch {
    localReservedPorts = undefined // an odd value stays visible in set.values; the summary just omits it
  }
  const rtoMinUs = n('tcp_rto_min_us')
  return {
    somaxconn: sysctlNumber(set.values['net.core.somaxconn']),
    tcpMaxSynBacklog: n('tcp_max_syn_backlog'),
    tcpMaxTwBuckets: n('tcp_max_tw_buckets'),
    tcpMaxOrphans: n('tcp_max_orphans'),
    tcpMem: mem?.length === 3 ? (mem as [number, number, number]) : undefined,
    keepaliveTimeS: n('tcp_keepalive_time'),
    keepaliveIntvlS: n('tcp_keepalive_intvl'),
    keepaliveProbes: n('tcp_keepalive_probes'),
    finTimeoutS: n('tcp_fin_timeout'),
    syncookies: n('tcp_syncookies'),
    synackRetries: n('tcp_synack_retries'),
    synRetries: n('tcp_syn_retries'),
    orphanRetries: n('tcp_orphan_retries'),
    retries2: n('tcp_retries2'),
    twReuse: n('tcp_tw_reuse'),
    localPortRange: range?.length === 2 ? (range as [number, number]) : undefined,
    localReservedPorts,
    rtoMinMs: rtoMinUs !== undefined ? rtoMinUs / 1000 : 200,
    rtoMaxMs: n('tcp_rto_max_ms') ?? 120_000,
  }
}

/**
 * The time the kernel takes to give up on unacknowledged data with tcp_retries2 = retries
 * (net/ipv4/tcp_timer.c tcp_model_timeout(): exponential backoff from TCP_RTO_MIN = 200 ms up to
 * rto_max, then linear). 15 retries -> 924.6 s with the default 120 s maximum. Pure.
 */
export function retries2TimeoutMs(retries: number, rtoMaxMs = 120_000, rtoBaseMs = 200): number {
  const linearBackoffThresh = Math.floor(Math.log2(rtoMaxMs / rtoBaseMs))
  if (retries <= linearBackoffThresh) return ((2 << retries) - 1) * rtoBaseMs
  return ((2 << linearBackoffThresh) - 1) * rtoBaseMs + (retries - linearBackoffThresh) * rtoMaxMs
}

/** Keepalive's time to declare a silent peer dead with the sysctl defaults: time + intvl * probes, in ms. */
export function keepaliveDefaultMs(t: TcpSysctls): number | undefined {
  if (t.keepaliveTimeS === undefined || t.keepaliveIntvlS === undefined || t.keepaliveProbes === undefined) return undefined
  return (t.keepaliveTimeS + t.keepaliveIntvlS * t.keepaliveProbes) * 1000
}
