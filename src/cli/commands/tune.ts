/**
 * @module
 * `tcpdoctor tune`: audit TCP sysctls against the running kernel and a profile, print the
 * sysctl.d fragment, and with --apply write /proc/sys (and --persist the sysctl.d file).
 * Replaces `vi /etc/sysctl.conf; sysctl -p`. Nothing changes without --apply.
 */
import type { Command, CommandContext } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { wrapText } from '../../knowledge/wrap.js'
import {
  PROFILE_NAMES, applySysctls, auditSysctls, canonicalKey, formatFragment, isRemoved, keySpec, persistPaths, revertPersist, writePersist,
  type Applied, type ProfileName, type TuneAudit, type TuneFinding,
} from '../../tune/index.js'
import { formatTable } from '../render/table.js'
import { paint } from '../render/color.js'
import { outputWidth } from './explain.js'

const DEFAULT_DIR = '/etc/sysctl.d'
const SEVERITY_STYLE = { critical: 'red', warning: 'yellow', info: 'cyan' } as const

function findingText(ctx: CommandContext, f: TuneFinding): string {
  const msg = t(ctx.lang, f.message, f.vars)
  return f.reason ? `${msg}${ctx.lang === 'zh' ? '' : ' '}${t(ctx.lang, f.reason, f.vars)}` : msg
}

function selectRecommendations(audit: TuneAudit, only: string | undefined): TuneAudit['recommendations'] {
  if (!only) return audit.recommendations
  const keys = only.split(',').map((k) => canonicalKey(k)).filter(Boolean)
  for (const key of keys) {
    const spec = keySpec(key)
    if (isRemoved(spec, audit.input.kernel))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.wasRemovedInLinux', { key, removedIn: spec!.removedIn }), { hint: msg('hint.cli.tcpdoctorExplain', { topic: spec!.topic }) })
    if (!audit.recommendations.some((r) => r.key === key))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.theProfileRecommendsNo', { profile: audit.input.profile, key }), { hint: msg('hint.cli.recommendedNow', { keys: audit.recommendations.map((r) => r.key).join(', ') || msg('hint.cli.nothing') }) })
  }
  return audit.recommendations.filter((r) => keys.includes(r.key))
}

function renderFindings(ctx: CommandContext, audit: TuneAudit, width: number): string[] {
  const lines: string[] = []
  if (audit.findings.length === 0) return [t(ctx.lang, 'tune.none', { profile: audit.input.profile })]
  for (const f of audit.findings) {
    const sev = paint(ctx.color, SEVERITY_STYLE[f.severity], `[${t(ctx.lang, `tune.sev.${f.severity}`)}]`)
    lines.push(`${sev} ${paint(ctx.color, 'bold', f.key)}${f.current !== undefined ? ` = ${f.current}` : ''}`)
    lines.push(wrapText(findingText(ctx, f), width - 4, '    '))
    lines.push(`    ${t(ctx.lang, 'tune.explain', { topic: f.topic })}`)
  }
  return lines
}

function appliedTable(ctx: CommandContext, applied: Applied[]): string[] {
  const rows = applied.filter((a) => !a.skipped).map((a) => [a.key, a.before ?? '-', a.after ?? '-'])
  const lines = [paint(ctx.color, 'bold', t(ctx.lang, 'tune.apply.title'))]
  if (rows.length) lines.push(formatTable([{ header: t(ctx.lang, 'tune.col.key') }, { header: t(ctx.lang, 'tune.col.before') }, { header: t(ctx.lang, 'tune.col.after') }], rows))
  else lines.push(t(ctx.lang, 'tune.apply.nothing'))
  for (const a of applied) if (a.skipped) lines.push(t(ctx.lang, a.skipped === 'global' ? 'tune.apply.skipped.global' : 'tune.apply.skipped.missing', { key: a.key }))
  return lines
}

