/**
 * @module
 * `tcpdoctor diagram`: the RFC 9293 state diagram in the terminal (box drawing, 100 columns)
 * or as SVG, with the article's client/server paths, a highlighted state, and this host's
 * live counts on each state. Replaces the article's figure.
 */
import { writeFileSync } from 'node:fs'
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError, fromSystemError } from '../../errors.js'
import { t, msg, textIn } from '../../i18n/index.js'
import { countedState, parseStates, type StateName } from '../../model/state.js'
import { countPerNamespace, countList } from '../../sockets/count.js'
import { gatherSockets } from '../../sockets/gather.js'
import { diagramModel, renderDiagram } from '../../knowledge/diagram.js'
import { renderSvg } from '../../knowledge/svg.js'
import { DIAGRAM_STATES, PATHS, STATE_LABELS, pathStates, type DiagramState, type PathName } from '../../knowledge/transitions.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'

interface Live {
  counts: Partial<Record<StateName, number>>
  source: string
  where: string
  notes: string[]
}

function parseHighlight(text: string): DiagramState {
  const states = parseStates(text).map(countedState)
  const hit = states.find((s): s is DiagramState => (DIAGRAM_STATES as readonly string[]).includes(s))
  if (!hit) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.highlightIsNotA', { text }), { hint: msg('hint.cli.states', { DIAGRAM_STATES: DIAGRAM_STATES.map((s) => STATE_LABELS[s].label).join(', ') }) })
  return hit
}

/** Counts per state from the kernel (every --netns target summed) or from a --from snapshot. */
function liveCounts(ctx: CommandContext): Live {
  const counts: Partial<Record<StateName, number>> = {}
  const add = (states: Partial<Record<StateName, number>>): void => {
    for (const [k, v] of Object.entries(states) as [StateName, number][]) counts[k] = (counts[k] ?? 0) + v
  }
  const notes: string[] = []
  if (ctx.from) {
    const g = gatherSockets({ from: ctx.from, netns: ctx.netns, procRoot: ctx.procRoot, source: ctx.source })
    for (const ns of g.namespaces) add(countList(ns.sockets).states)
    return { counts, source: 'snapshot', where: t(ctx.lang, 'diagram.live.snapshot', { file: ctx.from }), notes }
  }
  const sources = new Set<string>()
  const counted = countPerNamespace({ netns: ctx.netns, source: ctx.source, procRoot: ctx.procRoot })
  for (const c of counted) {
    sources.add(c.source)
    if (c.fallbackReason) notes.push(t(ctx.lang, 'note.fallback', { reason: textIn(ctx.lang, c.fallbackDetail ?? c.fallbackReason) }))
    add(c.states)
  }
  const where = ctx.netns ? t(ctx.lang, 'diagram.live.netns', { netns: counted.map((x) => x.netns).join(', ') }) : t(ctx.lang, 'diagram.live.host')
  return { counts, source: [...sources].join('+'), where, notes }
}

const STYLES = { highlight: 'yellow', path: 'cyan', count: 'bold', label: 'red' } as const

export const diagramCommand = defineCommand({
  name: 'diagram',
  summary: 'help.diagram.summary',
  usage: 'diagram [--path client|server] [--highlight STATE] [--live] [--svg FILE]',
  help: 'help.diagram.examples',
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
    svg: 'help.diagram.opt.svg',
    highlight: 'help.diagram.opt.highlight',
    path: 'help.diagram.opt.path',
    live: 'help.diagram.opt.live',
  },
  options: {
    svg: { type: 'string' },
    highlight: { type: 'string' },
    path: { type: 'string' },
    live: { type: 'boolean' },
  },
  async run(ctx, args) {
    if (args.positionals.length) throw new TcpdoctorError('TD_USAGE', msg('err.cli.diagramTakesNoArguments', { positionals: args.positionals.join(' ') }))
    const pathText = args.values.path
    if (pathText !== undefined && !(pathText in PATHS)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.pathMustBeClient', { pathText }))
    const path = pathText as PathName | undefined
    const hl = args.values.highlight
    const highlight = hl === undefined ? undefined : parseHighlight(hl)
    const live = args.values.live || ctx.from ? liveCounts(ctx) : undefined
    const model = diagramModel({ lang: ctx.lang, path, highlight, counts: live?.counts })
    const offDiagram = live ? Object.keys(live.counts).filter((s) => !(DIAGRAM_STATES as readonly string[]).includes(s)) : []
    const svgFile = args.values.svg
    if (svgFile) {
      try {
        writeFileSync(svgFile, renderSvg(model, t(ctx.lang, 'diagram.title')))
      } catch (err) {
        throw fromSystemError(err, msg('err.cli.writing', { svgFile }))
      }
    }
    if (ctx.json) {
      ctx.out(JSON.stringify({ ...model, ...(live ? { source: live.source } : {}), ...(svgFile ? { svg: svgFile } : {}), ...(live?.notes.length ? { notes: live.notes } : {}) }, null, 2))
      return 0
    }
    if (svgFile) {
      ctx.note(t(ctx.lang, 'diagram.svg.written', { file: svgFile }))
      return 0
    }
    const lines: string[] = [paint(ctx.color, 'bold', t(ctx.lang, 'diagram.title')), '']
    lines.push(renderDiagram(model, (name, text) => paint(ctx.color, STYLES[name as keyof typeof STYLES] ?? 'reset', text)))
    lines.push('')
    if (path) lines.push(t(ctx.lang, `diagram.path.${path}`) + (ctx.lang === 'zh' ? '\uff1a' : ':'), `  ${pathStates(path).map((s) => STATE_LABELS[s].label).join(' -> ')}`, '')
    const rows = model.edges.map((e) => [String(e.n), STATE_LABELS[e.from].label, STATE_LABELS[e.to].label, e.event, e.action])
    lines.push(paint(ctx.color, 'bold', t(ctx.lang, 'diagram.legend')))
    lines.push(formatTable([{ header: t(ctx.lang, 'diagram.col.n'), align: 'right' }, { header: t(ctx.lang, 'diagram.col.from') }, { header: t(ctx.lang, 'diagram.col.to') }, { header: t(ctx.lang, 'diagram.col.event') }, { header: t(ctx.lang, 'diagram.col.action') }], rows))
    lines.push('', t(ctx.lang, 'diagram.note.errors'))
    if (live) {
      lines.push(t(ctx.lang, 'diagram.live', { where: live.where, source: live.source }))
      if (offDiagram.length) lines.push(t(ctx.lang, 'diagram.live.other', { list: offDiagram.map((s) => `${s} ${live.counts[s as StateName]}`).join(', ') }))
    }
    ctx.out(lines.join('\n'))
    for (const n of new Set(live?.notes ?? [])) ctx.note(n)
    return 0
  },
})
