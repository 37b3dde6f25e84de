/**
 * @module
 * Gathers sockets (and optionally owners) from one or more network namespaces, or from a saved
 * snapshot. Every command of the socket view reads through here, so --netns, --from and the
 * source choice behave the same everywhere.
 */
import type { Socket } from '../model/socket.js'
import { TcpdoctorError } from '../errors.js'
import type { Msg } from '../i18n/index.js'
import { eachNamespace } from './namespaces.js'
import { listSockets, type SocketQuery, type SourceName } from '../kernel/source.js'
import { attachOwners, readOwnerMapAsync } from '../kernel/owners.js'
import { readSnapshot, type Snapshot } from '../snapshot/file.js'
import type { StateName } from '../model/state.js'

export interface NamespaceSockets {
  netns: string
  source: SourceName | 'snapshot'
  fallbackReason?: string
  /** fallbackReason, localizable (kernel/source.ts SourceMeta) */
  fallbackDetail?: string | Msg
  interrupted: boolean
  sockets: Socket[]
}

export interface GatherOptions extends Omit<SocketQuery, 'netns'> {
  /** --netns spec: undefined (current), name, path, pid or "all". */
  netns?: string
  /** --from: read this snapshot instead of the kernel. */
  from?: string
  /** Attach owning processes (walks /proc/<pid>/fd). */
  owners?: boolean
  cmdline?: boolean
}

export interface Gathered {
  namespaces: NamespaceSockets[]
  /** Processes whose fds we could not read. */
  pidsDenied: number
  snapshot?: Snapshot
}

export { vanished } from './namespaces.js'

const stateSet = (states: readonly StateName[] | undefined): Set<StateName> | undefined => (states ? new Set(states) : undefined)

/**
 * When a filter may leave listeners out (`ls -p state time-wait`, `dport = :80`), the listeners
 * themselves, read only to infer the owners of fd-less sockets from them.
 */
function leftOutListeners(opts: GatherOptions): Socket[] | undefined {
  const filtered = (opts.states !== undefined && !opts.states.includes('LISTEN')) || opts.bytecode !== undefined || opts.match !== undefined
  if (!filtered) return undefined
  const { bytecode: _b, match: _m, info: _i, mem: _mem, ...rest } = opts
  return eachNamespace(opts.netns, opts.procRoot, (target) => listSockets({ ...rest, states: ['LISTEN'], netns: target, labelNetns: opts.netns !== undefined }).sockets).flatMap((x) => x.value)
}

/** Reads sockets from the kernel (each namespace asked for) or from a snapshot file. */
export function gatherSockets(opts: GatherOptions): Gathered {
  if (opts.from) {
    const snap = readSnapshot(opts.from)
    const want = stateSet(opts.states)
    const namespaces = snap.namespaces
      .filter((ns) => opts.netns === undefined || opts.netns === 'all' || ns.netns === opts.netns)
      .map((ns) => ({
        netns: ns.netns,
        source: 'snapshot' as const,
        interrupted: false,
        sockets: ns.sockets.filter((s) => (!want || want.has(s.state)) && (!opts.families || opts.families.includes(s.family)) && (!opts.match || opts.match(s))),
      }))
    return { namespaces, pidsDenied: snap.owners?.pidsDenied ?? 0, snapshot: snap }
  }
  const namespaces: NamespaceSockets[] = eachNamespace(opts.netns, opts.procRoot, (target) => listSockets({ ...opts, netns: target, labelNetns: opts.netns !== undefined })).map(
    ({ target, value: r }) => ({ netns: target.label, source: r.source, fallbackReason: r.fallbackReason, fallbackDetail: r.fallbackDetail, interrupted: r.interrupted, sockets: r.sockets }),
  )
  let pidsDenied = 0
  if (opts.owners) {
    const all = namespaces.flatMap((n) => n.sockets)
    pidsDenied = attachOwners(all, { procRoot: opts.procRoot, cmdline: opts.cmdline, listeners: leftOutListeners(opts) }).pidsDenied
  }
  return { namespaces, pidsDenied }
}

/**
 * gatherSockets with the /proc fd walk overlapped with the dump: the walk starts on worker
 * threads first, the namespaces are dumped and decoded meanwhile, then owners are attached.
 */
export async function gatherSocketsAsync(opts: GatherOptions): Promise<Gathered> {
  if (opts.from || !opts.owners) return gatherSockets(opts)
  const walk = readOwnerMapAsync(opts.procRoot ?? '/proc')
  // A failed walk must not become an unhandled rejection while the dump runs.
  walk.catch(() => undefined)
  const g = gatherSockets({ ...opts, owners: false })
  const owners = await walk
  const all = g.namespaces.length === 1 ? g.namespaces[0]!.sockets : g.namespaces.flatMap((n) => n.sockets)
  g.pidsDenied = attachOwners(all, { procRoot: opts.procRoot, cmdline: opts.cmdline, owners, listeners: leftOutListeners(opts) }).pidsDenied
  return g
}
