/**
 * @module
 * `tcpdoctor counters`: TCP/IP MIB counters as deltas and rates over an interval, the ones that
 * matter explained (nstat, netstat -s, sar -n TCP,ETCP). `--absolute` prints values like nstat -a.
 */
import { pause } from '../../pause.js'
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, type Lang, type MessageKey, msg } from '../../i18n/index.js'
import { counterTargets, diffCounters, type CounterSample } from '../../counters/counters.js'
import { GAUGES, KEY_COUNTERS, globMatcher } from '../../counters/catalog.js'
import type { TcpSockstat } from '../../kernel/procfs/sockstat.js'
import { formatCount, formatTable } from '../render/table.js'
import { paint } from '../render/color.js'

export interface CounterRow {
  name: string
  value: number
  /** null with --absolute */
  delta: number | null
  /** per second; null with --absolute and for gauges */
  rate: number | null
  explain: string | null
}

interface CountersDoc {
  netns?: string
  /** seconds between the samples; null with --absolute */
  interval: number | null
  counters: CounterRow[]
  sockstat: TcpSockstat
}

/** The explanation of a counter in lang, or null when the catalog has none. */
export function explainCounter(lang: Lang, name: string): string | null {
  const key = `counter.${name}` as MessageKey
  const text = t(lang, key)
  return text === key ? null : text
}

function parseInterval(text: string | undefined): number {
  if (text === undefined) return 1
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeA', { text }))
  return n
}

/** Which names to show, in order: patterns (file order), --all (file order), else the key list. */
function selectNames(sample: CounterSample, patterns: string[], all: boolean): string[] {
  const names = Object.keys(sample.counters)
  if (patterns.length) return names.filter(globMatcher(patterns))
  if (all) return names
  return KEY_COUNTERS.filter((n) => n in sample.counters)
}

function rowsOf(lang: Lang, first: CounterSample | undefined, second: CounterSample, names: string[]): CounterRow[] {
  if (!first) return names.map((name) => ({ name, value: second.counters[name]!, delta: null, rate: null, explain: explainCounter(lang, name) }))
  const byName = new Map(diffCounters(first, second).map((d) => [d.name, d]))
  return names.flatMap((name) => {
    const d = byName.get(name)
    return d ? [{ name, value: d.value, delta: d.delta, rate: d.rate === null ? null : Math.round(d.rate * 100) / 100, explain: explainCounter(lang, name) }] : []
  })
}

export const countersCommand: Command = {
  name: 'counters',
  summary: 'help.counters.summary',
  usage: 'counters [--interval SECONDS] [--all] [--absolute] [PATTERN ...]',
  help: 'help.counters.examples',
  globals: ['netns', 'proc-root'],
  optionHelp: {
    interval: 'help.counters.opt.interval',
    all: 'help.counters.opt.all',
    absolute: 'help.counters.opt.absolute',
  },
  options: {
    interval: { type: 'string', short: 'i' },
    all: { type: 'boolean' },
    absolute: { type: 'boolean', short: 'a' },
  },
  async run(ctx, args) {
    if (ctx.from) throw new TcpdoctorError('TD_UNSUPPORTED', msg('err.cli.countersCannotBeReplayed'))
    const absolute = args.values.absolute === true
    const interval = parseInterval(args.values.interval as string | undefined)
    const patterns = args.positionals
    const targets = counterTargets(ctx.netns, ctx.procRoot)
    let firsts: CounterSample[] | undefined
    if (!absolute) {
      firsts = targets.map((x) => x.read())
      await pause(interval * 1000, ctx.signal) // Ctrl-C: show what changed so far
    }
    const docs: CountersDoc[] = targets.map((x, i) => {
      const second = x.read()
      const first = firsts?.[i]
      const names = selectNames(second, patterns, args.values.all === true)
      const doc: CountersDoc = {
        interval: first ? Math.round(second.monoMs - first.monoMs) / 1000 : null,
        counters: rowsOf(ctx.lang, first, second, names),
        sockstat: second.sockstat,
      }
      if (x.label !== undefined) doc.netns = x.label
      return doc
    })
    if (ctx.json) {
      ctx.out(JSON.stringify(ctx.netns === 'all' ? docs : docs[0], null, 2))
      return 0
    }
    const focused = patterns.length > 0 || args.values.all === true
    for (const d of docs) ctx.out(renderCounters(ctx, d, focused, ctx.netns !== undefined))
    return 0
  },
}

function formatRate(rate: number | null): string {
  if (rate === null) return ''
  return rate >= 100 ? formatCount(Math.round(rate)) : rate.toFixed(1)
}

function renderCounters(ctx: CommandContext, d: CountersDoc, showAll: boolean, labelled: boolean): string {
  const ns = labelled && d.netns ? ` [${d.netns}]` : ''
  const head = paint(ctx.color, 'bold', d.interval === null ? t(ctx.lang, 'counters.title.absolute', { netns: ns }) : t(ctx.lang, 'counters.title', { interval: d.interval, netns: ns }))
  // Without --all or patterns, keep the screen short: the Tcp basics always, the rest when they moved.
  const moved = (r: CounterRow): boolean => (r.delta === null ? r.value !== 0 : r.delta !== 0 && !GAUGES.has(r.name))
  const shown = showAll ? d.counters : d.counters.filter((r) => /^Tcp(?!Ext)[A-Z]/.test(r.name) || moved(r))
  const lines = [head]
  if (shown.length === 0) lines.push(t(ctx.lang, 'counters.none'))
  else {
    const absolute = d.interval === null
    const cols = [
      { header: t(ctx.lang, 'counters.col.name') },
      { header: t(ctx.lang, 'counters.col.value'), align: 'right' as const },
      ...(absolute ? [] : [{ header: t(ctx.lang, 'counters.col.delta'), align: 'right' as const }, { header: t(ctx.lang, 'counters.col.rate'), align: 'right' as const }]),
      { header: t(ctx.lang, 'counters.col.meaning') },
    ]
    const rows = shown.map((r) => {
      const hot = r.delta !== null && r.delta !== 0 && !GAUGES.has(r.name)
      const name = hot ? paint(ctx.color, 'bold', r.name) : r.name
      return [name, formatCount(r.value), ...(absolute ? [] : [r.delta === null ? '' : formatCount(r.delta), formatRate(r.rate)]), r.explain ?? '']
    })
    lines.push(formatTable(cols, rows))
  }
  const hidden = d.counters.length - shown.length
  if (hidden > 0) lines.push(paint(ctx.color, 'dim', t(ctx.lang, 'counters.hidden', { n: hidden })))
  const s = d.sockstat
  lines.push('', t(ctx.lang, 'counters.sockstat', { inuse: s.inuse, inuse6: s.inuse6, tw: s.tw, orphan: s.orphan, alloc: s.alloc, mem: s.memPages }))
  return lines.join('\n') + '\n'
}
