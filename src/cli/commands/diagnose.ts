/**
 * @module
 * `tcpdoctor diagnose` (and `tcpdoctor` alone): sockets, owners, counters over --interval,
 * sysctls and kernel log in; ranked findings with evidence and fixes out. Exit 0 healthy, 1 any
 * warning or critical finding, 2 error (main.ts).
 */
import { attachHandshakes, captureHandshakes } from '../../capture/handshakes.js'
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { ssName, type StateName, STATE_NAMES } from '../../model/state.js'
import { defaultConfig, loadConfig } from '../../doctor/config.js'
import { diagnose, hasTrouble, type DiagnoseReport } from '../../doctor/diagnose.js'
import type { Finding, Severity } from '../../doctor/rule.js'
import { formatCount } from '../render/table.js'
import { paint } from '../render/color.js'

/** Findings shown without --verbose: enough for one screen. */
const SHOWN = 5
const DETAILS_SHOWN = 3

function parseInterval(text: string | undefined): number {
  if (text === undefined) return 1
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 3600) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeSeconds', { text }))
  return n
}

const STYLE: Record<Severity, 'red' | 'yellow' | 'cyan'> = { critical: 'red', warning: 'yellow', info: 'cyan' }

function stateLine(states: Partial<Record<StateName, number>>): string {
  const parts = STATE_NAMES.filter((s) => (states[s] ?? 0) > 0).map((s) => `${ssName(s)} ${formatCount(states[s]!)}`)
  return parts.join('  ') || '0'
}

function renderFinding(ctx: CommandContext, f: Finding, labelled: boolean): string[] {
  const sev = paint(ctx.color, STYLE[f.severity], f.severity.toUpperCase().padEnd(8))
  const where = labelled ? paint(ctx.color, 'dim', `  [${t(ctx.lang, 'doctor.cli.netns', { netns: f.netns })}]`) : ''
  const lines = [`${sev} ${paint(ctx.color, 'bold', f.code)}  ${f.title}${where}`, `         ${f.summary}`]
  const details = ctx.verbose ? f.details : f.details.slice(0, DETAILS_SHOWN)
  for (const d of details) lines.push(`         - ${d}`)
  const fixes = ctx.verbose ? f.fixes : f.fixes.slice(0, 1)
  for (const x of fixes) lines.push(`         ${paint(ctx.color, 'green', t(ctx.lang, 'doctor.cli.fix'))}: ${x}`)
  lines.push(paint(ctx.color, 'dim', `         ${t(ctx.lang, 'doctor.cli.explain', { topic: f.explain })}`))
  return lines
}

function renderReport(ctx: CommandContext, r: DiagnoseReport): string {
  const labelled = ctx.netns !== undefined
  const out: string[] = []
  const single = r.namespaces.length === 1 && labelled ? ` [${r.namespaces[0]!.netns}]` : ''
  out.push(paint(ctx.color, 'bold', t(ctx.lang, 'doctor.cli.title', { netns: single, samples: r.samples, interval: r.intervalS, kernel: r.kernel })))
  for (const ns of r.namespaces) out.push(t(ctx.lang, 'doctor.cli.states', { netns: r.namespaces.length > 1 ? ` [${ns.netns}]` : '', states: `${formatCount(ns.total)} = ${stateLine(ns.states)}` }))
  out.push('')
  const serious = r.findings.filter((f) => f.severity !== 'info')
  const info = r.findings.filter((f) => f.severity === 'info')
  const shown = ctx.verbose ? r.findings : serious.slice(0, SHOWN)
  for (const f of shown) out.push(...renderFinding(ctx, f, labelled && r.namespaces.length > 1), '')
  if (!ctx.verbose && serious.length > SHOWN) out.push(t(ctx.lang, 'doctor.cli.more', { n: serious.length - SHOWN }))
  if (serious.length === 0) out.push(paint(ctx.color, 'green', t(ctx.lang, 'doctor.cli.healthy', { checked: r.checked.length })))
  if (!ctx.verbose && info.length) out.push(paint(ctx.color, 'dim', t(ctx.lang, 'doctor.cli.infoOnly', { n: info.length })))
  if (ctx.verbose && r.notes.length) out.push('', `${t(ctx.lang, 'doctor.cli.notes')}:`, ...r.notes.map((n) => `  ${n}`))
  return out.join('\n')
}

export const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: 'help.diagnose.summary',
  usage: 'diagnose [--interval SECONDS] [--capture SECONDS] [--config FILE] [--verbose] [--json] [--netns NAME|all] [--from FILE]',
  help: 'help.diagnose.examples',
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
    interval: 'help.diagnose.opt.interval',
    config: 'help.diagnose.opt.config',
    capture: 'help.diagnose.opt.capture',
  },
  options: {
    interval: { type: 'string', short: 'i' },
    config: { type: 'string', short: 'c' },
    capture: { type: 'string' },
  },
  async run(ctx, args) {
    if (args.positionals.length) throw new TcpdoctorError('TD_USAGE', msg('err.cli.diagnoseTakesNoArguments', { positionals: args.positionals.join(' ') }), { hint: msg('hint.cli.seeTcpdoctorDiagnoseHelp') })
    const interval = parseInterval(args.values.interval as string | undefined)
    const file = args.values.config as string | undefined
    const config = file ? loadConfig(file, ctx.lang) : defaultConfig(ctx.lang)
    // --capture: packets beside the counters, over the same window (docs/commands/capture.md)
    const captureS = args.values.capture === undefined ? undefined : parseInterval(args.values.capture as string)
    if (captureS !== undefined && (ctx.netns === 'all' || ctx.from)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.captureListensInOne'))
    const handshakes = captureS ? captureHandshakes({ seconds: captureS, netns: ctx.netns, signal: ctx.signal }) : undefined
    const report = await diagnose({
      netns: ctx.netns,
      from: ctx.from,
      procRoot: ctx.procRoot,
      source: ctx.source,
      intervalMs: Math.round(interval * 1000),
      signal: ctx.signal,
      lang: ctx.lang,
      config,
    })
    if (handshakes) attachHandshakes(report, await handshakes, ctx.lang)
    if (ctx.json) ctx.out(JSON.stringify(report, null, 2))
    else {
      ctx.out(renderReport(ctx, report))
      if (!ctx.verbose) for (const n of report.notes) ctx.note(n)
    }
    return hasTrouble(report) ? 1 : 0
  },
}
