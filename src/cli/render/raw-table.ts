/**
 * @module
 * The fast path of `tcpdoctor sockets` for big tables: sockets stay as kernel bytes (RawSockets),
 * owners come from the fd walk overlapped with the dump, and rows are formatted twice (widths,
 * then output) instead of being kept as objects. Taken when nothing needs full objects: netlink
 * available, no --from, --sort, --info, --mem or --json.
 */
import type { CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t } from '../../i18n/index.js'
import { resolveNetns } from '../../kernel/netns.js'
import { dumpRawSockets, type SocketQuery } from '../../kernel/source.js'
import { RawSockets } from '../../kernel/sock-diag/raw.js'
import { FDLESS_STATES, readOwnerMapAsync, readProcessDetails, type OwnerMap } from '../../kernel/owners.js'
import { TIMER_NAMES } from '../../model/socket.js'
import { formatTimerParts } from './socket-line.js'
import { ssName } from '../../model/state.js'
import { vanished } from '../../sockets/gather.js'
import { displayWidth, formatRow, type Column } from './table.js'

export interface RawListOptions {
  query: Omit<SocketQuery, 'netns' | 'match'>
  process: boolean
  timers: boolean
  extended: boolean
  header: boolean
  limit?: number
}

function timerText(raw: RawSockets, i: number): string {
  const tm = raw.timer(i)
  return formatTimerParts(TIMER_NAMES[tm.num] ?? 'unknown', tm.expiresMs, tm.retrans)
}

/** Lists sockets through the raw path; returns false when netlink is unavailable (use the object path). */
export async function listRaw(ctx: CommandContext, o: RawListOptions): Promise<{ handled: boolean; notes: string[] }> {
  const targets = resolveNetns(ctx.netns, ctx.procRoot)
  const walk: Promise<OwnerMap> | undefined = o.process ? readOwnerMapAsync(ctx.procRoot) : undefined
  walk?.catch(() => undefined) // awaited below; keep a failed walk from being an unhandled rejection meanwhile
  const raw = new RawSockets()
  const notes: string[] = []
  try {
    for (const target of targets) {
      try {
        const r = dumpRawSockets({ ...o.query, netns: target, labelNetns: ctx.netns !== undefined }, raw)
        if (r.interrupted) notes.push(t(ctx.lang, 'note.interrupted'))
      } catch (err) {
        if (ctx.netns === 'all' && vanished(err)) continue
        throw err
      }
    }
  } catch (err) {
    if (err instanceof TcpdoctorError && (err.code === 'TD_NATIVE_MISSING' || err.code === 'TD_UNSUPPORTED')) {
      await walk?.catch(() => undefined)
      return { handled: false, notes }
    }
    throw err
  }
  const owners = walk ? await walk : undefined
  if (owners && owners.pidsDenied > 0) notes.push(t(ctx.lang, 'note.owners.denied', { n: owners.pidsDenied }))
  const n = o.limit === undefined ? raw.count : Math.min(o.limit, raw.count)

  // Owners: users:(...) text per inode; fd-less sockets get the listener of their port (inferred).
  const comm = new Map<number, string>()
  const commOf = (pid: number): string | undefined => {
    if (!comm.has(pid)) comm.set(pid, readProcessDetails(ctx.procRoot, pid)?.command ?? '')
    return comm.get(pid) || undefined
  }
  const listenerOf = new Map<string, number>()
  if (owners) for (let i = 0; i < raw.count; i++) if (raw.state(i) === 'LISTEN' && raw.inode(i)) listenerOf.set(`${raw.netns(i) ?? ''}|${raw.localPort(i)}`, raw.inode(i))
  const usersText = (i: number): string => {
    if (!owners) return ''
    let inode = raw.inode(i)
    let inferred = ''
    if (inode === 0) {
      if (!FDLESS_STATES.has(raw.state(i))) return ''
      inode = listenerOf.get(`${raw.netns(i) ?? ''}|${raw.localPort(i)}`) ?? 0
      inferred = ',inferred'
      if (!inode) return ''
    }
    let parts = ''
    owners.forEachHolder(inode, (pid, fd) => {
      const c = commOf(pid)
      if (c !== undefined) parts += `${parts ? ',' : ''}("${c}",pid=${pid},fd=${fd}${inferred})`
    })
    return parts ? `users:(${parts})` : ''
  }
  const lastText = (i: number): string => {
    let s = ''
    if (o.timers) s = timerText(raw, i)
    if (o.extended) s += `${s ? ' ' : ''}uid:${raw.uid(i)} ino:${raw.inode(i)} sk:${raw.cookieHex(i)}`
    if (o.process) { const u = usersText(i); if (u) s += `${s ? ' ' : ''}${u}` }
    return s
  }
  const showNetns = ctx.netns === 'all'
  const lastCol = o.process || o.timers || o.extended
  const cols: Column[] = [
    ...(showNetns ? [{ header: t(ctx.lang, 'col.netns') }] : []),
    { header: t(ctx.lang, 'col.state') },
    { header: t(ctx.lang, 'col.recvq'), align: 'right' },
    { header: t(ctx.lang, 'col.sendq'), align: 'right' },
    { header: t(ctx.lang, 'col.local'), align: 'right' },
    { header: t(ctx.lang, 'col.peer') },
    ...(lastCol ? [{ header: o.process ? t(ctx.lang, 'col.process') : '' }] : []),
  ]
  if (n === 0) {
    if (o.header) ctx.out(t(ctx.lang, 'sockets.none'))
    return { handled: true, notes }
  }
  const rowAt = (i: number, withLast: boolean): string[] => {
    const row = [ssName(raw.state(i)), String(raw.recvQ(i)), String(raw.sendQ(i)), raw.endpointText(i, 'local'), raw.endpointText(i, 'remote')]
    if (showNetns) row.unshift(raw.netns(i) ?? '')
    if (lastCol && withLast) row.push(lastText(i))
    return row
  }
  // Pass 1: widths (short-lived strings: cheap young-generation garbage); the last column is never
  // padded, so it is not even built. Pass 2: output.
  const widths = cols.map((c) => displayWidth(c.header))
  const measured = cols.length - 1
  for (let i = 0; i < n; i++) {
    const row = rowAt(i, false)
    for (let j = 0; j < measured; j++) { const w = displayWidth(row[j]!); if (w > widths[j]!) widths[j] = w }
  }
  let chunk = o.header ? formatRow(cols, widths, cols.map((c) => c.header)) + '\n' : ''
  for (let i = 0; i < n; i++) {
    chunk += formatRow(cols, widths, rowAt(i, true)) + '\n'
    if (chunk.length > 1 << 16) { ctx.stdout.write(chunk); chunk = '' }
  }
  if (chunk) ctx.stdout.write(chunk)
  return { handled: true, notes }
}
