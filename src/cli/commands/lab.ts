/**
 * @module
 * `tcpdoctor lab SCENARIO`: reproduces a TCP state or trouble for real in private network
 * namespaces, prints what to look at, holds (--hold SECONDS, or --keep until Ctrl-C) and
 * removes everything it made.
 */
import { pause } from '../../pause.js'
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, type MessageKey, msg } from '../../i18n/index.js'
import { ssName, type StateName } from '../../model/state.js'
import { scenarios } from '../../lab/registry.js'
import { checkLabPrerequisites, cleanupStale, startScenario } from '../../lab/run.js'
import type { ScenarioInfo } from '../../lab/scenario.js'
import type { StateCounts } from '../../lab/kit.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'

const DEFAULT_HOLD_S = 5

function summary(ctx: CommandContext, name: string): string {
  return t(ctx.lang, `lab.s.${name}` as MessageKey)
}

function showCounts(c: StateCounts): string {
  return Object.entries(c).map(([s, n]) => `${ssName(s as StateName)} ${n}`).join(', ') || '-'
}

function renderList(ctx: CommandContext): string {
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'lab.list.title'))]
  for (const kind of ['state', 'trouble'] as const) {
    lines.push('', t(ctx.lang, kind === 'state' ? 'lab.list.states' : 'lab.list.troubles') + ':')
    const rows = scenarios.filter((s) => s.kind === kind).map((s) => [s.name, summary(ctx, s.name)])
    lines.push(formatTable([{ header: '' }, { header: '' }], rows, { header: false }).replace(/^/gm, '  '))
  }
  return lines.join('\n')
}

function renderReady(ctx: CommandContext, info: ScenarioInfo): string {
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'lab.ready', { scenario: info.scenario, summary: summary(ctx, info.scenario) })), '']
  const rows = info.namespaces.map((n) => {
    const e = info.expect.netns.find((x) => x.role === n.role)
    const o = info.observed.find((x) => x.role === n.role)
    return [n.role, n.name, showCounts(o?.states ?? {}), e ? showCounts(e.states) : '-', e?.findings.join(' ') || '-']
  })
  lines.push(
    formatTable(
      [{ header: t(ctx.lang, 'lab.namespaces') }, { header: '' }, { header: t(ctx.lang, 'lab.observed') }, { header: t(ctx.lang, 'lab.expect') }, { header: t(ctx.lang, 'lab.findingsColumn') }],
      rows,
    ),
  )
  lines.push('', `${t(ctx.lang, 'lab.processes')}: ${info.processes.map((p) => `${p.command} (pid ${p.pid}, ${p.role})`).join('; ')}`)
  if (info.expect.findings.length) lines.push(t(ctx.lang, 'lab.findings', { codes: info.expect.findings.join(', ') }))
  lines.push('', `${t(ctx.lang, 'lab.look')}:`, ...info.look.map((l) => `  ${l}`))
  return lines.join('\n') + '\n'
}

export const labCommand = defineCommand({
  name: 'lab',
  summary: 'help.lab.summary',
  usage: 'lab [SCENARIO] [--count N] [--hold SECONDS | --keep] [--list] [--cleanup]',
  help: 'help.lab.examples',
  globals: [],
  optionHelp: {
    count: 'help.lab.opt.count',
    hold: 'help.lab.opt.hold',
    keep: 'help.lab.opt.keep',
    list: 'help.lab.opt.list',
    cleanup: 'help.lab.opt.cleanup',
  },
  options: {
    count: { type: 'string', short: 'c' },
    hold: { type: 'string' },
    keep: { type: 'boolean', short: 'k' },
    list: { type: 'boolean', short: 'l' },
    cleanup: { type: 'boolean' },
  },
  async run(ctx, args) {
    const name = args.positionals[0]
    if (args.positionals.length > 1) throw new TcpdoctorError('TD_USAGE', msg('err.cli.labTakesOneScenario', { positionals: args.positionals.join(' ') }))
    if (args.values.cleanup) {
      checkLabPrerequisites()
      const gone = cleanupStale()
      if (ctx.json) ctx.out(JSON.stringify({ removed: gone }))
      else ctx.out(t(ctx.lang, 'lab.cleanup', { n: gone.length }))
      if (!name) return 0
    }
    if (!name || args.values.list) {
      if (ctx.json) ctx.out(JSON.stringify({ scenarios: scenarios.map((s) => ({ name: s.name, kind: s.kind, defaultCount: s.defaultCount, summary: t('en', `lab.s.${s.name}` as MessageKey) })) }, null, 2))
      else ctx.out(renderList(ctx))
      return 0
    }
    const countText = args.values.count
    const count = countText === undefined ? undefined : Number(countText)
    if (count !== undefined && !Number.isInteger(count)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.countMustBeAn', { countText }))
    const holdText = args.values.hold
    const holdS = holdText === undefined ? DEFAULT_HOLD_S : Number(holdText)
    if (!Number.isFinite(holdS) || holdS < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.holdMustBeA', { holdText }))
    const keep = args.values.keep === true
    ctx.note(t(ctx.lang, 'lab.starting', { scenario: name }))
    const lab = await startScenario(name, { count, signal: ctx.signal })
    try {
      if (ctx.json) ctx.out(JSON.stringify(lab.info, null, 2))
      else {
        ctx.out(renderReady(ctx, lab.info))
        ctx.note(keep ? t(ctx.lang, 'lab.keep') : t(ctx.lang, 'lab.hold', { seconds: holdS }))
      }
      await pause(keep ? Infinity : holdS * 1000, ctx.signal)
    } finally {
      await lab.stop()
    }
    ctx.note(t(ctx.lang, 'lab.stopped', { scenario: lab.info.scenario }))
    return 0
  },
})
