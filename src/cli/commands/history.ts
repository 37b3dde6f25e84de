/**
 * @module
 * `tcpdoctor history`: the local history store like `sar -f`: state counts and counter rates over
 * a time range, as a table, --json or --csv.
 */
import { existsSync } from 'node:fs'
import { defineCommand } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { HistoryStore } from '../../monitor/history/store.js'
import { defaultDbPath } from '../../monitor/defaults.js'
import type { HistoryPoint } from '../../monitor/sample.js'
import { formatTable } from '../render/table.js'

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3600_000, d: 86400_000, w: 7 * 86400_000 }

/** "90s", "15m", "1h", "7d" (a bare number is seconds) -> ms; TD_USAGE otherwise. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|min|h|d|w)?$/.exec(text.trim())
  if (!m) throw new TcpdoctorError('TD_USAGE', msg('err.cli.notADurationLike', { text }))
  return Number(m[1]) * UNITS[m[2] ?? 's']!
}

/** ISO 8601, ms since the epoch, "now", or "-15m" (relative to now). */
export function parseTime(text: string, now = Date.now()): number {
  const s = text.trim()
  if (s === 'now') return now
  if (s.startsWith('-')) return now - parseDuration(s.slice(1))
  if (/^\d{12,}$/.test(s)) return Number(s)
  const ms = Date.parse(s)
  if (Number.isNaN(ms)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.notATimeIso', { text }))
  return ms
}

const COLS = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'LISTEN'] as const
const RATES = [['TcpActiveOpens', 'actopen/s'], ['TcpPassiveOpens', 'pasopen/s'], ['TcpEstabResets', 'estres/s'], ['TcpRetransSegs', 'retrans/s'], ['TcpExtListenOverflows', 'lstovf/s']] as const
const round = (n: number | undefined): number => Math.round((n ?? 0) * 100) / 100

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'help.history.summary',
  usage: 'history [--last DURATION | --from TIME [--to TIME]] [--step SECONDS] [--db PATH] [--csv]',
  help: 'help.history.examples',
  globals: [],
  options: {
    db: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    last: { type: 'string' },
    step: { type: 'string' },
    csv: { type: 'boolean' },
  },
  optionHelp: {
    db: 'help.history.opt.db',
    from: 'help.history.opt.from',
    to: 'help.history.opt.to',
    last: 'help.history.opt.last',
    step: 'help.history.opt.step',
    csv: 'help.history.opt.csv',
  },
  async run(ctx, { values: v }) {
    if (v.last !== undefined && v.from !== undefined) throw new TcpdoctorError('TD_USAGE', msg('err.cli.lastAndFromExclude'))
    if (v.csv && ctx.json) throw new TcpdoctorError('TD_USAGE', msg('err.cli.csvAndJsonExclude'))
    const now = Date.now()
    const to = v.to !== undefined ? parseTime(v.to, now) : now
    const from = v.from !== undefined ? parseTime(v.from, now) : to - parseDuration(v.last ?? '10m')
    if (from > to) throw new TcpdoctorError('TD_USAGE', msg('err.cli.fromIsAfterTo'))
    const step = v.step === undefined ? 0 : Number(v.step)
    if (!Number.isFinite(step) || step < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.stepMustBeSeconds', { step: v.step }))
    const db = v.db ?? defaultDbPath(ctx.env)
    if (!existsSync(db)) throw new TcpdoctorError('TD_NOT_FOUND', msg('err.cli.noHistoryDatabaseAt', { db }), { hint: msg('hint.cli.tcpdoctorServeRecordsOne') })
    const store = new HistoryStore(db, { readonly: true })
    let rows: HistoryPoint[]
    try {
      rows = store.query(from, to, step)
    } finally {
      store.close()
    }
    if (ctx.json) {
      ctx.out(JSON.stringify({ db, from, to, step, samples: rows }))
      return 0
    }
    const header = ['time', 'total', ...COLS.map((c) => c.toLowerCase()), ...RATES.map((r) => r[1])]
    const line = (p: HistoryPoint): (string | number)[] => [new Date(p.at).toISOString(), round(p.total), ...COLS.map((c) => round(p.states[c])), ...RATES.map(([k]) => round(p.rates[k]))]
    if (v.csv) {
      ctx.out([header.join(','), ...rows.map((p) => line(p).join(','))].join('\n'))
      return 0
    }
    if (rows.length === 0) {
      ctx.out(t(ctx.lang, 'monitor.history.empty', { from: new Date(from).toISOString(), to: new Date(to).toISOString(), db }))
      return 0
    }
    ctx.out(t(ctx.lang, 'monitor.history.head', { db, from: new Date(from).toISOString(), to: new Date(to).toISOString(), step: step || rows[0]!.step }))
    ctx.out(formatTable(header.map((h, i) => ({ header: h, align: i === 0 ? 'left' as const : 'right' as const })), rows.map((p) => line(p).map(String))))
    return 0
  },
})