export const tuneCommand: Command = {
  name: 'tune',
  summary: 'help.tune.summary',
  usage: 'tune [--profile default|server|client|loadgen] [--fragment] [--apply [--only KEY,...]] [--persist|--revert] [--sysctl-dir DIR]',
  help: 'help.tune.examples',
  globals: ['netns', 'from', 'proc-root'],
  optionHelp: {
    profile: 'help.tune.opt.profile',
    fragment: 'help.tune.opt.fragment',
    apply: 'help.tune.opt.apply',
    only: 'help.tune.opt.only',
    persist: 'help.tune.opt.persist',
    revert: 'help.tune.opt.revert',
    'sysctl-dir': 'help.tune.opt.sysctl-dir',
    width: 'help.tune.opt.width',
  },
  options: {
    profile: { type: 'string', short: 'p' },
    fragment: { type: 'boolean' },
    apply: { type: 'boolean' },
    only: { type: 'string' },
    persist: { type: 'boolean' },
    revert: { type: 'boolean' },
    'sysctl-dir': { type: 'string' },
    width: { type: 'string', short: 'w' },
  },
  async run(ctx, args) {
    if (args.positionals.length) throw new TcpdoctorError('TD_USAGE', msg('err.cli.tuneTakesNoArguments', { positionals: args.positionals.join(' ') }))
    const profile = (args.values.profile as string | undefined) ?? 'default'
    if (!PROFILE_NAMES.includes(profile as ProfileName)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.profileMustBeOne', { PROFILE_NAMES: PROFILE_NAMES.join(', '), profile }))
    const apply = args.values.apply === true
    const dir = (args.values['sysctl-dir'] as string | undefined) ?? DEFAULT_DIR
    const width = outputWidth(ctx, args.values.width as string | undefined)
    if (args.values.persist && args.values.revert) throw new TcpdoctorError('TD_USAGE', msg('err.cli.persistAndRevertCannot'))
    if (ctx.from !== undefined && (apply || args.values.persist || args.values.revert))
      throw new TcpdoctorError('TD_USAGE', msg('err.cli.fromAuditsASnapshot'), { hint: msg('hint.cli.tcpdoctorTuneFrom', { from: ctx.from }) })
    if (ctx.from !== undefined && ctx.netns !== undefined) throw new TcpdoctorError('TD_USAGE', msg('err.cli.fromAndNetnsCannot'))
    if (ctx.netns !== undefined && (args.values.persist || args.values.revert))
      throw new TcpdoctorError('TD_USAGE', msg('err.cli.persistAndRevertWrite', { DEFAULT_DIR, netns: ctx.netns }), { hint: msg('hint.cli.setANamespaceS') })
    const needRoot = apply && (ctx.procRoot === '/proc' || !args.values['sysctl-dir']) && process.getuid?.() !== 0
    if (needRoot && (ctx.procRoot === '/proc' || args.values.persist || args.values.revert))
      throw new TcpdoctorError('TD_PERMISSION', msg('err.cli.tuneApplyWritesProc'), { hint: msg('hint.cli.withoutApplyTuneOnly') })

    if (args.values.revert) {
      const { file } = persistPaths(dir)
      if (!apply) {
        if (ctx.json) ctx.out(JSON.stringify({ revert: { dryRun: true, file } }, null, 2))
        else ctx.out(t(ctx.lang, 'tune.revert.would', { file }))
        return 0
      }
      const r = revertPersist(dir)
      if (ctx.json) ctx.out(JSON.stringify({ revert: r }, null, 2))
      else {
        ctx.out(r.action === 'restored' ? t(ctx.lang, 'tune.revert.restored', { file: r.file, backup: r.backup }) : r.action === 'removed' ? t(ctx.lang, 'tune.revert.removed', { file: r.file }) : r.action === 'not-ours' ? t(ctx.lang, 'tune.revert.notOurs', { file: r.file }) : t(ctx.lang, 'tune.revert.nothing', { dir }))
        if (r.action === 'restored' || r.action === 'removed') ctx.note(t(ctx.lang, 'tune.revert.live'))
      }
      return 0
    }

    const audit = auditSysctls({ profile: profile as ProfileName, procRoot: ctx.procRoot, sysctlDir: args.values['sysctl-dir'] as string | undefined, netns: ctx.netns, from: ctx.from })
    const recs = selectRecommendations(audit, args.values.only as string | undefined)
    const fragment = formatFragment(audit, recs, ctx.lang)
    const applied = apply ? applySysctls(recs, { procRoot: ctx.procRoot, kernel: audit.input.kernel, childNetns: audit.input.childNetns, netns: audit.netns }) : undefined
    const persisted = apply && args.values.persist ? writePersist(dir, fragment) : undefined
    const { input } = audit

    if (ctx.json) {
      ctx.out(JSON.stringify({
        kernel: input.kernel.release,
        profile,
        childNetns: input.childNetns,
        ...(ctx.netns !== undefined ? { netns: audit.netns?.label ?? ctx.netns } : {}),
        ...(audit.from ? { from: audit.from } : {}),
        sysctls: Object.fromEntries([...input.values.values()].map((v) => [v.key, { value: v.value ?? null, from: v.from }])),
        findings: audit.findings.map((f) => ({ code: f.code, severity: f.severity, key: f.key, current: f.current, recommended: f.recommended, where: f.where, message: findingText(ctx, f), explain: f.topic })),
        recommendations: recs.map((r) => ({ key: r.key, current: r.current ?? null, value: r.value, reason: t(ctx.lang, r.reason, r.vars), explain: r.topic })),
        fragment,
        dryRun: !apply,
        ...(applied ? { applied } : {}),
        ...(persisted ? { persisted } : {}),
        ...(args.values.persist && !apply ? { persist: { dryRun: true, file: persistPaths(dir).file } } : {}),
      }, null, 2))
    } else {
      const lines: string[] = [paint(ctx.color, 'bold', t(ctx.lang, 'tune.title', { kernel: input.kernel.release, profile }))]
      if (audit.netns) lines.push(t(ctx.lang, 'tune.netns.target', { netns: audit.netns.label }))
      if (audit.from) lines.push(t(ctx.lang, 'tune.from', { file: audit.from }))
      if (input.childNetns && !audit.netns) lines.push(wrapText(t(ctx.lang, 'tune.netns.child'), width))
      lines.push('', ...renderFindings(ctx, audit, width), '')
      if (recs.length) {
        lines.push(paint(ctx.color, 'bold', t(ctx.lang, 'tune.recommend.title', { profile })))
        lines.push(formatTable([{ header: t(ctx.lang, 'tune.col.key') }, { header: t(ctx.lang, 'tune.col.current') }, { header: t(ctx.lang, 'tune.col.recommended') }], recs.map((r) => [r.key, r.current ?? '-', r.value])))
      } else lines.push(t(ctx.lang, 'tune.recommend.none', { profile }))
      if (args.values.fragment || (args.values.persist && !apply)) {
        lines.push('')
        if (args.values.persist && !apply) lines.push(t(ctx.lang, 'tune.persist.would', { file: persistPaths(dir).file }))
        lines.push(fragment.trimEnd())
      }
      if (applied) lines.push('', ...appliedTable(ctx, applied))
      if (persisted) {
        lines.push(t(ctx.lang, 'tune.persist.done', { file: persisted.file }))
        if (persisted.backup) lines.push(t(ctx.lang, 'tune.persist.backup', { file: persisted.backup }))
      }
      if (!apply) lines.push('', t(ctx.lang, 'tune.dry'))
      ctx.out(lines.join('\n'))
    }
    if (apply) return 0
    return audit.findings.some((f) => f.severity !== 'info') ? 1 : 0
  },
}
