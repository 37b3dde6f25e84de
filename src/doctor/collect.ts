/**
 * @module
 * Gathers a DiagnoseInput: per namespace the sockets (owners, tcp_info, timers, memory) at the
 * start and the end of the interval, tracked by cookie (SocketTracker) so rules can tell what
 * stayed from what passed through; two counter samples for deltas and rates; the sysctls; the
 * recent TCP events of the kernel log. `--interval 0` takes one sample. With `from`, everything
 * comes from a snapshot that holds the extension collectSnapshotExtras() builds.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { TcpdoctorError, detailOf } from '../errors.js'
import { join } from 'node:path'
import { hostname, release } from 'node:os'
import { pause } from '../pause.js'
import { t, render, isMsg, type Lang, type Msg, msg, textIn } from '../i18n/index.js'
import { readProcessActivity, type ProcessActivity } from '../kernel/owners.js'
import { readCounters, type CounterSample } from '../counters/counters.js'
import { readSysctls } from '../kernel/sysctls.js'
import { tcpSysctls } from '../kernel/procfs/sysctl.js'
import { readKernelLog } from '../kernel/procfs/kmsg.js'
import { resolveNetns, type NetnsTarget } from '../kernel/netns.js'
import type { SourceName } from '../kernel/source.js'
import type { Socket } from '../model/socket.js'
import { gatherSockets, type Gathered } from '../sockets/gather.js'
import { readSnapshot } from '../snapshot/file.js'
import { SocketTracker, socketKey, type SocketAge } from '../track/track.js'
import { startResetWatch, type ResetEvent, type ResetWatch } from '../kernel/resets.js'
import { tryNative } from '../kernel/native.js'
import { debug } from '../debug.js'
import { groupResets } from './reset-groups.js'
import { listeningPorts } from './offenders.js'
import { DEFAULT_RANGE } from './ports.js'
import { INPUT_VERSION, type KernelResetsInput, type CounterWindow, type DiagnoseInput, type EarlierSocket, type KernelLogInput, type NamespaceInput, type SysctlInput } from './input.js'

export interface CollectOptions {
  /** --netns: undefined (the one we run in), a name, a path, a pid or "all". */
  netns?: string
  /** --from: a snapshot file (with the extension from collectSnapshotExtras). */
  from?: string
  procRoot?: string
  source?: 'auto' | SourceName
  /** Time between the two samples (default 1000 ms; 0: one sample). */
  intervalMs?: number
  signal?: AbortSignal
  /** Kernel log events older than this are left out (default 600 s). */
  kernelLogWindowS?: number
  /** /dev/kmsg, for tests. */
  kmsgPath?: string
  /** Language of the notes (default en). */
  lang?: Lang
  /**
   * For a monitor that diagnoses again and again (serve, watch): each collection's window starts
   * where the previous one through the same RollingWindow ended, so the rate findings (resets,
   * retransmissions, listen overflows, owners' CPU) work without a pause of their own.
   */
  rolling?: RollingWindow
}

/** What one collection leaves for the next: the end of its window, compact (no socket objects). */
interface CollectMark {
  /** per namespace label: the counters read at the end */
  counters: Map<string, CounterRead>
  mono: number
  activity: Map<number, ProcessActivity>
  /** per namespace label: socket key -> the socket's state and counters at the end */
  sockets: Map<string, Map<string, Omit<EarlierSocket, 'ageMs'>>>
  tracker: SocketTracker
}

/** Successive collections that share one window each: see CollectOptions.rolling. */
export class RollingWindow {
  /** @internal the end of the last collection */
  mark: CollectMark | undefined
}

/** Keeps the TCP MIB counters (Tcp*, TcpExt*): the rest is not used and bloats snapshots. */
function tcpCounters(c: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(c)) if (k.startsWith('Tcp')) out[k] = v
  return out
}

type CounterRead = { sample: CounterSample } | { missing: string | Msg }

function readCountersOf(target: NetnsTarget | undefined, procRoot: string | undefined): CounterRead {
  try {
    return { sample: readCounters({ procRoot, netns: target, ipv6: false }) }
  } catch (err) {
    // Counters that could not be read (no addon and no process in the namespace, no permission): rules that need them skip it, and a note says so.
    return { missing: detailOf(err) }
  }
}

