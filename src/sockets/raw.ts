/**
 * @module
 * The raw socket table: sockets stay as kernel bytes (RawSockets, no object per socket), owners
 * come from the fd walk overlapped with the dump. What `sockets` lists when nothing needs full
 * objects (netlink available, no --from, --sort, --info, --mem or --json).
 */
import { TcpdoctorError } from '../errors.js'
import { dumpRawSockets, type SocketQuery } from '../kernel/source.js'
import { RawSockets, digits, writeDecimal } from '../kernel/sock-diag/raw.js'

export { digits, writeDecimal, type RawSockets }
import { FDLESS_STATES, ListenerIndex, readOwnerMapAsync, readProcessDetails, type OwnerMap } from '../kernel/owners.js'
import { eachNamespace } from './namespaces.js'

export interface RawTableOptions {
  query: Omit<SocketQuery, 'netns' | 'match'>
  /** --netns spec. */
  netns?: string
  procRoot: string
  /** Walk /proc for owners. */
  owners: boolean
}

export interface RawTable {
  raw: RawSockets
  interrupted: boolean
  /** Processes whose fds could not be read. */
  pidsDenied: number
  /**
   * Calls back for each process holding socket i; fd-less sockets (TIME_WAIT, orphans) get the
   * listener of their port, flagged inferred.
   */
  forEachOwner(i: number, cb: (pid: number, fd: number, command: string, inferred: boolean) => void): void
}

/** What a listing asks for; the raw path serves it only when no socket object is needed. */
export interface ListRequest {
  age: boolean
  json: boolean
  from?: string
  sort?: string
  reverse: boolean
  info: boolean
  mem: boolean
  source: 'auto' | 'netlink' | 'procfs'
  /** The filter has parts the kernel bytecode cannot express. */
  userspaceFilter: boolean
}

/** True when the raw table can answer the request (plain ss-style columns from netlink). */
export function rawPathServes(r: ListRequest): boolean {
  return !(r.age || r.json || r.from !== undefined || r.sort !== undefined || r.reverse || r.info || r.mem || r.source === 'procfs' || r.userspaceFilter)
}

/** Reads the raw table; undefined when netlink cannot run here (use the object path). */
export async function readRawTable(o: RawTableOptions): Promise<RawTable | undefined> {
  const walk: Promise<OwnerMap> | undefined = o.owners ? readOwnerMapAsync(o.procRoot) : undefined
  walk?.catch(() => undefined) // awaited below; keep a failed walk from being an unhandled rejection meanwhile
  const raw = new RawSockets()
  let interrupted = false
  try {
    eachNamespace(o.netns, o.procRoot, (target) => {
      const r = dumpRawSockets({ ...o.query, netns: target, labelNetns: o.netns !== undefined }, raw)
      if (r.interrupted) interrupted = true
    })
  } catch (err) {
    if (err instanceof TcpdoctorError && (err.code === 'TD_NATIVE_MISSING' || err.code === 'TD_UNSUPPORTED')) {
      await walk?.catch(() => undefined)
      return undefined
    }
    throw err
  }
  const owners = walk ? await walk : undefined
  const comm = new Map<number, string>()
  const commOf = (pid: number): string => {
    let c = comm.get(pid)
    if (c === undefined) comm.set(pid, (c = readProcessDetails(o.procRoot, pid)?.command ?? ''))
    return c
  }
  // The same inference as the object path (attachOwners): same family and address first.
  const listeners = new ListenerIndex()
  if (owners) {
    // A filter may have left the listeners out (ls -p state time-wait): read them for the index.
    const filtered = (o.query.states !== undefined && !o.query.states.includes('LISTEN')) || o.query.bytecode !== undefined
    const src = filtered ? new RawSockets() : raw
    if (filtered) eachNamespace(o.netns, o.procRoot, (target) => dumpRawSockets({ ...o.query, bytecode: undefined, states: ['LISTEN'], netns: target, labelNetns: o.netns !== undefined }, src))
    for (let i = 0; i < src.count; i++) if (src.state(i) === 'LISTEN' && src.inode(i)) listeners.add(src.netns(i), src.family(i), src.localAddress(i), src.localPort(i), src.inode(i))
  }
  return {
    raw,
    interrupted,
    pidsDenied: owners?.pidsDenied ?? 0,
    forEachOwner(i, cb) {
      if (!owners) return
      let inode = raw.inode(i)
      let inferred = false
      if (inode === 0) {
        if (!FDLESS_STATES.has(raw.state(i))) return
        inode = listeners.find(raw.netns(i), raw.family(i), raw.localAddress(i), raw.localPort(i)) ?? 0
        inferred = true
        if (!inode) return
      }
      owners.forEachHolder(inode, (pid, fd) => {
        const c = commOf(pid)
        if (c) cb(pid, fd, c, inferred)
      })
    },
  }
}
