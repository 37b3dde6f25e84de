/**
 * @module
 * `tcpdoctor keepalive`: per ESTABLISHED socket, keepalive on/off and its timer, idle time, and
 * how long the kernel would take to notice a dead peer; lists the sockets that never would (ss -o
 * shows timers, but says nothing about what they mean).
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { formatEndpoint } from '../../model/endpoint-text.js'
import type { KeepaliveAudit, KeepaliveRow } from '../../keepalive/audit.js'
import { keepaliveReport } from '../../keepalive/report.js'
import { formatTable } from '../render/table.js'
import { formatUsers } from '../render/socket-line.js'
import { paint } from '../render/color.js'
import { baseGather, sourceNotes, sourceOf } from './gather-args.js'

/** 7875000 -> "2h11m15s", 924600 -> "15m24.6s", 850 -> "0.85s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))}s`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = Number(((ms % 60_000) / 1000).toFixed(1))
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s ? `${s}s` : ''}`
}

function parseMinIdle(text: string | undefined): number {
  if (text === undefined) return 60_000
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.minIdleMustBe', { text }))
  return n * 1000
}

function rowJson(r: KeepaliveRow): Record<string, unknown> {
  const s = r.socket
  return {
    ...(s.netns !== undefined ? { netns: s.netns } : {}),
    local: s.local,
    remote: s.remote,
    cookie: s.cookie,
    inode: s.inode,
    process: s.process?.map((p) => ({ pid: p.pid, command: p.command, user: p.user })),
    keepalive: r.keepalive,
    timer: r.timer ?? null,
    idleMs: r.idleMs ?? null,
    unackedData: r.unackedData,
    detectMs: r.detectMs,
    basis: r.basis,
    assumedDefaults: r.assumedDefaults,
    neverNotices: r.neverNotices,
  }
}

export const keepaliveCommand: Command = {
  name: 'keepalive',
  summary: 'help.keepalive.summary',
  usage: 'keepalive [--min-idle SECONDS] [--never] [-p]',
  help: 'help.keepalive.examples',
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
    'min-idle': 'help.keepalive.opt.min-idle',
    never: 'help.keepalive.opt.never',
    process: 'help.keepalive.opt.process',
  },
  options: {
    'min-idle': { type: 'string' },
    never: { type: 'boolean' },
    process: { type: 'boolean', short: 'p' },
  },
  async run(ctx, args) {
    const minIdleMs = parseMinIdle(args.values['min-idle'] as string | undefined)
    const { gathered: g, audit } = keepaliveReport(baseGather(ctx), { minIdleMs })
    const notes = sourceNotes(ctx, g)
    if (ctx.netns !== undefined) notes.push(t(ctx.lang, 'keepalive.note.netns'))
    notes.push(t(ctx.lang, 'keepalive.note.perSocket'))
    const rows = args.values.never ? audit.rows.filter((r) => r.neverNotices) : audit.rows
    if (ctx.json) {
      ctx.out(JSON.stringify({ source: sourceOf(g), defaults: audit.defaults, minIdleMs, total: audit.rows.length, neverNotice: audit.neverNotice, sockets: rows.map(rowJson), notes }, null, 2))
      return 0
    }
    ctx.out(renderKeepalive(ctx, audit, rows, args.values.process === true))
    for (const n of notes) ctx.note(n)
    return 0
  },
}

function keepaliveText(ctx: CommandContext, r: KeepaliveRow): string {
  if (r.keepalive === 'on') return t(ctx.lang, 'keepalive.on', { next: formatDuration(r.timer?.expiresMs ?? 0) })
  if (r.keepalive === 'unknown') {
    const name = r.timer?.name
    return t(ctx.lang, 'keepalive.unknown', { timer: name === 'on' ? t(ctx.lang, 'keepalive.timer.on') : name === 'persist' ? t(ctx.lang, 'keepalive.timer.persist') : (name ?? '?') })
  }
  return t(ctx.lang, 'keepalive.off')
}

function renderKeepalive(ctx: CommandContext, audit: KeepaliveAudit, rows: KeepaliveRow[], showProcess: boolean): string {
  const d = audit.defaults
  const ns = ctx.netns !== undefined ? ` [${ctx.netns}]` : ''
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'keepalive.title', { netns: ns }))]
  lines.push(t(ctx.lang, 'keepalive.defaults', {
    time: d.keepaliveTimeS ?? '?', probes: d.keepaliveProbes ?? '?', intvl: d.keepaliveIntvlS ?? '?',
    total: d.keepaliveTotalMs !== undefined ? formatDuration(d.keepaliveTotalMs) : '?', retries2: d.retries2 ?? '?',
    retries2Time: d.retries2TimeoutMs !== undefined ? formatDuration(d.retries2TimeoutMs) : '?',
  }), '')
  if (rows.length === 0) lines.push(t(ctx.lang, 'keepalive.none'))
  else {
    const cols = [
      { header: t(ctx.lang, 'col.local'), align: 'right' as const },
      { header: t(ctx.lang, 'col.peer') },
      { header: t(ctx.lang, 'keepalive.col.keepalive') },
      { header: t(ctx.lang, 'keepalive.col.idle'), align: 'right' as const },
      { header: t(ctx.lang, 'keepalive.col.detect') },
      ...(showProcess ? [{ header: t(ctx.lang, 'col.process') }] : []),
    ]
    const body = rows.map((r) => {
      const s = r.socket
      const detect = r.detectMs === null
        ? paint(ctx.color, r.neverNotices ? 'red' : 'dim', t(ctx.lang, 'keepalive.never'))
        : `${formatDuration(r.detectMs)} (${t(ctx.lang, r.basis === 'retries2' ? 'keepalive.basis.retries2' : 'keepalive.basis.keepalive')})`
      return [formatEndpoint(s.local, s.family), formatEndpoint(s.remote, s.family), keepaliveText(ctx, r), r.idleMs === undefined ? '?' : formatDuration(r.idleMs), detect, ...(showProcess ? [formatUsers(s)] : [])]
    })
    lines.push(formatTable(cols, body))
  }
  const minIdle = audit.minIdleMs / 1000
  lines.push('')
  if (audit.neverNotice > 0) {
    lines.push(paint(ctx.color, 'bold', t(ctx.lang, 'keepalive.summary', { never: audit.neverNotice, total: audit.rows.length, minIdle })))
    lines.push(t(ctx.lang, 'keepalive.hint'))
  } else lines.push(t(ctx.lang, 'keepalive.summary.ok', { minIdle }))
  const unacked = audit.rows.filter((r) => r.unackedData).length
  if (unacked > 0) {
    const d = audit.defaults
    lines.push(t(ctx.lang, 'keepalive.unacked', { n: unacked, retries2: d.retries2 ?? '?', retries2Time: d.retries2TimeoutMs !== undefined ? formatDuration(d.retries2TimeoutMs) : '?' }))
  }
  return lines.join('\n') + '\n'
}
