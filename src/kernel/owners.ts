/**
 * @module
 * Socket inode -> owning processes, by walking /proc/<pid>/fd (what ss -p and lsof do). The walk
 * runs in the addon on two threads; without it, a slower walk in JavaScript. Processes that exit
 * mid-walk are skipped; processes we may not read are counted and reported, never guessed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { availableParallelism } from 'node:os'
import type { ProcessRef, Socket } from '../model/socket.js'
import { tryNative, type FdWalkResult } from './native.js'
import { debug } from '../debug.js'
import { fromSystemError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface OwnerMap {
  /** The processes holding a socket inode (several after fork or fd passing). */
  holders(inode: number): { pid: number; fd: number }[]
  /** The same without allocating: calls fn for each holder. */
  forEachHolder(inode: number, fn: (pid: number, fd: number) => void): void
  /** Socket fds seen. */
  size: number
  pidsSeen: number
  /** Processes whose fd directory we may not read (other users, without root). */
  pidsDenied: number
  pidsVanished: number
  via: 'bpf' | 'native' | 'js'
}

export interface ProcessDetails {
  pid: number
  command: string
  uid: number
  user: string
  cmdline: string
  cgroup: string
  /** "docker:0123456789ab", "containerd:...", "podman:...", "k8s-pod:<uid>"; undefined on the host. */
  container?: string
}

/** The container a cgroup v2/v1 path belongs to, as runtime:short-id. Pure. */
export function containerOf(cgroup: string): string | undefined {
  const m =
    /(docker|cri-containerd|crio|libpod)-([0-9a-f]{12,64})\.scope/.exec(cgroup) ??
    /\/(docker|containerd|crio)\/([0-9a-f]{12,64})/.exec(cgroup) ??
    /kubepods[^ ]*\/pod[0-9a-f_-]+\/([0-9a-f]{12,64})$/.exec(cgroup)
  if (!m) return undefined
  if (m.length === 2) return `k8s:${m[1]!.slice(0, 12)}`
  const runtime = { 'cri-containerd': 'containerd', libpod: 'podman' }[m[1]!] ?? m[1]!
  return `${runtime}:${m[2]!.slice(0, 12)}`
}

/**
 * Compact inode -> holders index: parallel typed arrays and a Map to the first entry, chained
 * for the rare inode held by several fds. At 300,000 sockets an object per entry cost more in
 * garbage collection than the walk itself.
 */
class OwnerIndex {
  private first = new Map<number, number>()
  private pids: Uint32Array
  private fds: Uint32Array
  private next: Int32Array
  size = 0
  constructor(capacity: number) {
    this.pids = new Uint32Array(Math.max(16, capacity))
    this.fds = new Uint32Array(this.pids.length)
    this.next = new Int32Array(this.pids.length)
  }
  add(inode: number, pid: number, fd: number): void {
    if (this.size === this.pids.length) this.grow()
    const i = this.size++
    this.pids[i] = pid
    this.fds[i] = fd
    const head = this.first.get(inode)
    this.next[i] = head === undefined ? -1 : head
    this.first.set(inode, i)
  }
  forEachHolder(inode: number, fn: (pid: number, fd: number) => void): void {
    const chain: number[] = []
    for (let i = this.first.get(inode) ?? -1; i >= 0; i = this.next[i]!) chain.push(i)
    for (let k = chain.length - 1; k >= 0; k--) fn(this.pids[chain[k]!]!, this.fds[chain[k]!]!)
  }
  holders(inode: number): { pid: number; fd: number }[] {
    const out: { pid: number; fd: number }[] = []
    for (let i = this.first.get(inode) ?? -1; i >= 0; i = this.next[i]!) out.push({ pid: this.pids[i]!, fd: this.fds[i]! })
    return out.reverse()
  }
  private grow(): void {
    const n = this.pids.length * 2
    const grow32 = <T extends Uint32Array | Int32Array>(a: T, b: T): T => { b.set(a); return b }
    this.pids = grow32(this.pids, new Uint32Array(n))
    this.fds = grow32(this.fds, new Uint32Array(n))
    this.next = grow32(this.next, new Int32Array(n))
  }
}

