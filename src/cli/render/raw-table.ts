/**
 * @module
 * The fast path of `tcpdoctor sockets` for big tables: sockets stay as kernel bytes (RawSockets),
 * owners come from the fd walk overlapped with the dump, and rows are formatted twice (widths,
 * then output) instead of being kept as objects. Taken when nothing needs full objects: netlink
 * available, no --from, --sort, --info, --mem or --json.
 */
import type { CommandContext } from '../command.js'
import { t } from '../../i18n/index.js'
import { digits, writeDecimal, type RawSockets, type RawTable } from '../../sockets/raw.js'
import { TIMER_NAMES } from '../../model/socket.js'
import { formatTimerParts } from './socket-line.js'
import { ssName, stateName } from '../../model/state.js'
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
  // With -p alone (the common case) the owner text of an inode is built once: every TIME_WAIT
  // socket of a web server names the same listener.
  const usersCache = new Map<string, Buffer>()
  const usersBytes = (i: number): Buffer => {
    if (raw.inode(i) !== 0) return Buffer.from(usersText(i))
    const key = `${raw.netns(i) ?? ''}|${raw.family(i)}|${raw.localAddress(i)}|${raw.localPort(i)}`
    let b = usersCache.get(key)
    if (b === undefined) usersCache.set(key, (b = Buffer.from(usersText(i))))
    return b
  }
  const onlyUsers = o.process && !o.timers && !o.extended
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
  // Rows are written as bytes straight into output buffers: no string or array per row (at
  // 300,000 rows that garbage was a third of the time). Widths come from arithmetic on the bytes.
  const present = new Uint8Array(16)
  const widths = cols.map((c) => displayWidth(c.header))
  const off = showNetns ? 1 : 0
  const labelW = new Map<string | undefined, number>()
  for (let i = 0; i < n; i++) {
    present[raw.stateNum(i)] = 1
    if (showNetns) {
      const l = raw.netns(i)
      let w = labelW.get(l)
      if (w === undefined) labelW.set(l, (w = displayWidth(l ?? '')))
      if (w > widths[0]!) widths[0] = w
    }
    const rq = digits(raw.recvQ(i)); if (rq > widths[off + 1]!) widths[off + 1] = rq
    const sq = digits(raw.sendQ(i)); if (sq > widths[off + 2]!) widths[off + 2] = sq
    const lw = raw.endpointWidth(i, 'local'); if (lw > widths[off + 3]!) widths[off + 3] = lw
    if (lastCol) { const pw = raw.endpointWidth(i, 'remote'); if (pw > widths[off + 4]!) widths[off + 4] = pw }
  }
  const stateText: Buffer[] = []
  for (let k = 0; k < 16; k++) {
    if (!present[k]) continue
    const name = ssName(stateName(k))
    stateText[k] = Buffer.from(name, 'latin1')
    if (name.length > widths[off]!) widths[off] = name.length
  }
  const out = new RowWriter(ctx.stdout)
  if (o.header) out.text(formatRow(cols, widths, cols.map((c) => c.header)) + '\n')
  const GAP = 2
  for (let i = 0; i < n; i++) {
    out.reserve(512)
    if (showNetns) {
      const l = raw.netns(i) ?? ''
      out.text(l)
      out.spaces(widths[0]! - labelW.get(raw.netns(i))! + GAP)
    }
    const st = stateText[raw.stateNum(i)]!
    out.bytes(st)
    out.spaces(widths[off]! - st.length + GAP)
    const rq = raw.recvQ(i)
    out.spaces(widths[off + 1]! - digits(rq))
    out.decimal(rq)
    out.spaces(GAP)
    const sq = raw.sendQ(i)
    out.spaces(widths[off + 2]! - digits(sq))
    out.decimal(sq)
    out.spaces(GAP)
    out.spaces(widths[off + 3]! - raw.endpointWidth(i, 'local'))
    out.pos = raw.writeEndpoint(i, 'local', out.buf, out.pos)
    out.spaces(GAP)
    out.pos = raw.writeEndpoint(i, 'remote', out.buf, out.pos)
    if (onlyUsers) {
      const u = usersBytes(i)
      if (u.length) {
        out.spaces(widths[off + 4]! - raw.endpointWidth(i, 'remote') + GAP)
        out.reserve(u.length + 2)
        out.bytes(u)
      }
    } else if (lastCol) {
      const last = lastText(i)
      if (last) {
        out.spaces(widths[off + 4]! - raw.endpointWidth(i, 'remote') + GAP)
        out.text(last)
      }
    }
    out.newline()
  }
  out.flush()
  return { notes }
}

/** Bytes into 64 KiB buffers, each handed to the stream when full (a fresh one follows). */
class RowWriter {
  buf = Buffer.allocUnsafe(1 << 16)
  pos = 0
  constructor(private readonly sink: { write(chunk: Uint8Array): unknown }) {}
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) {
      this.flush()
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n)
    }
  }
  flush(): void {
    if (this.pos === 0) return
    this.sink.write(this.buf.subarray(0, this.pos))
    this.buf = Buffer.allocUnsafe(Math.max(1 << 16, this.buf.length))
    this.pos = 0
  }
  spaces(k: number): void {
    // A loop: Buffer.fill costs more than it saves for the few bytes of a column gap.
    const b = this.buf
    let p = this.pos
    for (const end = p + k; p < end; p++) b[p] = 0x20
    this.pos = p
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.pos)
    this.pos += b.length
  }
  decimal(x: number): void {
    this.pos = writeDecimal(this.buf, this.pos, x)
  }
  text(s: string): void {
    const need = Buffer.byteLength(s)
    this.reserve(need + 256)
    this.pos += this.buf.write(s, this.pos)
  }
  newline(): void {
    this.buf[this.pos++] = 0x0a
  }
}