/** The counter window, or why there is none (ours localizable). */
function windowOf(a: CounterRead | undefined, b: CounterRead): CounterWindow | string | Msg {
  if ('missing' in b) return b.missing
  const w: CounterWindow = { intervalMs: 0, second: tcpCounters(b.sample.counters), sockstat: b.sample.sockstat }
  if (a && 'sample' in a) {
    w.first = tcpCounters(a.sample.counters)
    w.intervalMs = Math.round(b.sample.monoMs - a.sample.monoMs)
  }
  return w
}

function uptimeUs(procRoot = '/proc'): number | undefined {
  try {
    return Number(readFileSync(join(procRoot, 'uptime'), 'utf8').split(' ')[0]) * 1e6
  } catch {
    return undefined // no uptime: keep every event (the window cannot be applied)
  }
}

/** The TCP events of the kernel log younger than windowS. */
export function readRecentKernelLog(windowS: number, opts: { procRoot?: string; path?: string } = {}): KernelLogInput {
  const r = readKernelLog({ procRoot: opts.procRoot, path: opts.path })
  if (!r.readable) return { readable: false, reason: r.reason, windowS, events: [], older: 0 }
  const now = uptimeUs(opts.procRoot)
  const recent = now === undefined ? r.events : r.events.filter((e) => now - e.usec <= windowS * 1e6)
  return { readable: true, windowS, events: recent.slice(-50), older: r.events.length - recent.length }
}

type SysctlRead = { sysctls: SysctlInput } | { missing: string | Msg }

/** The sysctls as the namespace sees them (read inside it), or why they could not be read. */
function readSysctlInput(procRoot: string | undefined, netns?: NetnsTarget): SysctlRead {
  try {
    const s = readSysctls({ procRoot, netns })
    const values: Record<string, string> = {}
    // The TCP keys and the few others rules read; the rest (e.g. tcp_fastopen_key) stays out.
    for (const [k, v] of Object.entries(s.values)) if (k.startsWith('net.ipv4.tcp_') || k.startsWith('net.ipv4.ip_local') || k.startsWith('net.core.somaxconn')) values[k] = v
    return { sysctls: { kernel: s.kernel, values, missing: s.missing, initialNetns: s.initialNetns, tcp: s.tcp } }
  } catch (err) {
    // Not a clean bill of health: the note says sysctl-based checks did not run, and why.
    return { missing: detailOf(err) }
  }
}

const INFO_FIELDS = ['segsOut', 'totalRetrans', 'bytesSent', 'bytesRetrans'] as const

/** Each socket's state and counters, by key: what the next sample compares with. */
function earlierOfSockets(sockets: readonly Socket[]): Map<string, Omit<EarlierSocket, 'ageMs'>> {
  const out = new Map<string, Omit<EarlierSocket, 'ageMs'>>()
  for (const s of sockets) {
    const e: Omit<EarlierSocket, 'ageMs'> = { state: s.state }
    for (const f of INFO_FIELDS) if (s.info?.[f] !== undefined) e[f] = s.info[f]
    out.set(socketKey(s), e)
  }
  return out
}

function earlierMap(before: Map<string, Omit<EarlierSocket, 'ageMs'>>, last: readonly Socket[], ages: ReadonlyMap<string, SocketAge>): Record<string, EarlierSocket> {
  const out: Record<string, EarlierSocket> = {}
  for (const s of last) {
    const key = socketKey(s)
    const b = before.get(key)
    if (!b || b.state !== s.state) continue
    out[key] = { ...b, ageMs: ages.get(key)?.ageMs ?? 0 }
  }
  return out
}

function gather(opts: CollectOptions): Gathered {
  return gatherSockets({ netns: opts.netns, procRoot: opts.procRoot, source: opts.source, info: true, mem: true, owners: true, cmdline: true })
}

/** The activity of every process that holds a listener (/proc/PID/stat of it and its threads). */
function listenerActivity(g: Gathered, procRoot: string): Map<number, ProcessActivity> {
  const out = new Map<number, ProcessActivity>()
  for (const ns of g.namespaces)
    for (const s of ns.sockets) {
      if (s.state !== 'LISTEN') continue
      for (const p of s.process ?? []) {
        if (p.inferred || out.has(p.pid)) continue
        const a = readProcessActivity(procRoot, p.pid)
        if (a) out.set(p.pid, a)
      }
    }
  return out
}

