/**
 * @module
 * `tcpdoctor sockets` (`ls`): list sockets with ss's filter language and columns. Replaces `ss -tan ...`.
 */
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import type { Family, Socket } from '../../model/socket.js'
import { ssName, parseStates, type StateName } from '../../model/state.js'
import { formatEndpoint } from '../../model/endpoint-text.js'
import { gatherSocketsAsync } from '../../sockets/gather.js'
import { sortSockets, SORT_KEYS, type SortKey } from '../../sockets/sort.js'
import { displayWidth, formatRow } from '../render/table.js'
import { formatInfo, formatMem, formatTimer, formatUsers } from '../render/socket-line.js'
import { baseGather, sourceNotes, sourceOf } from './gather-args.js'
import { filterFromArgs } from '../../query/filter-args.js'
import { renderRawTable } from '../render/raw-table.js'
import { gatherWithAges } from '../../track/ages.js'
import { rawPathServes, readRawTable } from '../../sockets/raw.js'
import type { Gathered, GatherOptions } from '../../sockets/gather.js'

/** age:>=12.0s (older than the sampling window) or age:3.0s..4.0s (entered the state between samples). */
function formatAge(a: NonNullable<Socket['age']>): string {
  const s = (ms: number): string => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)}min` : `${(ms / 1000).toFixed(1)}s`)
  if (a.atLeast) return `age:>=${s(a.ms)}`
  return a.maxMs !== undefined ? `age:${s(a.ms)}..${s(a.maxMs)}` : `age:${s(a.ms)}`
}

/** Samples several times (--samples, default 3, --interval seconds, default 1) and sets socket.age. */
async function sampleWithAges(ctx: CommandContext, gather: GatherOptions, samplesText?: string, intervalText?: string): Promise<Gathered> {
  const samples = samplesText === undefined ? 3 : Number(samplesText)
  const intervalS = intervalText === undefined ? 1 : Number(intervalText)
  if (!Number.isInteger(samples) || samples < 1 || samples > 1000) throw new TcpdoctorError('TD_USAGE', msg('err.cli.samplesMustBe1', { samplesText }))
  if (!Number.isFinite(intervalS) || intervalS < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeSeconds3', { intervalText }))
  if (ctx.from) throw new TcpdoctorError('TD_USAGE', msg('err.cli.ageSamplesTheKernel'))
  return gatherWithAges(gather, { samples, intervalMs: intervalS * 1000, signal: ctx.signal })
}

export const socketsCommand = defineCommand({
  name: 'sockets',
  aliases: ['ls'],
  summary: 'help.sockets.summary',
  usage: 'sockets [-p] [-i] [-o] [-m] [-e] [-l] [-4|-6] [--sort KEY] [--limit N] [FILTER]',
  help: 'help.sockets.examples',
  helpVars: { sortKeys: SORT_KEYS.join(', ') },
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
    process: 'help.sockets.opt.process',
    info: 'help.sockets.opt.info',
    timers: 'help.sockets.opt.timers',
    mem: 'help.sockets.opt.mem',
    extended: 'help.sockets.opt.extended',
    listening: 'help.sockets.opt.listening',
    ipv4: 'help.sockets.opt.ipv4',
    ipv6: 'help.sockets.opt.ipv6',
    sort: 'help.sockets.opt.sort',
    reverse: 'help.sockets.opt.reverse',
    limit: 'help.sockets.opt.limit',
    'no-header': 'help.sockets.opt.no-header',
    age: 'help.sockets.opt.age',
    samples: 'help.sockets.opt.samples',
    interval: 'help.sockets.opt.interval',
  },
  options: {
    process: { type: 'boolean', short: 'p' },
    info: { type: 'boolean', short: 'i' },
    timers: { type: 'boolean', short: 'o' },
    mem: { type: 'boolean', short: 'm' },
    extended: { type: 'boolean', short: 'e' },
    listening: { type: 'boolean', short: 'l' },
    ipv4: { type: 'boolean', short: '4' },
    ipv6: { type: 'boolean', short: '6' },
    sort: { type: 'string', short: 's' },
    reverse: { type: 'boolean', short: 'r' },
    limit: { type: 'string' },
    'no-header': { type: 'boolean', short: 'H' },
    age: { type: 'boolean' },
    samples: { type: 'string' },
    interval: { type: 'string' },
  },
  async run(ctx, args) {
    const v = args.values
    const filter = filterFromArgs(args.positionals)
    let states: StateName[] | undefined = filter.states
    if (v.listening) states = parseStates('listening')
    const families: Family[] | undefined = v.ipv4 && !v.ipv6 ? ['inet'] : v.ipv6 && !v.ipv4 ? ['inet6'] : undefined
    const sort = v.sort
    if (sort !== undefined && !SORT_KEYS.includes(sort as SortKey)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.sortMustBeOne', { SORT_KEYS: SORT_KEYS.join(', '), sort }))
    const limitText = v.limit
    const limit = limitText === undefined ? undefined : Number(limitText)
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.limitMustBeA', { limitText }))
    // Big plain tables: the raw path (no object per socket). Anything that needs objects below.
    const age = v.age === true || sort === 'age'
    const serves = rawPathServes({ age, json: ctx.json, from: ctx.from, sort, reverse: v.reverse === true, info: v.info === true, mem: v.mem === true, source: ctx.source, userspaceFilter: filter.match !== undefined && filter.bytecode === undefined })
    const table = serves ? await readRawTable({ query: { states, families, bytecode: filter.bytecode, source: ctx.source, procRoot: ctx.procRoot }, netns: ctx.netns, procRoot: ctx.procRoot, owners: v.process === true }) : undefined
    if (table) {
      const r = renderRawTable(ctx, table, { process: v.process === true, timers: v.timers === true, extended: v.extended === true, header: !v['no-header'], limit })
      for (const note of [...new Set(r.notes)]) ctx.note(note)
      return 0
    }
    const gather = {
      ...baseGather(ctx), states, families, bytecode: filter.bytecode, match: filter.match,
      info: v.info === true || sort === 'rtt' || sort === 'retrans', mem: v.mem === true, owners: v.process === true || sort === 'pid' || age, cmdline: ctx.verbose,
    }
    const g = age ? await sampleWithAges(ctx, gather, v.samples, v.interval) : await gatherSocketsAsync(gather)
    let list = g.namespaces.length === 1 ? g.namespaces[0]!.sockets : g.namespaces.flatMap((ns) => ns.sockets)
    if (sort) list = sortSockets(list, sort as SortKey)
    if (v.reverse) list.reverse()
    const total = list.length
    if (limit !== undefined) list = list.slice(0, limit)
    const notes = sourceNotes(ctx, g)
    const omitted = total - list.length
    if (omitted > 0) notes.push(t(ctx.lang, 'sockets.limited', { shown: list.length, total, omitted }))
    if (ctx.json) {
      writeSocketsJson(ctx, { source: sourceOf(g), total, ...(omitted > 0 ? { shown: list.length, omitted } : {}), ...(notes.length ? { notes } : {}) }, list)
      return 0
    }
    renderSockets(ctx, list, { age, process: v.process === true || age, info: v.info === true, timers: v.timers === true, mem: v.mem === true, extended: v.extended === true, header: !v['no-header'], netns: ctx.netns === 'all' })
    for (const n of notes) ctx.note(n)
    return 0
  },
})

/**
 * The sockets document, streamed: one socket per line inside the array, written in chunks, so
 * 300,000 sockets never become one giant string (still one valid JSON document).
 */
function writeSocketsJson(ctx: CommandContext, head: Record<string, unknown>, list: Socket[]): void {
  const top = JSON.stringify(head, null, 2)
  let chunk = `${top.slice(0, -2)},\n  "sockets": [`
  for (let i = 0; i < list.length; i++) {
    chunk += `${i ? ',' : ''}\n    ${JSON.stringify(list[i])}`
    if (chunk.length > 1 << 16) { ctx.stdout.write(chunk); chunk = '' }
  }
  ctx.stdout.write(`${chunk}${list.length ? '\n  ' : ''}]\n}\n`)
}

interface RenderOptions { age: boolean; process: boolean; info: boolean; timers: boolean; mem: boolean; extended: boolean; header: boolean; netns: boolean }

function renderSockets(ctx: CommandContext, list: Socket[], o: RenderOptions): void {
  if (list.length === 0) {
    if (o.header) ctx.out(t(ctx.lang, 'sockets.none'))
    return
  }
  const lastCol = o.process || o.timers || o.extended || o.age
  const cols = [
    ...(o.netns ? [{ header: t(ctx.lang, 'col.netns') }] : []),
    { header: t(ctx.lang, 'col.state') },
    { header: t(ctx.lang, 'col.recvq'), align: 'right' as const },
    { header: t(ctx.lang, 'col.sendq'), align: 'right' as const },
    { header: t(ctx.lang, 'col.local'), align: 'right' as const },
    { header: t(ctx.lang, 'col.peer') },
    ...(lastCol ? [{ header: o.process ? t(ctx.lang, 'col.process') : '' }] : []),
  ]
  // Widths by arithmetic, strings built once at write time: at 300,000 rows every extra string
  // is garbage-collection time.
  const n = list.length
  const digits = (x: number): number => (x < 10 ? 1 : Math.floor(Math.log10(x)) + 1)
  const epWidth = (s: Socket, ep: Socket['local']): number => (s.family === 'inet6' && s.v6only === false && ep.address === '::' ? 1 : ep.address.length + (s.family === 'inet6' ? 2 : 0)) + 1 + (ep.port === 0 ? 1 : digits(ep.port))
  const last: string[] = lastCol ? new Array<string>(n) : []
  const widths = cols.map((c) => displayWidth(c.header))
  const netnsOff = o.netns ? 1 : 0
  for (let i = 0; i < n; i++) {
    const s = list[i]!
    if (o.netns) widths[0] = Math.max(widths[0]!, displayWidth(s.netns ?? ''))
    widths[netnsOff] = Math.max(widths[netnsOff]!, ssName(s.state).length)
    widths[netnsOff + 1] = Math.max(widths[netnsOff + 1]!, digits(s.recvQ))
    widths[netnsOff + 2] = Math.max(widths[netnsOff + 2]!, digits(s.sendQ))
    widths[netnsOff + 3] = Math.max(widths[netnsOff + 3]!, epWidth(s, s.local))
    if (lastCol) {
      widths[netnsOff + 4] = Math.max(widths[netnsOff + 4]!, epWidth(s, s.remote))
      const parts: string[] = []
      if (o.age && s.age) parts.push(formatAge(s.age))
      if (o.timers) { const x = formatTimer(s); if (x) parts.push(x) }
      if (o.extended) parts.push(`uid:${s.uid} ino:${s.inode} sk:${s.cookie ? BigInt(s.cookie).toString(16) : '-'}`)
      if (o.process) { const x = formatUsers(s); if (x) parts.push(x + (s.age?.ownerRemembered ? ' (remembered)' : '')) }
      last[i] = parts.join(' ')
    }
  }
  const extraAt = o.info || o.mem ? (i: number): string => [o.mem ? formatMem(list[i]!) : '', o.info ? formatInfo(list[i]!) : ''].filter(Boolean).join(' ') : undefined
  let chunk = o.header ? formatRow(cols, widths, cols.map((c) => c.header)) + '\n' : ''
  const row: string[] = new Array(cols.length)
  for (let i = 0; i < n; i++) {
    const s = list[i]!
    let j = 0
    if (o.netns) row[j++] = s.netns ?? ''
    row[j++] = ssName(s.state)
    row[j++] = String(s.recvQ)
    row[j++] = String(s.sendQ)
    row[j++] = formatEndpoint(s.local, s.family, s.v6only)
    row[j++] = formatEndpoint(s.remote, s.family, s.v6only)
    if (lastCol) row[j] = last[i]!
    chunk += formatRow(cols, widths, row) + '\n'
    const extra = extraAt?.(i)
    if (extra) chunk += `\t ${extra}\n`
    if (chunk.length > 1 << 16) { ctx.stdout.write(chunk); chunk = '' }
  }
  if (chunk) ctx.stdout.write(chunk)
}
