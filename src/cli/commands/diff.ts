/**
 * @module
 * `tcpdoctor diff OLD NEW`: what changed between two snapshots (states, ports, sockets).
 */
import { defineCommand } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { readSnapshot } from '../../snapshot/file.js'
import { diffSnapshots } from '../../snapshot/diff.js'
import { ssName } from '../../model/state.js'
import { formatTable } from '../render/table.js'

const signed = (n: number): string => (n > 0 ? `+${n}` : String(n))

export const diffCommand = defineCommand({
  name: 'diff',
  summary: 'help.diff.summary',
  usage: 'diff OLD.json NEW.json [--limit N]',
  help: 'help.diff.examples',
  globals: [],
  optionHelp: {
    limit: 'help.diff.opt.limit',
  },
  options: { limit: { type: 'string' } },
  async run(ctx, args) {
    if (args.positionals.length !== 2) throw new TcpdoctorError('TD_USAGE', msg('err.cli.diffTakesTwoSnapshot'), { hint: msg('hint.cli.tcpdoctorDiffBeforeJson') })
    const limitText = args.values.limit
    const limit = limitText === undefined ? 10 : Number(limitText)
    if (!Number.isInteger(limit) || limit < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.limitMustBeA', { limitText }))
    const d = diffSnapshots(readSnapshot(args.positionals[0]!), readSnapshot(args.positionals[1]!), limit)
    if (ctx.json) {
      ctx.out(JSON.stringify(d, null, 2))
      return 0
    }
    const lines = [
      t(ctx.lang, 'diff.summary', { from: d.from.takenAt, before: d.from.total, to: d.to.takenAt, after: d.to.total, appeared: d.appeared, gone: d.disappeared, changed: d.changedState }),
      '',
      formatTable([{ header: t(ctx.lang, 'states.state') }, { header: t(ctx.lang, 'diff.before'), align: 'right' }, { header: t(ctx.lang, 'diff.after'), align: 'right' }, { header: t(ctx.lang, 'diff.change'), align: 'right' }], d.states.map((s) => [ssName(s.state), String(s.before), String(s.after), signed(s.delta)])),
    ]
    if (d.ports.length) {
      lines.push('', formatTable([{ header: t(ctx.lang, 'diff.port') }, { header: t(ctx.lang, 'diff.before'), align: 'right' }, { header: t(ctx.lang, 'diff.after'), align: 'right' }, { header: t(ctx.lang, 'diff.change'), align: 'right' }], d.ports.slice(0, limit).map((p) => [p.key, String(p.before), String(p.after), signed(p.delta)])))
    }
    const ex = (title: string, list: typeof d.examples.appeared): void => {
      if (!list.length) return
      lines.push('', `${title}:`)
      for (const c of list) lines.push(`  ${c.from ? ssName(c.from) : ''}${c.from && c.to ? ' -> ' : ''}${c.to ? ssName(c.to) : ''}  ${c.local} ${c.remote}${c.process ? `  ${c.process}` : ''}${c.netns ? `  [${c.netns}]` : ''}`)
    }
    ex(t(ctx.lang, 'diff.changed'), d.examples.changed)
    ex(t(ctx.lang, 'diff.appeared'), d.examples.appeared)
    ex(t(ctx.lang, 'diff.gone'), d.examples.disappeared)
    ctx.out(lines.join('\n'))
    return 0
  },
})