/** CLK_TCK: the unit of utime/stime in /proc/PID/stat (100 on every Linux architecture we run on). */
const CLOCK_TICKS = 100

function activityOfNamespace(sockets: readonly Socket[], last: Map<number, ProcessActivity>, first: Map<number, ProcessActivity> | undefined, seconds: number): NamespaceInput['processActivity'] {
  const out: NonNullable<NamespaceInput['processActivity']> = {}
  for (const s of sockets) {
    if (s.state !== 'LISTEN') continue
    for (const p of s.process ?? []) {
      const a = last.get(p.pid)
      if (!a || out[String(p.pid)]) continue
      const before = first?.get(p.pid)
      const cpuPercent = before && seconds > 0 ? Math.round(((a.cpuTicks - before.cpuTicks) / CLOCK_TICKS / seconds) * 1000) / 10 : undefined
      out[String(p.pid)] = { ...a, ...(cpuPercent !== undefined ? { cpuPercent } : {}) }
    }
  }
  return Object.keys(out).length ? out : undefined
}

function sourceNotes(g: Gathered, lang: Lang): string[] {
  const notes: string[] = []
  for (const ns of g.namespaces) {
    if (ns.fallbackReason) notes.push(t(lang, 'note.doctor.procfs', { netns: ns.netns, reason: textIn(lang, ns.fallbackDetail ?? ns.fallbackReason) }))
    if (ns.interrupted) notes.push(t(lang, 'note.doctor.interrupted', { netns: ns.netns }))
  }
  if (g.pidsDenied > 0) notes.push(t(lang, 'note.doctor.denied', { n: g.pidsDenied }))
  return notes
}


function windowMs(a: (CounterRead | undefined)[] | undefined, b: CounterRead[]): number | undefined {
  const x = a?.[0]
  const y = b[0]
  return x && y && 'sample' in x && 'sample' in y ? y.sample.monoMs - x.sample.monoMs : undefined
}

/** PROC_PID_INIT_INO: the initial pid namespace, whose pids the kernel's tasks carry. */
const PID_INIT_INO = 0xeffffffc

/**
 * The kernel's reset counters over the counter window, when we are root on the real /proc and the
 * addon can attach them (TCPDOCTOR_NO_BPF=1 turns them off); undefined otherwise: RESETS_HIGH then
 * reads the counters alone, as before.
 */
function startWatch(opts: CollectOptions): ResetWatch | undefined {
  if ((opts.procRoot ?? '/proc') !== '/proc' || process.geteuid?.() !== 0 || process.env.TCPDOCTOR_NO_BPF === '1') return undefined
  const native = tryNative()
  if (!native) return undefined
  try {
    return startResetWatch(native)
  } catch (err) {
    debug('resets not counted in the kernel: %s', (err as Error).message)
    return undefined
  }
}

type SeenResets = { events: ResetEvent[]; dropped: number; windowMs: number; pidsOurs: boolean }

function readWatch(w: ResetWatch | undefined, windowMs: number): SeenResets | undefined {
  if (!w) return undefined
  try {
    let pidsOurs = false
    try {
      pidsOurs = statSync('/proc/self/ns/pid').ino === PID_INIT_INO
    } catch {
      pidsOurs = false // the kernel's pids may not be ours: name the command alone
    }
    return { ...w.read(), windowMs, pidsOurs }
  } catch (err) {
    debug('reading the reset counters failed: %s', (err as Error).message)
    return undefined
  } finally {
    w.close()
  }
}

/** This namespace's resets, grouped, with owners from the dumps (first and last). */
function kernelResetsOf(seen: SeenResets, inode: number, sockets: readonly Socket[], portRange: [number, number] | undefined): KernelResetsInput {
  const mine = seen.events.filter((e) => e.netnsInode === inode)
  const events = mine.map(({ netnsInode: _n, task, ...e }) => (task ? { ...e, task: { pid: seen.pidsOurs ? task.pid : null, command: task.command } } : e))
  const groups = groupResets(events, { listening: listeningPorts(sockets), portRange: portRange ?? DEFAULT_RANGE, sockets })
  const sum = (d: 'sent' | 'received'): number => mine.filter((e) => e.direction === d).reduce((n, e) => n + e.count, 0)
  return { windowMs: Math.round(seen.windowMs), sent: sum('sent'), received: sum('received'), dropped: seen.dropped, groups: groups.slice(0, 50) }
}

