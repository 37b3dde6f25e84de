/**
 * @module
 * `tcpdoctor analyze FILE|-`: a pcap/pcapng capture read once; per TCP connection the outcome,
 * both endpoints' states, handshake RTT, bytes and Wireshark's analysis flags (counted as tshark
 * counts them). `--conn N` draws one connection as a sequence diagram with both sides' states.
 */
import { once } from 'node:events'
import { statSync } from 'node:fs'
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { analyzeCapture, connectionReport, type AnalyzeHead, type ConnectionReport } from '../../packets/analyze.js'
import { ReportJsonWriter } from '../../packets/report-json.js'
import { warningText } from '../../packets/reader.js'
import { Talkers } from '../../packets/totals.js'
import { ANOMALY_KINDS } from '../../packets/analysis.js'
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TH_URG, TH_ECE, TH_CWR } from '../../packets/decode.js'
import type { Connection, PacketLine } from '../../packets/connection.js'
import { formatCount, formatTable } from '../render/table.js'
import { paint } from '../render/color.js'

const PROGRESS_MIN_BYTES = 4 << 20

function flagText(f: number): string {
  const s: string[] = []
  if (f & TH_SYN) s.push('SYN')
  if (f & TH_FIN) s.push('FIN')
  if (f & TH_RST) s.push('RST')
  if (f & TH_PUSH) s.push('PSH')
  if (f & TH_URG) s.push('URG')
  if (f & TH_ECE) s.push('ECE')
  if (f & TH_CWR) s.push('CWR')
  if (f & TH_ACK) s.push('ACK')
  return s.join(',') || 'none'
}

