/**
 * @module
 * `tcpdoctor trace HOST`: traceroute (one round) or mtr/pathping (`--rounds N`: per-hop loss,
 * last/avg/best/worst/stdev, jitter, and pathping's node/link split of loss), UDP, ICMP or TCP
 * probes, unprivileged where the kernel allows. A live table on a TTY while rounds run.
 * Exit: 0 the target answered, 1 it did not, 2 error.
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { trace, type TraceMethod, type TraceResult } from '../../probe/trace.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'
import { familyOption, numberOption, oneHost } from './ping.js'

const ms = (x: number | undefined): string => (x === undefined ? '' : x.toFixed(x < 10 ? 3 : 1))

function renderClassic(ctx: CommandContext, r: TraceResult): string {
  return r.hops
    .map((h) => {
      const ttl = String(h.ttl).padStart(2)
      if (!h.address) return `${ttl}  ${paint(ctx.color, 'dim', `*  ${t(ctx.lang, 'trace.silent')}`)}`
      const extra = h.addresses.length > 1 ? ` (+ ${h.addresses.slice(1).join(', ')})` : ''
      return `${ttl}  ${h.address}${extra}  ${ms(h.rtt?.last)} ms${h.mark ? ` ${h.mark}` : ''}`
    })
    .join('\n')
}

function renderReport(ctx: CommandContext, r: TraceResult): string {
  const L = (k: Parameters<typeof t>[1]): string => t(ctx.lang, k)
  const cols = [
    { header: L('trace.col.hop'), align: 'right' as const },
    { header: L('trace.col.host') },
    ...['loss', 'sent', 'last', 'avg', 'best', 'worst', 'stdev', 'jitter', 'nodeLoss', 'linkLoss'].map((k) => ({ header: L(`trace.col.${k}` as Parameters<typeof t>[1]), align: 'right' as const })),
  ]
  const rows = r.hops.map((h) => [
    String(h.ttl),
    (h.address ?? '???') + (h.addresses.length > 1 ? ` (+${h.addresses.length - 1})` : '') + (h.mark ? ` ${h.mark}` : ''),
    h.loss.toFixed(1),
    String(h.sent),
    ms(h.rtt?.last),
    ms(h.rtt?.avg),
    ms(h.rtt?.best),
    ms(h.rtt?.worst),
    ms(h.rtt?.stdev),
    ms(h.rtt?.jitter),
    h.nodeLoss.toFixed(1),
    h.linkLoss.toFixed(1),
  ])
  return formatTable(cols, rows)
}

function head(ctx: CommandContext, r: Pick<TraceResult, 'target' | 'address' | 'method' | 'socket'>, max: number): string {
  const socket = r.method === 'icmp' ? ` (${t(ctx.lang, r.socket === 'raw' ? 'ping.mode.raw' : 'ping.mode.icmp')})` : ''
  return t(ctx.lang, 'trace.head', { target: r.target, address: r.address, max, method: r.method.toUpperCase(), socket })
}

export const traceCommand: Command = {
  name: 'trace',
  aliases: ['traceroute', 'mtr'],
  summary: 'help.trace.summary',
  usage: 'trace HOST',
  help: 'help.trace.examples',
  globals: ['netns'],
  options: {
    icmp: { type: 'boolean', short: 'I' },
    tcp: { type: 'boolean', short: 'T' },
    udp: { type: 'boolean', short: 'U' },
    port: { type: 'string', short: 'p' },
    'first-ttl': { type: 'string', short: 'f' },
    'max-ttl': { type: 'string', short: 'm' },
    rounds: { type: 'string', short: 'c' },
    interval: { type: 'string', short: 'i' },
    timeout: { type: 'string', short: 'W' },
    '4': { type: 'boolean', short: '4' },
    '6': { type: 'boolean', short: '6' },
  },
  optionHelp: {
    icmp: 'help.trace.opt.icmp',
    tcp: 'help.trace.opt.tcp',
    udp: 'help.trace.opt.udp',
    port: 'help.trace.opt.port',
    'first-ttl': 'help.trace.opt.first-ttl',
    'max-ttl': 'help.trace.opt.max-ttl',
    rounds: 'help.trace.opt.rounds',
    interval: 'help.trace.opt.interval',
    timeout: 'help.trace.opt.timeout',
    '4': 'help.trace.opt.4',
    '6': 'help.trace.opt.6',
  },
  async run(ctx, args) {
    const v = args.values
    const host = oneHost(args.positionals, 'trace')
    const picked = (['icmp', 'tcp', 'udp'] as const).filter((m) => v[m])
    if (picked.length > 1) throw new TcpdoctorError('TD_USAGE', msg('err.cli.chooseOneOfI', { picked: picked.map((m) => `--${m}`).join(' and ') }))
    const method: TraceMethod = picked[0] ?? 'udp'
    const maxTtl = numberOption(v['max-ttl'], '-m', true) ?? 30
    const rounds = numberOption(v.rounds, '--rounds', true) ?? 1
    const live = !ctx.json && rounds > 1 && ctx.stdout.isTTY === true
    let lastDraw = 0
    const result = await trace(host, {
      method,
      port: numberOption(v.port, '-p', true),
      firstTtl: numberOption(v['first-ttl'], '-f', true),
      maxTtl,
      rounds,
      interval: numberOption(v.interval, '-i'),
      timeout: numberOption(v.timeout, '-W'),
      family: familyOption(v),
      netns: ctx.netns,
      signal: ctx.signal,
      onUpdate: live
        ? (snap) => {
            const now = performance.now()
            if (now - lastDraw < 200) return
            lastDraw = now
            ctx.stdout.write(`\x1b[H\x1b[2J${head(ctx, snap, maxTtl)}  [${snap.rounds}/${rounds}]\n${renderReport(ctx, snap)}\n`)
          }
        : undefined,
    })
    if (ctx.json) {
      ctx.out(JSON.stringify(result, null, 2))
    } else {
      if (live) ctx.stdout.write('\x1b[H\x1b[2J')
      const lines = [head(ctx, result, maxTtl), rounds > 1 ? renderReport(ctx, result) : renderClassic(ctx, result)]
      lines.push(result.reached ? t(ctx.lang, 'trace.reached', { address: result.address, ttl: result.hops[result.hops.length - 1]?.ttl ?? '?' }) : paint(ctx.color, 'yellow', t(ctx.lang, 'trace.notReached', { max: maxTtl })))
      if (rounds > 1) lines.push(paint(ctx.color, 'dim', t(ctx.lang, 'trace.legend')))
      if (result.pmtu) lines.push(t(ctx.lang, 'trace.pmtu', { mtu: result.pmtu }))
      if (result.interrupted) lines.unshift(t(ctx.lang, 'ping.interrupted'))
      ctx.out(lines.join('\n'))
    }
    return result.reached ? 0 : 1
  },
}
