/**
 * @module
 * `tcpdoctor ping HOST`: ICMP echo like iputils ping (ping socket, else raw), or `--tcp PORT`
 * connect-time ping classifying open / refused / filtered / unreachable. Ctrl-C prints the
 * statistics so far. Exit: 0 a reply (with --tcp: an open port), 1 none, 2 error.
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { ping, type PingProbe, type PingResult } from '../../probe/ping.js'
import { paint } from '../render/color.js'

/** A number option: undefined when absent, TD_INVALID_ARGUMENT when not a number. */
export function numberOption(v: unknown, flag: string, integer = false): number | undefined {
  if (v === undefined) return undefined
  const text = String(v)
  const x = Number(text)
  if (text.trim() === '' || !Number.isFinite(x) || (integer && !Number.isInteger(x)))
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg(integer ? 'err.cli.takesInteger' : 'err.cli.takesNumber', { flag, text: JSON.stringify(text) }))
  return x
}

export function familyOption(values: Record<string, unknown>): 4 | 6 | undefined {
  if (values['4'] && values['6']) throw new TcpdoctorError('TD_USAGE', msg('err.cli.familyExclusive'))
  return values['4'] ? 4 : values['6'] ? 6 : undefined
}

export function oneHost(positionals: string[], cmd: string): string {
  if (positionals.length !== 1) throw new TcpdoctorError('TD_USAGE', positionals.length ? msg('err.cli.takesOneHost', { cmd, n: positionals.length }) : msg('err.cli.needsHost', { cmd }), { hint: msg('hint.cli.tcpdoctorHelp', { cmd }) })
  return positionals[0]!
}

function probeLine(ctx: CommandContext, p: PingProbe, r: { address: string; size: number; port?: number; timeout: number }): string {
  const seq = p.seq + 1
  if (r.port !== undefined) {
    const key = `ping.tcp.${p.outcome as 'open' | 'refused' | 'filtered' | 'unreachable'}` as const
    return t(ctx.lang, key, { port: r.port, seq, rtt: p.rtt ?? '', timeout: r.timeout, detail: [p.from ? `from ${p.from}` : '', p.detail ?? ''].filter(Boolean).join(': ') })
  }
  if (p.outcome === 'reply') return t(ctx.lang, 'ping.reply', { bytes: r.size + 8, from: r.address, seq, ttl: p.ttl ?? '?', rtt: p.rtt! })
  if (p.outcome === 'timeout') return paint(ctx.color, 'yellow', t(ctx.lang, 'ping.timeout', { seq, timeout: r.timeout }))
  return paint(ctx.color, 'red', t(ctx.lang, 'ping.unreachable', { from: p.from ?? '?', seq, detail: p.detail ?? '' }))
}

export function renderPingStats(ctx: CommandContext, r: PingResult): string {
  const lines = [r.interrupted ? t(ctx.lang, 'ping.interrupted') : '', t(ctx.lang, 'ping.stats.head', { target: r.target })].filter(Boolean)
  lines.push(t(ctx.lang, 'ping.stats', { sent: r.sent, received: r.received, dups: r.duplicates ? t(ctx.lang, 'ping.stats.dups', { n: r.duplicates }) : '', loss: r.loss, time: r.elapsed }))
  if (r.rtt) lines.push(t(ctx.lang, 'ping.rtt', { ...r.rtt }))
  if (r.ttl !== null && r.hops !== null) lines.push(t(ctx.lang, 'ping.hops', { ttl: r.ttl, hops: r.hops, initial: r.initialTtl ?? '?' }))
  return lines.join('\n')
}

export const pingCommand: Command = {
  name: 'ping',
  summary: 'help.ping.summary',
  usage: 'ping HOST',
  help: 'help.ping.examples',
  globals: ['netns'],
  options: {
    count: { type: 'string', short: 'c' },
    interval: { type: 'string', short: 'i' },
    timeout: { type: 'string', short: 'W' },
    size: { type: 'string', short: 's' },
    ttl: { type: 'string', short: 't' },
    tcp: { type: 'string' },
    '4': { type: 'boolean', short: '4' },
    '6': { type: 'boolean', short: '6' },
  },
  optionHelp: {
    count: 'help.ping.opt.count',
    interval: 'help.ping.opt.interval',
    timeout: 'help.ping.opt.timeout',
    size: 'help.ping.opt.size',
    ttl: 'help.ping.opt.ttl',
    tcp: 'help.ping.opt.tcp',
    '4': 'help.ping.opt.4',
    '6': 'help.ping.opt.6',
  },
  async run(ctx, args) {
    const v = args.values
    const host = oneHost(args.positionals, 'ping')
    const count = numberOption(v.count, '-c', true) ?? (ctx.json ? 4 : Infinity)
    if (count < 1) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.cMustBeAt', { count }))
    const port = numberOption(v.tcp, '--tcp', true)
    const timeout = numberOption(v.timeout, '-W') ?? 2
    const size = numberOption(v.size, '-s', true) ?? 56
    let headed = false
    const result = await ping(host, {
      count,
      interval: numberOption(v.interval, '-i'),
      timeout,
      size,
      ttl: numberOption(v.ttl, '-t', true),
      tcp: port,
      family: familyOption(v),
      netns: ctx.netns,
      signal: ctx.signal,
      onProbe: ctx.json
        ? undefined
        : (p, target, mode) => {
            if (!headed) {
              headed = true
              ctx.out(mode === 'tcp'
                ? t(ctx.lang, 'ping.head.tcp', { target: target.host, address: target.address, port: port! })
                : t(ctx.lang, 'ping.head', { target: target.host, address: target.address, size, total: size + 8 + (target.family === 4 ? 20 : 40), mode: t(ctx.lang, mode === 'icmp' ? 'ping.mode.icmp' : 'ping.mode.raw') }))
            }
            ctx.out(probeLine(ctx, p, { address: target.address, size, port, timeout }))
          },
    })
    if (ctx.json) {
      ctx.out(JSON.stringify(result, null, 2))
    } else {
      ctx.out('\n' + renderPingStats(ctx, result))
    }
    const ok = port !== undefined ? result.probes.some((p) => p.outcome === 'open') : result.received > 0
    return ok ? 0 : 1
  },
}