/** Reads the kernel (or a snapshot) into a DiagnoseInput. */
export async function collectInput(opts: CollectOptions = {}): Promise<DiagnoseInput> {
  if (opts.from) return inputFromSnapshot(opts)
  // Reading nothing must not look healthy: a proc root that does not exist is an error up front.
  if (opts.procRoot !== undefined && !existsSync(join(opts.procRoot, 'net')))
    throw new TcpdoctorError('TD_NOT_FOUND', msg('err.doctor.noProcFilesystemHere', { procRoot: opts.procRoot, netDir: join(opts.procRoot, 'net') }), { hint: msg('hint.doctor.giveProcRootThe') })
  const intervalMs = Math.max(0, opts.intervalMs ?? 1000)
  const windowS = opts.kernelLogWindowS ?? 600
  const targets = resolveNetns(opts.netns, opts.procRoot)
  const labelled = opts.netns !== undefined
  const counterTarget = (t: NetnsTarget): NetnsTarget | undefined => (labelled ? t : undefined)
  const prev = opts.rolling?.mark
  const tracker = prev?.tracker ?? new SocketTracker()
  let firstCounters: (CounterRead | undefined)[] | undefined
  let firstSockets: Map<string, Map<string, Omit<EarlierSocket, 'ageMs'>>> | undefined
  let firstMono = 0
  let firstActivity: Map<number, ProcessActivity> | undefined
  let firstGathered: Gathered | undefined
  let watch: ResetWatch | undefined
  let lastCounters: CounterRead[]
  let lastMono: number
  let seenResets: SeenResets | undefined
  try {
    if (prev) {
      // A monitor's next collection: the window runs from the previous one's end (by label, so a
      // namespace that appeared since has no first sample rather than another one's).
      firstCounters = targets.map((t) => prev.counters.get(t.label))
      firstSockets = prev.sockets
      firstMono = prev.mono
      firstActivity = prev.activity
    } else if (intervalMs > 0) {
      // Sockets outside, counters inside: the counter window is the interval itself.
      const first = gather(opts)
      firstGathered = first
      tracker.update(first.namespaces.flatMap((n) => n.sockets), Date.now())
      firstSockets = new Map(first.namespaces.map((n) => [n.netns, earlierOfSockets(n.sockets)]))
      // The kernel counts resets over the same window as the counters (started just before the first read).
      watch = startWatch(opts)
      firstCounters = targets.map((t) => readCountersOf(counterTarget(t), opts.procRoot))
      firstMono = performance.now()
      firstActivity = listenerActivity(first, opts.procRoot ?? '/proc')
      await pause(intervalMs, opts.signal)
    }
    lastCounters = targets.map((t) => readCountersOf(counterTarget(t), opts.procRoot))
    lastMono = performance.now()
    seenResets = readWatch(watch, lastMono - firstMono)
  } finally {
    watch?.close()
  }
  const last = gather(opts)
  const lastActivity = listenerActivity(last, opts.procRoot ?? '/proc')
  tracker.update(last.namespaces.flatMap((n) => n.sockets), Date.now())
  if (opts.rolling)
    opts.rolling.mark = {
      counters: new Map(targets.map((t, i) => [t.label, lastCounters[i]!])),
      mono: lastMono,
      activity: lastActivity,
      sockets: new Map(last.namespaces.map((n) => [n.netns, earlierOfSockets(n.sockets)])),
      tracker,
    }
  const lang = opts.lang ?? 'en'
  const notes = sourceNotes(last, lang)
  const sysctlReads = new Map<string, SysctlRead>()
  const sysctlsOf = (t: NetnsTarget | undefined, label: string): SysctlRead => {
    let r = sysctlReads.get(label)
    if (!r) sysctlReads.set(label, (r = readSysctlInput(opts.procRoot, t)))
    return r
  }
  let kernelRelease: string | undefined
  let ages: Map<string, SocketAge> | undefined
  const namespaces: NamespaceInput[] = last.namespaces.map((n, idx) => {
    // gatherSockets resolved the namespaces again: match by label (the order is the same unless one vanished).
    const byLabel = targets.findIndex((t) => t.label === n.netns)
    const i = byLabel >= 0 ? byLabel : idx
    const target = targets[i]
    // Every namespace's sysctls are read inside it (kernel/netns-files.ts), so they are its own.
    const sr = sysctlsOf(target, n.netns)
    const sysctls = 'sysctls' in sr ? sr.sysctls : undefined
    kernelRelease ??= sysctls?.kernel || undefined
    const ns: NamespaceInput = { netns: n.netns, source: n.source, sockets: n.sockets, sysctlScope: sysctls ? 'own' : 'none' }
    if (sysctls) ns.sysctls = sysctls
    else notes.push(t(lang, 'note.doctor.noSysctls', { netns: n.netns, why: 'missing' in sr ? (typeof sr.missing === 'string' ? sr.missing : render(lang, sr.missing)) : '?' }))
    const activity = activityOfNamespace(n.sockets, lastActivity, firstActivity, (lastMono - firstMono) / 1000)
    if (activity) ns.processActivity = activity
    if (firstSockets) ns.earlier = earlierMap(firstSockets.get(n.netns) ?? new Map(), n.sockets, (ages ??= new Map(tracker.ages().map((a) => [a.key, a]))))
    const w = lastCounters[i] ? windowOf(firstCounters?.[i], lastCounters[i]) : msg('note.doctor.namespaceVanished')
    if (typeof w === 'string' || isMsg(w)) {
      ns.countersMissing = textIn('en', w)
      notes.push(t(lang, 'note.doctor.noCounters', { netns: n.netns, why: textIn(lang, w) }))
    } else ns.counters = w
    if (seenResets && target) {
      const sockets = [...(firstGathered?.namespaces.find((f) => f.netns === n.netns)?.sockets ?? []), ...n.sockets]
      ns.kernelResets = kernelResetsOf(seenResets, target.inode, sockets, sysctls?.tcp.localPortRange)
    }
    return ns
  })
  // The monitor's tracker waits for the next run: without this run's socket objects (see forgetSockets).
  if (opts.rolling) tracker.forgetSockets()
  const kernelLog = readRecentKernelLog(windowS, { procRoot: opts.procRoot, path: opts.kmsgPath })
  if (!kernelLog.readable) notes.push(t(lang, 'note.doctor.noKernelLog', { why: kernelLog.reason ?? '?' }))
  return {
    version: INPUT_VERSION,
    takenAt: new Date().toISOString(),
    hostname: hostname(),
    kernel: kernelRelease || release(),
    samples: firstSockets ? 2 : 1,
    intervalMs: firstSockets ? Math.round(windowMs(firstCounters, lastCounters) ?? lastMono - firstMono) : 0,
    namespaces,
    kernelLog,
    notes,
  }
}

