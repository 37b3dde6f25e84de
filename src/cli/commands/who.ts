/**
 * @module
 * `tcpdoctor who PORT|:PORT|ADDR:PORT|ADDR`: which processes hold a port, with their sockets per
 * state, including fd-less ones. Replaces `lsof -i:PORT` and `ss -tanp 'sport = :PORT'`.
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { ssName, STATE_NAMES, type StateName } from '../../model/state.js'
import { gatherSockets } from '../../sockets/gather.js'
import { parseWhoTarget, whoFilterWords, whoReport, type WhoHidden, type WhoProcess, type WhoReport } from '../../who/who.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'
import { baseGather, sourceNotes, sourceOf } from './gather-args.js'
import { filterFromArgs } from '../../query/filter-args.js'

export const whoCommand: Command = {
  name: 'who',
  summary: 'help.who.summary',
  usage: 'who PORT|:PORT|ADDR:PORT|ADDR',
  help: 'help.who.examples',
  globals: ['netns', 'from', 'proc-root', 'source'],
  optionHelp: {
  },
  options: {},
  async run(ctx, args) {
    if (args.positionals.length !== 1) throw new TcpdoctorError('TD_USAGE', msg('err.cli.whoTakesOneTarget'), { hint: msg('hint.cli.tcpdoctorWho8080') })
    const target = parseWhoTarget(args.positionals[0]!)
    const filter = filterFromArgs(whoFilterWords(target))
    // The listener of the port is needed to attribute fd-less sockets even when the target names an address.
    const g = gatherSockets({ ...baseGather(ctx), bytecode: filter.bytecode, match: filter.match, owners: true, cmdline: true })
    const sockets = g.namespaces.flatMap((ns) => ns.sockets)
    const report = whoReport(target, sockets, { pidsDenied: g.pidsDenied })
    const notes = sourceNotes(ctx, g)
    if (ctx.json) {
      ctx.out(JSON.stringify({ source: sourceOf(g), ...report, ...(ctx.verbose ? { sockets } : {}), ...(notes.length ? { notes } : {}) }, null, 2))
    } else {
      ctx.out(renderWho(ctx, report))
      for (const n of notes) ctx.note(n)
    }
    return report.localSockets + report.remoteSockets > 0 ? 0 : 1
  },
}

function statesText(states: Partial<Record<StateName, number>>): string {
  return STATE_NAMES.filter((s) => states[s]).map((s) => `${ssName(s)} ${states[s]}`).join(', ')
}

function processRows(list: WhoProcess[], inferredLabel: string): string[][] {
  return list.map((p) => {
    const inferred = statesText(p.inferredStates)
    return [String(p.pid), p.user, p.command, [statesText(p.states), inferred ? `${inferred} (${inferredLabel})` : ''].filter(Boolean).join('; '), p.cmdline ?? '']
  })
}

/** The rows without a process: owners not visible (per uid), then fd-less sockets. */
function ownerlessRows(ctx: CommandContext, hidden: WhoHidden[], unowned: Partial<Record<StateName, number>>): string[][] {
  const rows = hidden.map((h) => ['-', h.user, '-', statesText(h.states), t(ctx.lang, 'who.hidden', { uid: h.uid })])
  const text = statesText(unowned)
  if (text) rows.push(['-', '-', '-', text, t(ctx.lang, 'who.fdless')])
  return rows
}

function renderWho(ctx: CommandContext, r: WhoReport): string {
  if (r.localSockets + r.remoteSockets === 0) return t(ctx.lang, 'who.none', { target: r.target })
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'who.title', { target: r.target }))]
  const cols = [{ header: t(ctx.lang, 'who.pid'), align: 'right' as const }, { header: t(ctx.lang, 'who.user') }, { header: t(ctx.lang, 'who.process') }, { header: t(ctx.lang, 'who.sockets') }, { header: t(ctx.lang, 'who.cmdline') }]
  const rows = [...processRows(r.processes, t(ctx.lang, 'who.inferred')), ...ownerlessRows(ctx, r.hidden, r.unowned)]
  if (rows.length) lines.push(formatTable(cols, rows))
  const clientRows = [...processRows(r.clients, t(ctx.lang, 'who.inferred')), ...ownerlessRows(ctx, r.clientsHidden, r.clientsUnowned)]
  if (clientRows.length) {
    lines.push('', t(ctx.lang, 'who.clients', { target: r.target }))
    lines.push(formatTable(cols, clientRows))
  }
  return lines.join('\n')
}
