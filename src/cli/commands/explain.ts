/**
 * @module
 * `tcpdoctor explain TOPIC`: what a state, flag, combination, sysctl, error or concept means on
 * modern Linux, in English or Chinese, with where the seed article is outdated. Replaces the
 * article itself.
 */
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { allTopics, findTopic } from '../../knowledge/lookup.js'
import { formatTopic, topicDoc } from '../../knowledge/format.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'

/** Output width: --width, else the terminal's columns, else COLUMNS, else 100. */
export function outputWidth(ctx: CommandContext, flag: string | undefined): number {
  if (flag !== undefined) {
    const n = Number(flag)
    if (!Number.isInteger(n) || n < 20) throw new TcpdoctorError('TD_USAGE', msg('err.cli.widthMustBeAn', { flag }))
    return n
  }
  if (ctx.stdout.isTTY && ctx.stdout.columns) return ctx.stdout.columns
  const env = Number(ctx.env.COLUMNS)
  return Number.isInteger(env) && env >= 20 ? env : 100
}

export const explainCommand = defineCommand({
  name: 'explain',
  summary: 'help.explain.summary',
  usage: 'explain TOPIC | explain --list',
  help: 'help.explain.examples',
  globals: [],
  optionHelp: {
    list: 'help.explain.opt.list',
    width: 'help.explain.opt.width',
  },
  options: {
    list: { type: 'boolean', short: 'l' },
    width: { type: 'string', short: 'w' },
  },
  async run(ctx, args) {
    const width = outputWidth(ctx, args.values.width)
    if (args.values.list) {
      const topics = allTopics()
      if (ctx.json) {
        ctx.out(JSON.stringify({ lang: ctx.lang, topics: topics.map((tp) => ({ id: tp.id, kind: tp.kind, title: tp[ctx.lang].title, summary: tp[ctx.lang].summary })) }, null, 2))
        return 0
      }
      const rows = topics.map((tp) => [tp.id, t(ctx.lang, `explain.kind.${tp.kind}`), tp[ctx.lang].title])
      ctx.out(paint(ctx.color, 'bold', t(ctx.lang, 'explain.list.title', { n: topics.length })))
      ctx.out(formatTable([{ header: t(ctx.lang, 'explain.col.id') }, { header: t(ctx.lang, 'explain.col.kind') }, { header: t(ctx.lang, 'explain.col.title') }], rows))
      return 0
    }
    const query = args.positionals.join(' ').trim()
    if (!query) throw new TcpdoctorError('TD_USAGE', msg('explain.usage'), { hint: msg('hint.cli.tcpdoctorExplainCloseWait') })
    const result = findTopic(query)
    if (!result.found) {
      const hint = result.suggestions.length ? msg('explain.didYouMean', { list: result.suggestions.join(', ') }) : msg('explain.noSuggestion')
      throw new TcpdoctorError('TD_NOT_FOUND', msg('explain.notFound', { query }), { hint })
    }
    if (ctx.json) ctx.out(JSON.stringify(topicDoc(result.found, ctx.lang), null, 2))
    else ctx.out(formatTopic(result.found, { lang: ctx.lang, width, bold: (s) => paint(ctx.color, 'bold', s) }))
    return 0
  },
})
