/**
 * @module
 * `tcpdoctor watch`: a live terminal view like top/mtr -- sockets per state with sparklines,
 * rates of opens, resets, retransmits and listen overflows, top ports and processes, listeners'
 * accept queues, current findings. Keys: q quit, space pause, s sort, / filter, Esc clear.
 */
import { defineCommand, type CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, type MessageKey, msg } from '../../i18n/index.js'
import { WatchSampler, parseWatchFilter, type WatchSample } from '../../monitor/watch-sampler.js'
import type { Socket } from '../../model/socket.js'
import type { StateName } from '../../model/state.js'
import type { StateGroup } from '../../sockets/group.js'
import { paint } from '../render/color.js'
import { gauge, openTui, sparkline, type Tui } from '../render/tui.js'
import stringWidth from 'string-width'

/** The states in the order the diagram walks them (LISTEN and CLOSE last). */
const ROWS: readonly StateName[] = ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'LISTEN', 'CLOSE']
const SORTS = ['total', 'established', 'time_wait', 'close_wait'] as const
type SortKey = (typeof SORTS)[number]
const SORT_STATE: Record<SortKey, StateName | undefined> = { total: undefined, established: 'ESTABLISHED', time_wait: 'TIME_WAIT', close_wait: 'CLOSE_WAIT' }
const HISTORY = 240

interface View {
  sample?: WatchSample
  history: Map<StateName, number[]>
  paused: boolean
  sort: SortKey
  filter?: { label: string; match: (s: Socket) => boolean }
  /** The filter being typed after "/", else undefined. */
  typing?: string
  error?: string
  interval: number
}

const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - stringWidth(s)))
const num = (n: number | undefined): string => (n === undefined ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1))

function sortGroups(groups: readonly StateGroup[], key: SortKey): StateGroup[] {
  const st = SORT_STATE[key]
  if (!st) return [...groups]
  return [...groups].sort((a, b) => (b.states[st] ?? 0) - (a.states[st] ?? 0) || b.total - a.total)
}

function groupLine(g: StateGroup): string {
  const s = g.states
  return `${pad(g.key, 22)} ${String(g.total).padStart(6)}  est ${s.ESTABLISHED ?? 0} tw ${s.TIME_WAIT ?? 0} cw ${s.CLOSE_WAIT ?? 0}`
}

/** The lines of one frame. Pure: the same view gives the same screen. */
export function renderWatch(ctx: Pick<CommandContext, 'lang' | 'color'>, v: View, size: { columns: number; rows: number }): string[] {
  const L = (k: MessageKey, vars?: Record<string, string | number>): string => t(ctx.lang, k, vars)
  const c = (style: Parameters<typeof paint>[1], s: string): string => paint(ctx.color, style, s)
  const s = v.sample
  const lines: string[] = []
  const time = s ? new Date(s.at).toISOString().slice(11, 19) : ''
  lines.push(c('bold', L('watch.title', { netns: s?.netns ?? '', interval: v.interval, time })) + (v.paused ? '  ' + c('inverse', ` ${L('watch.paused')} `) : '') + (s ? '  ' + L('watch.total', { n: s.total }) : ''))
  if (!s) {
    lines.push(L('watch.waiting'))
    return lines
  }
  const r = s.rates
  lines.push(L('watch.rates', { opens: num(r.opens), resets: c(r.resets ? 'yellow' : 'reset', num(r.resets)), retrans: c(r.retrans ? 'yellow' : 'reset', num(r.retrans)), overflows: c(r.overflows ? 'red' : 'reset', num(r.overflows)) }))
  if (v.filter) lines.push(c('cyan', L('watch.filter', { filter: v.filter.label })))
  if (v.error) lines.push(c('red', v.error))
  lines.push('')
  const sparkW = Math.max(10, Math.min(60, size.columns - 30))
  lines.push(c('dim', `${pad(L('watch.col.state'), 12)} ${L('watch.col.now').padStart(7)}  ${L('watch.col.trend')}`))
  for (const st of ROWS) {
    const n = s.states[st] ?? 0
    const h = v.history.get(st) ?? []
    const warn = (st === 'CLOSE_WAIT' || st === 'SYN_RECV' || st === 'FIN_WAIT1' || st === 'LAST_ACK') && n > 0
    lines.push(`${pad(st, 12)} ${c(warn ? 'yellow' : n > 0 ? 'bold' : 'dim', String(n).padStart(7))}  ${c('cyan', sparkline(h, sparkW))}`)
  }
  lines.push('')
  const half = Math.floor(size.columns / 2)
  const ports = sortGroups(s.ports, v.sort).slice(0, 6)
  const procs = sortGroups(s.processes, v.sort).slice(0, 6)
  lines.push(c('bold', pad(L('watch.ports', { sort: L(`watch.sort.${v.sort}` as MessageKey) }), half)) + c('bold', L('watch.processes')))
  for (let i = 0; i < Math.max(ports.length, procs.length); i++) {
    lines.push(pad(ports[i] ? groupLine(ports[i]!) : '', half) + (procs[i] ? groupLine(procs[i]!) : ''))
  }
  if (s.listeners.length) {
    lines.push('')
    lines.push(c('bold', L('watch.listeners')))
    for (const l of s.listeners.slice(0, 5)) {
      const full = l.backlog > 0 && l.queue >= l.backlog
      lines.push(`${pad(l.local, 26)} ${c(full ? 'red' : 'green', gauge(l.queue, l.backlog, 20))} ${String(l.queue).padStart(5)} / ${l.backlog}  ${l.process ?? ''}`)
    }
  }
  lines.push('')
  lines.push(c('bold', L('watch.findings')))
  if (s.findings.length === 0) lines.push(c('green', L('watch.noFindings')))
  for (const f of s.findings.slice(0, 5)) {
    const sev = f.severity === 'critical' ? 'red' : f.severity === 'warning' ? 'yellow' : 'cyan'
    lines.push(`${c(sev, f.severity.toUpperCase().padEnd(8))} ${f.code}  ${f.title}`)
  }
  for (const n of s.notes.slice(0, 2)) lines.push(c('dim', n))
  // The key line sits on the last row, whatever the screen height.
  const footer = v.typing !== undefined ? c('inverse', L('watch.filterPrompt', { text: v.typing })) : c('dim', L('watch.keys'))
  const body = lines.slice(0, Math.max(1, size.rows - 1))
  while (body.length < size.rows - 1) body.push('')
  body.push(footer)
  return body
}