/** Above this many wanted inodes, filtering in C costs more (a sorted BigUint64Array) than it saves. */
const FILTER_LIMIT = 50_000

const walkThreads = (): number => Math.min(4, Math.max(1, availableParallelism()))

function inodeFilter(only?: readonly number[]): BigUint64Array | null {
  if (!only || only.length > FILTER_LIMIT) return null
  const filter = BigUint64Array.from(only, (n) => BigInt(n))
  filter.sort()
  return filter
}

let bpfBroken = false

/**
 * The kernel's own list of socket fds through a BPF task_file iterator, when we are root on the
 * real /proc: one pass in the kernel instead of a stat per fd (20x faster at 300,000 fds).
 * With up to FILTER_LIMIT wanted inodes the program looks each fd up in a BPF hash map of them,
 * so only matching records reach us; above it, indexOf filters in JS. Undefined when it cannot
 * run; the walk is the fallback.
 */
function bpfUsable(procRoot: string): boolean {
  return !bpfBroken && procRoot === '/proc' && process.geteuid?.() === 0 && process.env.TCPDOCTOR_NO_BPF !== '1'
}

/**
 * Once, under load, the iterator returned no record and no error. Nothing at all, or none of the
 * wanted inodes the dump just showed, is asked again once; still nothing: the /proc walk decides.
 */
const suspiciouslyEmpty = (r: FdWalkResult, only?: readonly number[]): boolean => r.entries.length === 0 && (!only || only.length > 0)

function tryBpf(procRoot: string, filter?: BigUint64Array | null, only?: readonly number[]): FdWalkResult | undefined {
  if (!bpfUsable(procRoot)) return undefined
  const native = tryNative()
  if (!native?.fdIterBpf) return undefined
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = filter ? native.fdIterBpf(filter) : native.fdIterBpf()
      if (!suspiciouslyEmpty(r, only)) return r
    }
    debug('bpf task_file iterator returned nothing twice; walking /proc')
    return undefined
  } catch (err) {
    bpfBroken = true // EPERM (no CAP_BPF), ENOENT (no BTF), EINVAL (old kernel): walk from now on
    debug('bpf task_file iterator unavailable (%s); walking /proc', (err as Error).message)
    return undefined
  }
}

function indexOf(r: FdWalkResult, via: OwnerMap['via'] = 'native', only?: readonly number[]): OwnerMap {
  const e = r.entries
  // The BPF iterator returns every socket fd; keep only the wanted ones (the walk filtered in C).
  const want = via === 'bpf' && only ? new Set(only) : undefined
  const index = new OwnerIndex(want ? want.size : e.length / 16)
  for (let off = 0; off + 16 <= e.length; off += 16) {
    // Socket inodes are unsigned int in the kernel (sock_i_ino), so the high word is 0.
    const inode = e.readUInt32LE(off + 8)
    if (want && !want.has(inode)) continue
    index.add(inode, e.readUInt32LE(off), e.readUInt32LE(off + 4))
  }
  return { holders: (i) => index.holders(i), forEachHolder: (i, fn) => index.forEachHolder(i, fn), size: index.size, pidsSeen: r.pidsSeen, pidsDenied: r.pidsDenied, pidsVanished: r.pidsVanished, via }
}

/**
 * Starts the fd walk on worker threads and resolves with the owner map: callers dump sockets
 * meanwhile (the walk and the dump each take about a third of a second at 300,000 sockets).
 */
