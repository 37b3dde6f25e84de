/**
 * @module
 * `tcpdoctor dns NAME`: what applications get (getaddrinfo, /etc/hosts included) against what
 * each nameserver answers, with timings, the CNAME chain and plain explanations.
 * Exit: 0 everything agrees and the name resolves, 1 trouble (a failure or a disagreement), 2 error.
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, type MessageKey, msg } from '../../i18n/index.js'
import { resolve, type DnsFinding, type DnsReport, type DnsType } from '../../probe/dns.js'
import { paint } from '../render/color.js'
import { familyOption, numberOption } from './ping.js'

export function explainFinding(ctx: Pick<CommandContext, 'lang'>, f: DnsFinding): string {
  const key: MessageKey =
    f.code === 'HOSTS_OVERRIDE' ? 'dns.explain.hosts' : f.code === 'APP_DIFFERS' ? 'dns.explain.appDiffers' : f.code === 'SERVERS_DISAGREE' ? 'dns.explain.disagree'
      : (`dns.explain.${f.code === 'FORMERR' || f.code === 'OTHER' ? 'SERVFAIL' : f.code}` as MessageKey)
  const text = t(ctx.lang, key, f.vars)
  return f.server ? `${f.server}: ${text}` : text
}

function render(ctx: CommandContext, r: DnsReport): string {
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'dns.app')), `  ${r.app.addresses.length ? r.app.addresses.join(' ') : t(ctx.lang, 'dns.app.none', { code: r.app.error ?? '' })}  (${r.app.ms} ms)`]
  for (const h of r.hosts) lines.push(`  ${t(ctx.lang, 'dns.hosts', { file: h.file, line: h.line, address: h.address })}`)
  for (const server of [...new Set(r.servers.map((s) => s.server))]) {
    lines.push('', paint(ctx.color, 'bold', t(ctx.lang, 'dns.server', { server })))
    for (const a of r.servers.filter((s) => s.server === server)) {
      if (a.status === 'TIMEOUT') lines.push(`  ${a.type} ${paint(ctx.color, 'red', t(ctx.lang, 'dns.timeout', { ms: r.findings.find((f) => f.server === server)?.vars.ms ?? '' }))}`)
      else lines.push(`  ${t(ctx.lang, 'dns.answer', { type: a.type, answers: a.addresses.join(' ') || '-', ms: a.ms ?? '?', rcode: a.rcode ?? a.status })}${a.tcp ? ' (TCP)' : ''}`)
      if (a.cname.length) lines.push(`    ${t(ctx.lang, 'dns.cname', { chain: [r.name, ...a.cname].join(' -> ') })}`)
    }
  }
  lines.push('')
  const shown = r.findings.filter((f) => f.code !== 'NODATA' || !r.app.addresses.length)
  if (!shown.length) lines.push(paint(ctx.color, 'green', t(ctx.lang, 'dns.ok', { answers: r.app.addresses.join(' ') })))
  for (const f of shown) lines.push(paint(ctx.color, f.code === 'NODATA' ? 'dim' : 'yellow', `! ${explainFinding(ctx, f)}`))
  return lines.join('\n')
}

export const dnsCommand: Command = {
  name: 'dns',
  summary: 'help.dns.summary',
  usage: 'dns NAME',
  help: 'help.dns.examples',
  globals: [],
  // getaddrinfo reads /etc through the mount namespace, which only `ip netns exec` sets up (/etc/netns/NAME).
  netnsByExec: true,
  options: {
    server: { type: 'string', multiple: true, short: 's' },
    'resolv-conf': { type: 'string' },
    hosts: { type: 'string' },
    timeout: { type: 'string', short: 'W' },
    '4': { type: 'boolean', short: '4' },
    '6': { type: 'boolean', short: '6' },
  },
  optionHelp: {
    server: 'help.dns.opt.server',
    'resolv-conf': 'help.dns.opt.resolv-conf',
    hosts: 'help.dns.opt.hosts',
    timeout: 'help.dns.opt.timeout',
    '4': 'help.dns.opt.4',
    '6': 'help.dns.opt.6',
  },
  async run(ctx, args) {
    if (args.positionals.length !== 1) throw new TcpdoctorError('TD_USAGE', args.positionals.length ? msg('err.cli.takesOneName', { n: args.positionals.length }) : msg('err.cli.needsName'), { hint: msg('hint.cli.tcpdoctorDnsHelp') })
    const fam = familyOption(args.values)
    const types: DnsType[] = fam === 4 ? ['A'] : fam === 6 ? ['AAAA'] : ['A', 'AAAA']
    const timeout = numberOption(args.values.timeout, '-W')
    const report = await resolve(args.positionals[0]!, {
      servers: args.values.server as string[] | undefined,
      resolvConf: args.values['resolv-conf'] as string | undefined,
      hostsFile: args.values.hosts as string | undefined,
      types,
      timeout: timeout === undefined ? undefined : timeout * 1000,
      signal: ctx.signal,
    })
    if (ctx.json) ctx.out(JSON.stringify({ ...report, explanations: report.findings.map((f) => explainFinding(ctx, f)) }, null, 2))
    else ctx.out(render(ctx, report))
    return report.ok ? 0 : 1
  },
}