/** The snapshot extension (SPEC 3 snapshot): counters (two samples), sysctls, kernel log events. */
export interface SnapshotExtras {
  counters: Record<string, CounterWindow>
  countersMissing: Record<string, string>
  /** The sysctls of the namespace the snapshot was taken in, and its label. */
  sysctls: (SysctlInput & { netns: string }) | null
  kernelLog: KernelLogInput
  /** Per namespace label: the resets the kernel counted over the counter window (root, BPF; absent otherwise). */
  kernelResets?: Record<string, KernelResetsInput>
}

/**
 * Builds the snapshot extension: `snapshot` writes it beside the sockets
 * (`makeSnapshot(namespaces, owners, await collectSnapshotExtras(opts))`), and `diagnose --from`
 * reads it back. Takes two counter samples opts.intervalMs apart (default 1000; 0: one).
 */
export async function collectSnapshotExtras(opts: { netns?: string; procRoot?: string; intervalMs?: number; signal?: AbortSignal; kernelLogWindowS?: number; kmsgPath?: string; sockets?: readonly { netns: string; sockets: readonly Socket[] }[] } = {}): Promise<Record<string, unknown>> {
  const targets = resolveNetns(opts.netns, opts.procRoot)
  const labelled = opts.netns !== undefined
  const intervalMs = Math.max(0, opts.intervalMs ?? 1000)
  // The kernel counts resets over the counter window, as diagnose does live, so diagnose --from names them too.
  let seen: SeenResets | undefined
  let first: CounterRead[] | undefined
  if (intervalMs > 0) {
    const watch = startWatch({ procRoot: opts.procRoot })
    try {
      first = targets.map((t) => readCountersOf(labelled ? t : undefined, opts.procRoot))
      const started = performance.now()
      await pause(intervalMs, opts.signal)
      seen = readWatch(watch, performance.now() - started)
    } finally {
      watch?.close()
    }
  }
  const counters: Record<string, CounterWindow> = {}
  const countersMissing: Record<string, string> = {}
  targets.forEach((t, i) => {
    const w = windowOf(first?.[i], readCountersOf(labelled ? t : undefined, opts.procRoot))
    if (typeof w === 'string' || isMsg(w)) countersMissing[t.label] = textIn('en', w)
    else counters[t.label] = w
  })
  // One namespace asked for: its sysctls (read inside it); several: those of the one we run in.
  const one = targets.length === 1 ? targets[0]! : undefined
  const sysTarget = one && labelled ? one : resolveNetns(undefined, opts.procRoot)[0]!
  const s = readSysctlInput(opts.procRoot, sysTarget)
  const extras: SnapshotExtras = {
    counters,
    countersMissing,
    sysctls: 'sysctls' in s ? { ...s.sysctls, netns: sysTarget.label } : null,
    kernelLog: readRecentKernelLog(opts.kernelLogWindowS ?? 600, { procRoot: opts.procRoot, path: opts.kmsgPath }),
  }
  if (seen) {
    const range = 'sysctls' in s ? s.sysctls.tcp.localPortRange : undefined
    extras.kernelResets = Object.fromEntries(targets.map((t) => {
      const sockets = opts.sockets?.find((n) => n.netns === t.label)?.sockets ?? []
      return [t.label, kernelResetsOf(seen, t.inode, sockets, t === sysTarget || targets.length === 1 ? range : undefined)]
    }))
  }
  return { ...extras }
}