export async function readOwnerMapAsync(procRoot = '/proc', only?: readonly number[]): Promise<OwnerMap> {
  const native = tryNative()
  if (!native) return readOwnerMap(procRoot, only)
  if (bpfUsable(procRoot) && native.fdIterBpfAsync) {
    try {
      const filter = inodeFilter(only)
      for (let attempt = 0; attempt < 2; attempt++) {
        const r = await (filter ? native.fdIterBpfAsync(filter) : native.fdIterBpfAsync())
        if (!suspiciouslyEmpty(r, only)) return indexOf(r, 'bpf', filter ? undefined : only)
      }
      debug('bpf task_file iterator returned nothing twice; walking /proc')
    } catch (err) {
      bpfBroken = true
      debug('bpf task_file iterator unavailable (%s); walking /proc', (err as Error).message)
    }
  }
  try {
    return indexOf(await native.fdWalkAsync(procRoot, walkThreads(), inodeFilter(only)))
  } catch (err) {
    throw fromSystemError(err, msg('err.kernel.walkingFd', { procRoot }))
  }
}

/** Walks every process's fds; with `only`, keeps just those inodes (cheaper to hold). */
export function readOwnerMap(procRoot = '/proc', only?: readonly number[]): OwnerMap {
  const filter = inodeFilter(only)
  const bpf = tryBpf(procRoot, filter, only)
  if (bpf) return indexOf(bpf, 'bpf', filter ? undefined : only) // filtered in the kernel when filter
  const native = tryNative()
  if (native) {
    try {
      return indexOf(native.fdWalk(procRoot, walkThreads(), filter))
    } catch (err) {
      throw fromSystemError(err, msg('err.kernel.walkingFd', { procRoot }))
    }
  }
  const want = only ? new Set(only) : undefined
  const index = new OwnerIndex(1024)
  let pidsSeen = 0
  let pidsDenied = 0
  let pidsVanished = 0
  for (const name of readdirSync(procRoot)) {
    if (!/^[1-9]\d*$/.test(name)) continue
    pidsSeen++
    const pid = Number(name)
    const dir = join(procRoot, name, 'fd')
    let fds: string[]
    try {
      fds = readdirSync(dir)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') pidsDenied++
      else pidsVanished++
      continue
    }
    let linkDenied = false
    for (const fd of fds) {
      let link: string
      try {
        link = readlinkSync(join(dir, fd))
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if ((code === 'EACCES' || code === 'EPERM') && !linkDenied) { linkDenied = true; pidsDenied++ }
        continue // denied, or the fd was closed between readdir and readlink
      }
      if (!link.startsWith('socket:[')) continue
      const inode = Number(link.slice(8, -1))
      if (want && !want.has(inode)) continue
      index.add(inode, pid, Number(fd))
    }
  }
  return { holders: (i) => index.holders(i), forEachHolder: (i, fn) => index.forEachHolder(i, fn), size: index.size, pidsSeen, pidsDenied, pidsVanished, via: 'js' }
}

let users: Map<number, string> | undefined

/** User name of a uid from /etc/passwd; the number as text when unknown. */
export function userName(uid: number): string {
  if (!users) {
    users = new Map()
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const f = line.split(':')
        if (f.length >= 3 && /^\d+$/.test(f[2]!)) users.set(Number(f[2]), f[0]!)
      }
    } catch {
      // no /etc/passwd (minimal containers): uids print as numbers
    }
  }
  return users.get(uid) ?? String(uid)
}

