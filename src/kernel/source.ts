/**
 * @module
 * Where sockets come from: netlink sock_diag when the addon and the kernel allow it, else
 * /proc/net/tcp{,6}. Every result says which source ran and why (hono's SmartRouter pattern:
 * fall back only on TD_UNSUPPORTED / TD_NATIVE_MISSING, rethrow everything else).
 */
import { TcpdoctorError, detailOf } from '../errors.js'
import type { Msg } from '../i18n/index.js'
import { channels, debug } from '../debug.js'
import type { Family, Socket } from '../model/socket.js'
import { SS_ALL_BITS, countedState, stateBit, stateMask, stateName, type StateName } from '../model/state.js'
import { extBit, INET_DIAG_CONG, INET_DIAG_INFO, INET_DIAG_MEMINFO, INET_DIAG_SKMEMINFO } from './sock-diag/constants.js'
import { dumpSockets } from './sock-diag/dump.js'
import { decodeSocket, stateAt } from './sock-diag/parse.js'
import { RawSockets } from './sock-diag/raw.js'
import { loadNative } from './native.js'
import { parseProcNetTcp, readProcNetTcp } from './procfs/net-tcp.js'
import { netnsFileText, readNetnsFiles } from './netns-files.js'
import type { NetnsTarget } from './netns.js'

export type SourceName = 'netlink' | 'procfs'

export interface SocketQuery {
  /** States to dump; default: all but bound-inactive (ss -a). */
  states?: readonly StateName[]
  families?: readonly Family[]
  /** A compiled INET_DIAG_REQ_BYTECODE program: the kernel filters (netlink only). */
  bytecode?: Buffer
  /** The same filter as a userspace predicate: applied on /proc, and on netlink when there is no bytecode. */
  match?: (s: Socket) => boolean
  /** Ask for tcp_info and congestion control (ss -i). */
  info?: boolean
  /** Ask for socket memory (ss -m). */
  mem?: boolean
  netns?: NetnsTarget
  /** Set socket.netns to the namespace label (when the user asked about namespaces). Default true. */
  labelNetns?: boolean
  source?: 'auto' | SourceName
  procRoot?: string
}

export interface SourceMeta {
  source: SourceName
  /** Why the fallback ran, when it did (English, for JSON and logs). */
  fallbackReason?: string
  /** The same reason, localizable: notes render it in the user's language. */
  fallbackDetail?: string | Msg
  /** The kernel flagged the dump inconsistent (tables changed meanwhile). */
  interrupted: boolean
}

export interface SocketList extends SourceMeta {
  sockets: Socket[]
}

const FAMILIES: readonly Family[] = ['inet', 'inet6']

function maskOf(q: SocketQuery): number {
  return q.states ? stateMask(q.states) : SS_ALL_BITS
}

/** Picks a source: `run(native)` for netlink, else the procfs fallback, per q.source. */
function choose<T>(q: SocketQuery, netlink: () => T, procfs: () => T): { value: T; meta: Omit<SourceMeta, 'interrupted'> } {
  const want = q.source ?? 'auto'
  if (want === 'procfs') return { value: procfs(), meta: { source: 'procfs' } }
  try {
    const value = netlink()
    channels.sourceSelected.publish({ source: 'netlink' })
    return { value, meta: { source: 'netlink' } }
  } catch (err) {
    const code = err instanceof TcpdoctorError ? err.code : undefined
    if (want === 'netlink' || (code !== 'TD_UNSUPPORTED' && code !== 'TD_NATIVE_MISSING' && code !== 'TD_NETLINK')) throw err
    const reason = (err as Error).message
    debug('netlink unavailable: %s; falling back to /proc', reason)
    channels.sourceSelected.publish({ source: 'procfs', reason })
    return { value: procfs(), meta: { source: 'procfs', fallbackReason: reason, fallbackDetail: detailOf(err) } }
  }
}

function procfsSockets(q: SocketQuery): Socket[] {
  const procRoot = q.procRoot ?? '/proc'
  const families = q.families ?? FAMILIES
  const mask = maskOf(q)
  const out: Socket[] = []
  const keep = (s: Socket): void => {
    // /proc lists request sockets as SYN_RECV (3); the kernel mask bit for them is NEW_SYN_RECV too.
    if (mask & stateBit(s.state)) out.push(s)
  }
  if (q.netns?.path !== undefined) {
    // Another namespace: its /proc/net/tcp read from inside it (netns-files.ts), not via a pid that may exit.
    const files = readNetnsFiles(q.netns, families.map((f) => (f === 'inet6' ? 'net/tcp6' : 'net/tcp')), procRoot)
    families.forEach((family, i) => {
      const f = files[i]!
      const what = `/proc/net/${family === 'inet6' ? 'tcp6' : 'tcp'} of namespace ${q.netns!.label}`
      if (family === 'inet6' && 'error' in f && f.error === 'ENOENT') return // IPv6 disabled
      for (const s of parseProcNetTcp(netnsFileText(f, what), family, what)) keep(s)
    })
    return out
  }
  for (const family of families) for (const s of readProcNetTcp(procRoot, family)) keep(s)
  return out
}

