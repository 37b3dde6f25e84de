/**
 * @module
 * `tcpdoctor states`: sockets per TCP state, optionally grouped by port, local endpoint, peer,
 * process or namespace. Replaces `netstat -nat | awk` and `ss -s`.
 */
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg, textIn } from '../../i18n/index.js'
import { countPerNamespace, countList } from '../../sockets/count.js'
import { gatherSocketsAsync } from '../../sockets/gather.js'
import { ssName, STATE_NAMES, type StateName } from '../../model/state.js'
import { groupStates, GROUP_KEYS, type GroupKey, type StateGroup } from '../../sockets/group.js'
import { formatBar, formatCount, formatTable } from '../render/table.js'
import { paint } from '../render/color.js'
import { baseGather, sourceNotes } from './gather-args.js'
import { filterFromArgs } from '../../query/filter-args.js'

interface StatesDoc {
  netns?: string
  source: string
  total: number
  states: Partial<Record<StateName, number>>
  groups?: StateGroup[]
  notes?: string[]
}

export const statesCommand = defineCommand({
  name: 'states',
  summary: 'help.states.summary',
  usage: 'states [--by port|local|remote|process|netns] [--top N] [FILTER]',
  help: 'help.states.examples',
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
    by: 'help.states.opt.by',
    top: 'help.states.opt.top',
  },
  options: {
    by: { type: 'string', short: 'b' },
    top: { type: 'string', short: 'n' },
  },
  async run(ctx, args) {
    const by = args.values.by
    if (by !== undefined && !GROUP_KEYS.includes(by as GroupKey)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.byMustBeOne', { GROUP_KEYS: GROUP_KEYS.join(', '), by }))
    const topText = args.values.top
    const top = topText === undefined ? undefined : Number(topText)
    if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.topMustBeA', { topText }))
    const filter = filterFromArgs(args.positionals)
    const docs: StatesDoc[] = []
    const notes: string[] = []
    if (by === 'netns') {
      // One table, a row per namespace (counted the fast way unless replaying a snapshot).
      const per = ctx.from
        ? (await gatherSocketsAsync({ ...baseGather(ctx), states: filter.states, bytecode: filter.bytecode, match: filter.match })).namespaces.map((ns) => ({ netns: ns.netns, source: ns.source as string, ...countList(ns.sockets) }))
        : countPerNamespace({ netns: ctx.netns, source: ctx.source, procRoot: ctx.procRoot, states: filter.states, bytecode: filter.bytecode, match: filter.match }).map((c) => {
            if (c.fallbackReason) notes.push(t(ctx.lang, 'note.fallback', { reason: textIn(ctx.lang, c.fallbackDetail ?? c.fallbackReason) }))
            if (c.interrupted) notes.push(t(ctx.lang, 'note.interrupted'))
            return c
          })
      const states: Partial<Record<StateName, number>> = {}
      for (const c of per) for (const [k, v] of Object.entries(c.states) as [StateName, number][]) states[k] = (states[k] ?? 0) + v
      const groups = per.map((c) => ({ key: c.netns || '-', total: c.total, states: c.states })).sort((a, b) => b.total - a.total || a.key.localeCompare(b.key))
      docs.push({ netns: ctx.netns ?? '', source: [...new Set(per.map((c) => c.source))].join('+') || 'none', total: per.reduce((a, c) => a + c.total, 0), states, groups })
    } else if (!by && !ctx.from) {
      // The fast path: one byte per socket, no objects.
      for (const c of countPerNamespace({ netns: ctx.netns, source: ctx.source, procRoot: ctx.procRoot, states: filter.states, bytecode: filter.bytecode, match: filter.match })) {
        if (c.fallbackReason) notes.push(t(ctx.lang, 'note.fallback', { reason: textIn(ctx.lang, c.fallbackDetail ?? c.fallbackReason) }))
        if (c.interrupted) notes.push(t(ctx.lang, 'note.interrupted'))
        docs.push({ netns: c.netns, source: c.source, total: c.total, states: c.states })
      }
    } else {
      const g = await gatherSocketsAsync({ ...baseGather(ctx), states: filter.states, bytecode: filter.bytecode, match: filter.match, owners: by === 'process' })
      notes.push(...sourceNotes(ctx, g))
      for (const ns of g.namespaces) {
        const c = countList(ns.sockets)
        const doc: StatesDoc = { netns: ns.netns, source: ns.source, total: c.total, states: c.states }
        if (by) doc.groups = groupStates(ns.sockets, by as GroupKey)
        docs.push(doc)
      }
    }
    const unique = [...new Set(notes)]
    if (ctx.json) {
      const shaped = docs.map((d) => ({ ...d, groups: d.groups && top ? d.groups.slice(0, top) : d.groups, notes: unique.length ? unique : undefined }))
      if (ctx.netns === 'all' && by !== 'netns') ctx.out(JSON.stringify(shaped, null, 2))
      else {
        const { netns: _ns, ...one } = shaped[0]!
        ctx.out(JSON.stringify(one, null, 2))
      }
    } else {
      for (const d of docs) ctx.out(renderStates(ctx, d, top ?? (by === 'netns' ? Infinity : 10), docs.length > 1))
      for (const n of unique) ctx.note(n)
    }
    return 0
  },
})

function stateOrder(states: Partial<Record<StateName, number>>): StateName[] {
  return STATE_NAMES.filter((s) => (states[s] ?? 0) > 0)
}

function renderStates(ctx: CommandContext, d: StatesDoc, top: number, showNetns: boolean): string {
  const head = `${paint(ctx.color, 'bold', t(ctx.lang, 'states.title'))}${showNetns ? ` [${d.netns}]` : ''}  (${t(ctx.lang, 'note.source', { source: d.source })})`
  const present = stateOrder(d.states)
  const max = Math.max(0, ...present.map((s) => d.states[s] ?? 0))
  const rows = present.map((s) => [ssName(s), formatCount(d.states[s] ?? 0), formatBar(d.states[s] ?? 0, max)])
  rows.push([t(ctx.lang, 'states.total'), formatCount(d.total), ''])
  const lines = [head, formatTable([{ header: t(ctx.lang, 'states.state') }, { header: t(ctx.lang, 'states.count'), align: 'right' }, { header: '' }], rows)]
  if (d.groups) {
    const shown = d.groups.slice(0, top)
    const cols = STATE_NAMES.filter((s) => shown.some((g) => (g.states[s] ?? 0) > 0))
    lines.push('')
    lines.push(
      formatTable(
        [{ header: t(ctx.lang, 'states.key') }, { header: t(ctx.lang, 'states.total'), align: 'right' }, ...cols.map((s) => ({ header: ssName(s), align: 'right' as const }))],
        shown.map((g) => [g.key, formatCount(g.total), ...cols.map((s) => (g.states[s] ? formatCount(g.states[s]!) : '.'))]),
      ),
    )
    if (d.groups.length > shown.length) lines.push(t(ctx.lang, 'states.more', { n: d.groups.length - shown.length }))
  }
  return lines.join('\n') + '\n'
}