/** comm, uid, command line and cgroup of a process; undefined when it has exited. */
export function readProcessDetails(procRoot: string, pid: number): ProcessDetails | undefined {
  const dir = join(procRoot, String(pid))
  let status: string
  try {
    status = readFileSync(join(dir, 'status'), 'utf8')
  } catch {
    return undefined // exited
  }
  const name = /^Name:\s*(.*)$/m.exec(status)?.[1] ?? '?'
  const uid = Number(/^Uid:\s*(\d+)/m.exec(status)?.[1] ?? -1)
  let cmdline = ''
  try {
    cmdline = readFileSync(join(dir, 'cmdline'), 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ')
  } catch {
    // exited meanwhile: keep what we have
  }
  let cgroup = ''
  try {
    // cgroup v2: "0::/system.slice/nginx.service"; v1: the first line with a path
    const lines = readFileSync(join(dir, 'cgroup'), 'utf8').trim().split('\n')
    const v2 = lines.find((l) => l.startsWith('0::'))
    cgroup = (v2 ?? lines[0] ?? '').split(':').slice(2).join(':')
  } catch {
    // exited meanwhile
  }
  const container = containerOf(cgroup)
  return { pid, command: name, uid, user: uid >= 0 ? userName(uid) : '?', cmdline, cgroup, ...(container ? { container } : {}) }
}

/** States without a file descriptor: TIME_WAIT, orphans being closed, and request sockets (SYN_RECV) not yet accepted. */
export const FDLESS_STATES: ReadonlySet<string> = new Set(['TIME_WAIT', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSING', 'LAST_ACK', 'SYN_RECV', 'NEW_SYN_RECV'])

export interface AttachResult {
  /** Processes whose fds could not be read (listing or link denied): their sockets show no owner. */
  pidsDenied: number
  via: OwnerMap['via']
}

const isWildcard = (a: string): boolean => a === '0.0.0.0' || a === '::'

/**
 * The listener an fd-less socket (TIME_WAIT, orphan, SYN_RECV) came from, for inferring its owner.
 * Same namespace and port; the same family first (an IPv4 TIME_WAIT comes from the IPv4 listener,
 * not from an IPv6 one on the same port in the same process), and within it a listener on the
 * socket's own address before a wildcard one. Another family's listener is the last resort (an
 * IPv4 socket can only come from an IPv6 listener through a v4-mapped address, which is inet6).
 * Both the object path (attachOwners) and the raw table path (sockets/raw.ts) use it.
 */
export class ListenerIndex {
  private byPort = new Map<string, { family: string; address: string | undefined; inode: number }[]>()
  add(netns: string | undefined, family: 'inet' | 'inet6', address: string | undefined, port: number, inode: number): void {
    const k = `${netns ?? ''}|${port}`
    let list = this.byPort.get(k)
    if (!list) this.byPort.set(k, (list = []))
    list.push({ family, address, inode })
  }
  get size(): number { return this.byPort.size }
  /** The listener's inode, or undefined. `address` undefined: any address of the family. */
  find(netns: string | undefined, family: 'inet' | 'inet6', address: string | undefined, port: number): number | undefined {
    const list = this.byPort.get(`${netns ?? ''}|${port}`)
    if (!list) return undefined
    if (list.length === 1) return list[0]!.inode
    let best: number | undefined
    let bestRank = 9
    for (const l of list) {
      const sameFamily = l.family === family
      const exact = address !== undefined && l.address === address
      const wild = l.address === undefined || isWildcard(l.address)
      const rank = sameFamily ? (exact ? 0 : wild ? 1 : 2) : wild ? 3 : 4
      if (rank < bestRank) { bestRank = rank; best = l.inode }
    }
    return best
  }
}

/**
 * Processes whose fd directory lists but whose links cannot be read (EACCES on readlink: /proc/1/fd
 * of a container's init, or ptrace rules). The walks count a directory they cannot list; this finds
 * the others, so an owner that could not be read is reported as not visible instead of absent.
 * Only run when some socket with a file descriptor found no holder (cheap: one readlink per process).
 */
export function countUnreadableFds(procRoot = '/proc'): number {
  let n = 0
  let names: string[]
  try {
    names = readdirSync(procRoot)
  } catch {
    return 0
  }
  for (const name of names) {
    if (!/^[1-9]\d*$/.test(name)) continue
    const dir = join(procRoot, name, 'fd')
    let fds: string[]
    try {
      fds = readdirSync(dir)
    } catch {
      continue // counted by the walk (denied) or exited
    }
    if (fds.length === 0) continue
    try {
      readlinkSync(join(dir, fds[0]!))
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EACCES' || code === 'EPERM') n++
    }
  }
  return n
}

/**
 * Sets socket.process for every socket: the processes holding its inode, else (fd-less sockets)
 * the process of the listener it came from (ListenerIndex), marked inferred.
 */
export function attachOwners(sockets: Socket[], opts: { procRoot?: string; cmdline?: boolean; owners?: OwnerMap; listeners?: readonly Socket[] } = {}): AttachResult {
  const procRoot = opts.procRoot ?? '/proc'
  const inodes: number[] = []
  for (const s of sockets) if (s.inode !== 0) inodes.push(s.inode)
  // Listeners the caller's filter left out (ls -p state time-wait): fetched only to infer owners.
  for (const s of opts.listeners ?? []) if (s.inode !== 0) inodes.push(s.inode)
  const owners = opts.owners ?? readOwnerMap(procRoot, inodes)
  const details = new Map<number, ProcessDetails | undefined>()
  const detailsOf = (pid: number): ProcessDetails | undefined => {
    if (!details.has(pid)) details.set(pid, readProcessDetails(procRoot, pid))
    return details.get(pid)
  }
  const refsOf = (inode: number, inferred: boolean): ProcessRef[] | undefined => {
    let refs: ProcessRef[] | undefined
    owners.forEachHolder(inode, (pid, fd) => {
      const d = detailsOf(pid)
      if (!d) return
      const ref: ProcessRef = { pid: d.pid, fd, command: d.command, user: d.user, uid: d.uid }
      if (opts.cmdline) { ref.cmdline = d.cmdline; ref.cgroup = d.cgroup; if (d.container) ref.container = d.container }
      if (inferred) ref.inferred = true
      ;(refs ??= []).push(ref)
    })
    return refs
  }
  const listeners = new ListenerIndex()
  for (const s of [...sockets, ...(opts.listeners ?? [])]) if (s.state === 'LISTEN' && s.inode) listeners.add(s.netns, s.family, s.local.address, s.local.port, s.inode)
  let missing = 0
  for (const s of sockets) {
    if (s.inode !== 0) {
      const refs = refsOf(s.inode, false)
      if (refs) s.process = refs
      else missing++
    } else if (FDLESS_STATES.has(s.state)) {
      const li = listeners.find(s.netns, s.family, s.local.address, s.local.port)
      if (li !== undefined) {
        const refs = refsOf(li, true)
        if (refs) s.process = refs
      }
    }
  }
  const pidsDenied = owners.pidsDenied + (missing > 0 && owners.via !== 'js' ? countUnreadableFds(procRoot) : 0)
  return { pidsDenied, via: owners.via }
}

/** What a process is doing, from /proc/PID/stat and its threads' stat (one read, no sampling). */
export interface ProcessActivity {
  pid: number
  /** The process's state letter: R running, S sleeping, D uninterruptible (I/O), T stopped, t traced, Z zombie. */
  state: string
  /** Threads per state letter (a server stuck with every thread in D shows D here). */
  threads: Record<string, number>
  /** utime + stime in clock ticks (two reads give CPU use). */
  cpuTicks: number
}

/** The process's state and CPU ticks; undefined when it has exited or cannot be read. */
export function readProcessActivity(procRoot: string, pid: number): ProcessActivity | undefined {
  const parse = (text: string): { state: string; ticks: number } | undefined => {
    // comm may hold spaces and parentheses: the fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    if (f.length < 13) return undefined
    return { state: f[0]!, ticks: Number(f[11]) + Number(f[12]) }
  }
  let main: { state: string; ticks: number } | undefined
  try {
    main = parse(readFileSync(join(procRoot, String(pid), 'stat'), 'utf8'))
  } catch {
    return undefined
  }
  if (!main) return undefined
  const threads: Record<string, number> = {}
  try {
    for (const tid of readdirSync(join(procRoot, String(pid), 'task'))) {
      try {
        const t = parse(readFileSync(join(procRoot, String(pid), 'task', tid, 'stat'), 'utf8'))
        if (t) threads[t.state] = (threads[t.state] ?? 0) + 1
      } catch {
        // the thread exited
      }
    }
  } catch {
    threads[main.state] = 1
  }
  return { pid, state: main.state, threads, cpuTicks: main.ticks }
}