function inputFromSnapshot(opts: CollectOptions): DiagnoseInput {
  const snap = readSnapshot(opts.from!)
  const g = gatherSockets({ from: opts.from, netns: opts.netns })
  const ext = snap as unknown as Partial<SnapshotExtras>
  const notes: string[] = [t(opts.lang ?? 'en', 'note.doctor.replayed', { file: opts.from!, takenAt: snap.takenAt, host: snap.hostname })]
  if (!ext.counters && !ext.sysctls) notes.push(t(opts.lang ?? 'en', 'note.doctor.oldSnapshot'))
  const namespaces: NamespaceInput[] = g.namespaces.map((n) => {
    const own = ext.sysctls ? ext.sysctls.netns === n.netns || g.namespaces.length === 1 : false
    const ns: NamespaceInput = { netns: n.netns, source: 'snapshot', sockets: n.sockets, sysctlScope: ext.sysctls ? (own ? 'own' : 'runner') : 'none' }
    if (ext.sysctls) {
      const { netns: _label, ...rest } = ext.sysctls
      // The summary is derived again from the values (the schema checks those), never trusted as saved.
      ns.sysctls = { ...rest, tcp: tcpSysctls(rest) }
    }
    const w = ext.counters?.[n.netns]
    if (w) ns.counters = w
    else if (ext.countersMissing?.[n.netns]) ns.countersMissing = ext.countersMissing[n.netns]
    const kr = ext.kernelResets?.[n.netns]
    if (kr) ns.kernelResets = kr
    return ns
  })
  const firstWindow = Object.values(ext.counters ?? {})[0]
  return {
    version: INPUT_VERSION,
    takenAt: snap.takenAt,
    hostname: snap.hostname,
    kernel: snap.kernel,
    samples: 1,
    intervalMs: firstWindow?.intervalMs ?? 0,
    namespaces,
    kernelLog: ext.kernelLog ?? { readable: false, reason: 'not in the snapshot', windowS: 0, events: [], older: 0 },
    notes,
  }
}