/** Lists sockets (SPEC 4 listSockets). */
export function listSockets(q: SocketQuery = {}): SocketList {
  let interrupted = false
  const label = q.netns?.label
  const { value, meta } = choose(
    q,
    () => {
      const native = loadNative()
      const out: Socket[] = []
      let ext = 0
      if (q.info) ext |= extBit(INET_DIAG_INFO) | extBit(INET_DIAG_CONG)
      if (q.mem) ext |= extBit(INET_DIAG_MEMINFO) | extBit(INET_DIAG_SKMEMINFO)
      const attributes = ext !== 0
      const r = dumpSockets(native, { families: q.families ?? FAMILIES, states: maskOf(q), ext, bytecode: q.bytecode, netnsPath: q.netns?.path }, (buf, off, len) => {
        out.push(decodeSocket(buf, off, len, { attributes }))
      })
      interrupted = r.interrupted
      return out
    },
    () => procfsSockets(q),
  )
  let sockets = value
  // The bytecode and the predicate express the same filter; the kernel already applied the first.
  if (q.match && !(meta.source === 'netlink' && q.bytecode)) sockets = sockets.filter(q.match)
  if (label !== undefined && q.labelNetns !== false) for (const s of sockets) s.netns = label
  return { ...meta, interrupted, sockets }
}

export interface StateCounts extends SourceMeta {
  total: number
  /** Count per kernel state name; NEW_SYN_RECV is folded into SYN_RECV as ss does. */
  states: Partial<Record<StateName, number>>
}

/**
 * Counts sockets per state (SPEC 4 countStates). With no userspace predicate the netlink path
 * reads one byte per socket and builds no objects: this is what makes `states` fast at 300k.
 */
export function countStates(q: SocketQuery = {}): StateCounts {
  if (q.match && !q.bytecode) {
    const list = listSockets(q)
    return { ...countList(list.sockets), source: list.source, fallbackReason: list.fallbackReason, fallbackDetail: list.fallbackDetail, interrupted: list.interrupted }
  }
  const perNum = new Float64Array(16)
  let interrupted = false
  const { value, meta } = choose(
    q,
    () => {
      const native = loadNative()
      const r = dumpSockets(native, { families: q.families ?? FAMILIES, states: maskOf(q), ext: 0, bytecode: q.bytecode, netnsPath: q.netns?.path }, (buf, off) => {
        perNum[stateAt(buf, off) & 15]!++
      })
      interrupted = r.interrupted
      return countsFromNums(perNum)
    },
    () => countList(q.match ? procfsSockets(q).filter(q.match) : procfsSockets(q)),
  )
  return { ...value, ...meta, interrupted }
}

function countsFromNums(perNum: Float64Array): { total: number; states: Partial<Record<StateName, number>> } {
  const states: Partial<Record<StateName, number>> = {}
  let total = 0
  for (let i = 1; i < 16; i++) {
    const n = perNum[i]!
    if (!n) continue
    const name = i === 12 ? 'SYN_RECV' : stateName(i)
    states[name] = (states[name] ?? 0) + n
    total += n
  }
  return { total, states }
}

/** Counts a list of sockets per state. */
export function countList(sockets: readonly Socket[]): { total: number; states: Partial<Record<StateName, number>> } {
  const states: Partial<Record<StateName, number>> = {}
  for (const s of sockets) {
    const name = countedState(s.state)
    states[name] = (states[name] ?? 0) + 1
  }
  return { total: sockets.length, states }
}

/**
 * Dumps over netlink into a RawSockets (no objects per socket), for listings of any size. Throws
 * TD_NATIVE_MISSING / TD_UNSUPPORTED when netlink cannot run: callers then use listSockets.
 */
export function dumpRawSockets(q: SocketQuery, into: RawSockets = new RawSockets()): { raw: RawSockets; interrupted: boolean } {
  const native = loadNative()
  let chunk = -1
  let lastBuf: Buffer | undefined
  let lastLen = -1
  const label = q.labelNetns === false ? undefined : q.netns?.label
  const r = dumpSockets(native, { families: q.families ?? FAMILIES, states: maskOf(q), ext: 0, bytecode: q.bytecode, netnsPath: q.netns?.path }, (buf, off) => {
    // The dump reuses one receive buffer: copy it once per chunk (offsets only grow within it).
    if (buf !== lastBuf || off <= lastLen) chunk = into.addChunk(buf, label)
    lastBuf = buf
    lastLen = off
    into.add(chunk, off)
  })
  return { raw: into, interrupted: r.interrupted }
}