function anomalyText(bits: number): string {
  const out: string[] = []
  ANOMALY_KINDS.forEach((k, i) => { if (bits & (1 << i)) out.push(k) })
  return out.join(' ')
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`
}

function anomaliesCell(a: ConnectionReport['anomalies']): string {
  return Object.entries(a).map(([k, n]) => `${k} ${n}`).join(', ')
}

/** What the summary prints: the totals, the top talkers and the first rows of the table. */
interface Summary { head: AnalyzeHead; count: number; talkers: [string, number][]; rows: ConnectionReport[] }

function renderSummary(ctx: CommandContext, file: string, s: Summary): string {
  const L = ctx.lang
  const r = s.head
  const lines: string[] = []
  lines.push(paint(ctx.color, 'bold', t(L, 'analyze.title', { file, packets: formatCount(r.packets), tcp: formatCount(r.tcpPackets), conns: formatCount(s.count), format: r.format })))
  for (const w of r.warnings.slice(0, 5)) lines.push(paint(ctx.color, 'yellow', t(L, 'analyze.warning', { at: w.at, detail: warningText(w, L) })))
  const sk = Object.entries(r.skipped).filter(([, n]) => n)
  if (sk.length) lines.push(paint(ctx.color, 'dim', t(L, 'analyze.skipped', { what: sk.map(([k, n]) => `${k} ${n}`).join(', ') })))
  lines.push('', paint(ctx.color, 'bold', t(L, 'analyze.outcomes')))
  lines.push(formatTable([{ header: '' }, { header: '', align: 'right' }], Object.entries(r.outcomes).sort((a, b) => b[1]! - a[1]!).map(([k, n]) => [t(L, `outcome.${k}` as never), formatCount(n!)]), { header: false }))
  lines.push('', paint(ctx.color, 'bold', t(L, 'analyze.anomalies')))
  const an = Object.entries(r.anomalies)
  lines.push(an.length ? formatTable([{ header: '' }, { header: '', align: 'right' }], an.map(([k, n]) => [k, formatCount(n!)]), { header: false }) : t(L, 'analyze.noAnomalies'))
  const top = s.talkers
  if (top.length) {
    lines.push('', paint(ctx.color, 'bold', t(L, 'analyze.talkers')))
    lines.push(formatTable([{ header: '' }, { header: '', align: 'right' }], top.map(([a, n]) => [a, formatCount(n)]), { header: false }))
  }
  if (s.count) {
    lines.push('', paint(ctx.color, 'bold', t(L, 'analyze.table')))
    const rows = s.rows.map((c) => [
      String(c.stream), endpoint(c.client), endpoint(c.server), t(L, `outcome.${c.outcome}` as never), `${c.states.client}/${c.states.server}`,
      String(c.packets), `${formatCount(c.bytes.client)} / ${formatCount(c.bytes.server)}`, c.rttMs === null ? '' : c.rttMs.toFixed(3), anomaliesCell(c.anomalies),
    ])
    const col = (k: string, align?: 'right'): { header: string; align?: 'right' } => (align ? { header: t(L, k as never), align } : { header: t(L, k as never) })
    lines.push(formatTable([col('analyze.col.n', 'right'), col('analyze.col.client'), col('analyze.col.server'), col('analyze.col.outcome'), col('analyze.col.states'), col('analyze.col.packets', 'right'), col('analyze.col.bytes', 'right'), col('analyze.col.rtt', 'right'), col('analyze.col.anomalies')], rows))
    if (s.count > s.rows.length) lines.push(paint(ctx.color, 'dim', t(L, 'analyze.more', { n: s.count - s.rows.length })))
  }
  return lines.join('\n') + '\n'
}

function renderConn(ctx: CommandContext, c: ConnectionReport): string {
  const L = ctx.lang
  const lines = [paint(ctx.color, 'bold', t(L, 'analyze.conn.title', { n: c.stream, client: endpoint(c.client), server: endpoint(c.server), outcome: t(L, `outcome.${c.outcome}` as never) }))]
  if (c.midstream) lines.push(t(L, 'analyze.midstream'))
  if (c.simultaneousOpen) lines.push(t(L, 'analyze.simopen'))
  lines.push('', t(L, 'analyze.conn.head'))
  let prevC = '', prevS = ''
  // relative sequence numbers, as tcpdump and Wireshark show them: from each side's first segment
  let baseC: number | undefined, baseS: number | undefined
  for (const p of c.lines ?? []) {
    if (p.fromClient) baseC ??= (p.flags & TH_SYN ? p.seq : p.seq - 1) >>> 0
    else baseS ??= (p.flags & TH_SYN ? p.seq : p.seq - 1) >>> 0
  }
  for (const p of c.lines ?? []) {
    const own = (p.fromClient ? baseC : baseS) ?? 0, peer = (p.fromClient ? baseS : baseC) ?? 0
    const rel = { ...p, seq: (p.seq - own) >>> 0, ack: p.flags & TH_ACK ? (p.ack - peer) >>> 0 : 0 }
    lines.push(seqLine(ctx, rel, prevC, prevS, (prevC = p.client, prevS = p.server)))
  }
  return lines.join('\n') + '\n'
}

function seqLine(ctx: CommandContext, p: PacketLine, prevC: string, prevS: string, _u: string): string {
  const seg = `${flagText(p.flags)} seq=${p.seq} ack=${p.ack} win=${p.window} len=${p.len}`
  const arrow = p.fromClient ? `${seg} ──>` : `<── ${seg}`
  const cs = p.client === prevC ? '' : p.client
  const ss = p.server === prevS ? '' : p.server
  const an = p.analysis ? '  ' + paint(ctx.color, 'yellow', `[${anomalyText(p.analysis)}]`) : ''
  return `${String(p.frame).padStart(5)} ${p.t.toFixed(6).padStart(10)}  ${cs.padEnd(12)}  ${arrow.padEnd(52)}  ${ss}${an}`
}

function progressBar(ctx: CommandContext, total: number): ((n: number) => void) | undefined {
  const err = ctx.stderr as typeof ctx.stderr & { isTTY?: boolean }
  if (!err.isTTY || ctx.json) return undefined
  return (n) => {
    const frac = Math.min(1, n / total)
    const w = 30
    const full = Math.round(frac * w)
    err.write(`\r[${'#'.repeat(full)}${'.'.repeat(w - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${(n / 1048576).toFixed(0)}/${(total / 1048576).toFixed(0)} MiB`)
  }
}

export const analyzeCommand = defineCommand({
  name: 'analyze',
  summary: 'help.analyze.summary',
  usage: 'analyze FILE|- [--conn N] [--all]',
  help: 'help.analyze.examples',
  globals: [],
  optionHelp: {
    conn: 'help.analyze.opt.conn',
    all: 'help.analyze.opt.all',
  },
  options: {
    conn: { type: 'string', short: 'c' },
    all: { type: 'boolean', short: 'a' },
  },
  async run(ctx, args) {
    const file = args.positionals[0]
    if (!file || args.positionals.length > 1) throw new TcpdoctorError('TD_USAGE', msg('err.cli.analyzeTakesOneCapture'))
    let conn: number | undefined
    if (args.values.conn !== undefined) {
      conn = Number(args.values.conn)
      if (!Number.isInteger(conn) || conn < 0) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.connMustBeA', { conn: args.values.conn }))
    }
    let onProgress: ((n: number) => void) | undefined
    if (file !== '-') {
      try {
        const size = statSync(file).size
        if (size > PROGRESS_MIN_BYTES) onProgress = progressBar(ctx, size)
      } catch { /* analyzePcap reports it */ }
    }
    const only = conn !== undefined ? { conn } : {}
    const progress = onProgress ? { onProgress } : {}
    const clearProgress = (): void => { if (onProgress) (ctx.stderr as NodeJS.WritableStream).write('\r' + ' '.repeat(60) + '\r') }
    if (ctx.json) {
      // SPEC 3a, written as connections finish: memory holds the open ones, not the file
      const out = ctx.stdout
      const writer = new ReportJsonWriter((text) => out.write(text), conn)
      // a pipe takes writes asynchronously: read on only when it has drained, or they pile up here
      const drain = (): Promise<unknown> | undefined => (out.writableNeedDrain ? once(out, 'drain') : undefined)
      const r = await analyzeCapture(file, { ...only, ...progress, drain, onConnection: (c) => writer.connection(c) })
      clearProgress()
      writer.end(r.head, r.count)
      return 0
    }
    // keep only what is printed: the table's rows (the first 50 unless --all), or connection N
    const limit = args.values.all === true ? Infinity : 50
    const rows: ConnectionReport[] = []
    const talkers = new Talkers()
    const keep = conn !== undefined
      ? (c: Connection): void => { if (c.stream === conn) rows[0] = connectionReport(c) }
      : (c: Connection): void => { talkers.add(c); if (c.stream < limit) rows[c.stream] = connectionReport(c) }
    const { head, count } = await analyzeCapture(file, { ...only, ...progress, onConnection: keep })
    clearProgress()
    if (conn !== undefined) {
      const c = rows[0]
      if (!c) throw new TcpdoctorError('TD_NOT_FOUND', msg('analyze.conn.noLines', { n: conn, count }))
      ctx.out(renderConn(ctx, c))
      return 0
    }
    ctx.out(renderSummary(ctx, file, { head, count, talkers: talkers.top(5), rows }))
    return 0
  },
})