export const watchCommand = defineCommand({
  name: 'watch',
  summary: 'help.watch.summary',
  usage: 'watch [--interval SECONDS]',
  help: 'help.watch.examples',
  globals: ['netns', 'proc-root', 'source'],
  options: {
    interval: { type: 'string', short: 'i' },
  },
  optionHelp: {
    interval: 'help.watch.opt.interval',
  },
  async run(ctx, args) {
    if (ctx.json) throw new TcpdoctorError('TD_USAGE', msg('err.cli.watchIsALive'), { hint: msg('hint.cli.forSamplesAsJson') })
    const text = args.values.interval
    const interval = text === undefined ? 1 : Number(text)
    if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeA2', { text }))
    const stdin = process.stdin
    if (!stdin.isTTY || ctx.stdout.isTTY !== true) throw new TcpdoctorError('TD_USAGE', msg('watch.noTty'))
    const sampler = new WatchSampler({ netns: ctx.netns, procRoot: ctx.procRoot, source: ctx.source, lang: ctx.lang })
    // Fails before the screen is taken: a bad --netns is an ordinary error message.
    const first = await sampler.sample()
    const view: View = { history: new Map(), paused: false, sort: 'total', interval }
    const record = (s: WatchSample): void => {
      view.sample = s
      for (const st of ROWS) {
        let h = view.history.get(st)
        if (!h) view.history.set(st, (h = []))
        h.push(s.states[st] ?? 0)
        if (h.length > HISTORY) h.shift()
      }
    }
    record(first)
    let quit = false
    let wake: (() => void) | undefined
    const nudge = (): void => {
      wake?.()
      wake = undefined
    }
    let tui: Tui | undefined
    const redraw = (): void => tui?.draw(renderWatch(ctx, view, tui.size()))
    const onKey = (k: string): void => {
      if (view.typing !== undefined) {
        if (k === '\r' || k === '\n') {
          try {
            view.filter = parseWatchFilter(view.typing)
            view.error = undefined
            view.history.clear()
          } catch (err) {
            view.error = err instanceof TcpdoctorError ? err.messageIn(ctx.lang) : (err as Error).message
          }
          view.typing = undefined
          nudge()
        } else if (k === '\x1b') view.typing = undefined
        else if (k === '\x7f' || k === '\b') view.typing = view.typing.slice(0, -1)
        else if (k === '\x03') quit = true
        else if (k.length === 1 && k >= ' ') view.typing += k
        redraw()
        if (quit) nudge()
        return
      }
      if (k === 'q' || k === 'Q' || k === '\x03') {
        quit = true
        nudge()
      } else if (k === ' ') {
        view.paused = !view.paused
        redraw()
        nudge()
      } else if (k === 's') {
        view.sort = SORTS[(SORTS.indexOf(view.sort) + 1) % SORTS.length]!
        redraw()
      } else if (k === '/') {
        view.typing = ''
        redraw()
      } else if (k === '\x1b') {
        view.filter = undefined
        view.error = undefined
        view.history.clear()
        nudge()
      }
    }
    const onAbort = (): void => {
      quit = true
      nudge()
    }
    ctx.signal.addEventListener('abort', onAbort)
    try {
      tui = openTui({ stdin, stdout: ctx.stdout as never, onKey, onResize: redraw })
      redraw()
      while (!quit) {
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, interval * 1000)
        })
        wake = undefined
        if (quit) break
        if (!view.paused) record(await sampler.sample(view.filter?.match))
        redraw()
      }
    } finally {
      ctx.signal.removeEventListener('abort', onAbort)
      tui?.close()
    }
    return 0
  },
})
