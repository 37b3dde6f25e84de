/**
 * @module
 * The dashboard's connection table (what TCPView lists): every socket of the served namespace
 * that an ss filter keeps, with its owner, queues, RTT and bytes, sorted and capped. A listing
 * with owners costs a socket dump plus an owner walk, so answers are kept for a second per query
 * and only one listing runs at a time: a page polling every two seconds, or a hundred of them,
 * costs at most one listing a second.
 */
import { gatherSocketsAsync } from '../sockets/gather.js'
import { sortSockets, SORT_KEYS, type SortKey } from '../sockets/sort.js'
import { filterFromArgs } from '../query/filter-args.js'
import { formatEndpoint } from '../model/endpoint-text.js'
import type { Socket } from '../model/socket.js'
import { TcpdoctorError } from '../errors.js'
import { msg, t, type Lang, textIn } from '../i18n/index.js'

export interface ConnectionRow {
  /** Stable across listings: the kernel socket cookie, else the 4-tuple and state. */
  id: string
  netns?: string
  state: string
  local: string
  remote: string
  /** "name[pid]" of each owner; inferred owners (fd-less sockets mapped to their listener) end in "?" */
  process: string | null
  uid: number
  recvQ: number
  sendQ: number
  rttMs: number | null
  retrans: number | null
  bytesSent: number | null
  bytesReceived: number | null
}

export interface ConnectionsReply {
  at: number
  filter: string
  sort: SortKey | 'process'
  /** sockets the filter kept, before the limit */
  total: number
  connections: ConnectionRow[]
  notes: string[]
}

export interface ConnectionsQuery {
  filter?: string
  sort?: string
  limit?: number
}

export const CONNECTIONS_MAX_LIMIT = 2000
const CACHE_MS = 1000

function row(s: Socket): ConnectionRow {
  const owners = s.process?.map((p) => `${p.command}[${p.pid}]${p.inferred ? '?' : ''}`)
  return {
    id: s.cookie !== '' ? s.cookie : `${s.state} ${formatEndpoint(s.local, s.family)} ${formatEndpoint(s.remote, s.family)}`,
    ...(s.netns !== undefined ? { netns: s.netns } : {}),
    state: s.state,
    local: formatEndpoint(s.local, s.family, s.v6only),
    remote: formatEndpoint(s.remote, s.family, s.v6only),
    process: owners?.length ? [...new Set(owners)].join(', ') : null,
    uid: s.uid,
    recvQ: s.recvQ,
    sendQ: s.sendQ,
    rttMs: s.info && s.state !== 'LISTEN' ? Math.round(s.info.rttUs) / 1000 : null,
    retrans: s.info ? s.info.totalRetrans : null,
    bytesSent: s.info?.bytesAcked ?? null,
    bytesReceived: s.info?.bytesReceived ?? null,
  }
}

/** Process order (TCPView's default): owner, then local address; ownerless sockets last. */
function byProcess(list: readonly Socket[]): Socket[] {
  const name = (s: Socket): string => s.process?.[0]?.command ?? '\uffff'
  return [...list].sort((a, b) => name(a).localeCompare(name(b)) || (a.process?.[0]?.pid ?? 0) - (b.process?.[0]?.pid ?? 0) || a.local.port - b.local.port)
}

export class ConnectionLister {
  private readonly cache = new Map<string, { at: number; reply: Promise<ConnectionsReply> }>()
  private running: Promise<unknown> = Promise.resolve()

  constructor(private readonly opts: { netns?: string; procRoot?: string; source?: 'auto' | 'netlink' | 'procfs'; lang?: Lang } = {}) {}

  /** Throws TD_FILTER_SYNTAX or TD_INVALID_ARGUMENT for a bad query, before any listing. */
  list(q: ConnectionsQuery): Promise<ConnectionsReply> {
    const text = (q.filter ?? '').trim()
    const words = text === '' ? [] : text.split(/\s+/)
    const filter = filterFromArgs(words)
    const sortName = q.sort ?? 'process'
    if (sortName !== 'process' && !SORT_KEYS.includes(sortName as SortKey))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.monitor.connectionsSort', { keys: SORT_KEYS.join(', '), sort: sortName }))
    const limit = q.limit ?? 500
    if (!Number.isInteger(limit) || limit < 1 || limit > CONNECTIONS_MAX_LIMIT)
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.monitor.connectionsLimit', { max: CONNECTIONS_MAX_LIMIT, limit: String(q.limit) }))
    const key = `${sortName}\u0000${limit}\u0000${filter.text}`
    const now = Date.now()
    for (const [k, v] of this.cache) if (now - v.at > CACHE_MS) this.cache.delete(k)
    const hit = this.cache.get(key)
    if (hit) return hit.reply
    // One listing at a time: a second query waits for the first to finish, then runs.
    const reply = this.running.then(async (): Promise<ConnectionsReply> => {
      const g = await gatherSocketsAsync({
        netns: this.opts.netns, procRoot: this.opts.procRoot, source: this.opts.source,
        states: filter.states, bytecode: filter.bytecode, match: filter.match, info: true, owners: true,
      })
      const all = g.namespaces.flatMap((n) => n.sockets)
      const sorted = sortName === 'process' ? byProcess(all) : sortSockets(all, sortName as SortKey)
      const notes: string[] = []
      const lang = this.opts.lang ?? 'en'
      for (const n of g.namespaces) if (n.fallbackReason) notes.push(t(lang, 'note.doctor.procfs', { netns: n.netns, reason: textIn(lang, n.fallbackDetail ?? n.fallbackReason) }))
      if (g.pidsDenied > 0) notes.push(t(lang, 'note.doctor.denied', { n: g.pidsDenied }))
      return { at: Date.now(), filter: filter.text, sort: sortName as SortKey | 'process', total: all.length, connections: sorted.slice(0, limit).map(row), notes }
    })
    this.running = reply.catch(() => undefined)
    this.cache.set(key, { at: now, reply })
    reply.catch(() => this.cache.delete(key))
    return reply
  }
}
