/**
 * @module
 * The fast path of `tcpdoctor sockets` for big tables: sockets stay as kernel bytes (RawSockets),
 * owners come from the fd walk overlapped with the dump, and rows are formatted twice (widths,
 * then output) instead of being kept as objects. Taken when nothing needs full objects: netlink
 * available, no --from, --sort, --info, --mem or --json.
 */
import type { CommandContext } from '../command.js'
import { t } from '../../i18n/index.js'
import type { RawSockets, RawTable } from '../../sockets/raw.js'
import { TIMER_NAMES } from '../../model/socket.js'
import { formatTimerParts } from './socket-line.js'
import { ssName } from '../../model/state.js'
import { displayWidth, formatRow, type Column } from './table.js'

export interface RawListOptions {
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

/** Writes the raw table in ss's columns; returns the notes for stderr. */
export function renderRawTable(ctx: CommandContext, table: RawTable, o: RawListOptions): { notes: string[] } {
  const notes: string[] = []
  const { raw } = table
  if (table.interrupted) notes.push(t(ctx.lang, 'note.interrupted'))
  if (table.pidsDenied > 0) notes.push(t(ctx.lang, 'note.owners.denied', { n: table.pidsDenied }))
  const n = o.limit === undefined ? raw.count : Math.min(o.limit, raw.count)
  if (n < raw.count) notes.push(t(ctx.lang, 'sockets.limited', { shown: n, total: raw.count, omitted: raw.count - n }))
  const usersText = (i: number): string => {
    let parts = ''
    table.forEachOwner(i, (pid, fd, c, inferred) => {
      parts += `${parts ? ',' : ''}("${c}",pid=${pid},fd=${fd}${inferred ? ',inferred' : ''})`
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
    return { notes }
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
  return { notes }
}
