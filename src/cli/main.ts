/**
 * @module
 * argv -> command -> exit code. The only place that prints errors and sets the exit code.
 * Exit codes (docs/cli.md): 0 ok; 1 the command ran and found trouble (diagnose warning+,
 * who: nothing on the port); 2 any error (usage, bad input, kernel refused, no permission).
 */
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { TcpdoctorError } from '../errors.js'
import { detectLang, t, msg, type Lang, type Msg, type MessageKey } from '../i18n/index.js'
import type { Command, CommandContext, GlobalOptions, OptionSpec } from './command.js'
import { commands, defaultCommand } from './commands/index.js'
import { formatTable } from './render/table.js'

export const GLOBAL_OPTIONS: OptionSpec = {
  json: { type: 'boolean' },
  lang: { type: 'string' },
  'no-color': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  netns: { type: 'string', short: 'N' },
  from: { type: 'string' },
  'proc-root': { type: 'string' },
  source: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
}

/** The global options' help: flag and catalog key (help.global.opt.<name>). */
const GLOBAL_HELP: readonly (readonly [string, MessageKey])[] = [
  ['--json', 'help.global.opt.json'],
  ['--lang en|zh', 'help.global.opt.lang'],
  ['-N, --netns NAME|PATH|all', 'help.global.opt.netns'],
  ['--from FILE', 'help.global.opt.from'],
  ['--source auto|netlink|procfs', 'help.global.opt.source'],
  ['--proc-root DIR', 'help.global.opt.proc-root'],
  ['--no-color', 'help.global.opt.no-color'],
  ['-v, --verbose', 'help.global.opt.verbose'],
  ['-h, --help', 'help.global.opt.help'],
]

export interface Io {
  stdout: CommandContext['stdout']
  stderr: NodeJS.WritableStream & CommandContext['stderr']
  env: NodeJS.ProcessEnv
  signal?: AbortSignal
}

async function findCommand(name: string): Promise<Command | undefined> {
  const entry = commands.find((c) => c.name === name || c.aliases?.includes(name))
  return entry?.load()
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    return pkg.version
  } catch {
    return 'unknown' // running from an unusual layout; the version is only informative
  }
}

async function mainHelp(lang: Lang): Promise<string> {
  const loaded = await Promise.all(commands.map((c) => c.load()))
  const rows = loaded.map((c) => [c.name + (c.aliases?.length ? ` (${c.aliases.join(', ')})` : ''), t(lang, c.summary)])
  return [
    t(lang, 'help.main.title', { version: version() }),
    '',
    `${t(lang, 'help.usage')}: tcpdoctor [command] [options]   ${t(lang, 'help.main.default', { command: defaultCommand })}`,
    '',
    `${t(lang, 'help.commands')}:`,
    formatTable([{ header: '' }, { header: '' }], rows, { header: false }).replace(/^/gm, '  '),
    '',
    `${t(lang, 'help.global')}:`,
    formatTable([{ header: '' }, { header: '' }], globalRows(GLOBAL_HELP, lang), { header: false }).replace(/^/gm, '  '),
    '',
    t(lang, 'help.main.footer'),
  ].join('\n')
}

function globalRows(rows: readonly (readonly [string, MessageKey])[], lang: Lang): string[][] {
  return rows.map(([flag, key]) => [flag, t(lang, key)])
}

/** An option's help in lang ('' when it has none). */
function optionText(cmd: Command, name: string, lang: Lang): string {
  const key = cmd.optionHelp?.[name]
  return key ? t(lang, key) : ''
}

function commandHelp(cmd: Command, lang: Lang): string {
  const own = Object.entries(cmd.options).map(([name, o]) => {
    const h = optionText(cmd, name, lang)
    const m = /^([A-Z][A-Z0-9_|.,:-]*)\s{2}(.*)$/.exec(h)
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${m ? m[1] : 'VALUE'}` : ''}`
    return [flag, m ? m[2]! : h]
  })
  const globalNames: Record<string, string> = { netns: '--netns', from: '--from', 'proc-root': '--proc-root', source: '--source' }
  const globals = globalRows(GLOBAL_HELP.filter(([flag]) => {
    const g = Object.entries(globalNames).find(([, f]) => flag.includes(f))
    return !g || (cmd.globals as readonly string[]).includes(g[0])
  }), lang)
  const table = (rows: string[][]): string => formatTable([{ header: '' }, { header: '' }], rows, { header: false }).replace(/^/gm, '  ')
  return [`${t(lang, 'help.usage')}: tcpdoctor ${usageLine(cmd)}`, '', t(lang, cmd.summary), cmd.help ? `\n${t(lang, cmd.help, cmd.helpVars)}` : '',
    ...(own.length ? ['', `${t(lang, 'help.options')}:`, table(own)] : []), '', `${t(lang, 'help.global')}:`, table(globals)].join('\n')
}

/** Global options that take a value: their value is never mistaken for the command's name. */
const VALUE_GLOBALS = new Set(Object.entries(GLOBAL_OPTIONS).flatMap(([name, o]) => (o.type === 'string' ? [`--${name}`, ...(o.short ? [`-${o.short}`] : [])] : [])))
const UNIVERSAL = new Set(['json', 'lang', 'no-color', 'verbose', 'help'])

/**
 * Finds the command word: the first argument that is neither an option nor the value of a global
 * option, so `tcpdoctor --netns X states` and `tcpdoctor states --netns X` are the same.
 */
export function splitCommand(argv: readonly string[]): { index: number; word?: string } {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return { index: -1 }
    if (VALUE_GLOBALS.has(a)) { i++; continue }
    if (a.startsWith('-')) continue
    return { index: i, word: a }
  }
  return { index: -1 }
}

/** The usage line: every option the command takes, generated from its option table. */
export function usageLine(cmd: Command): string {
  const opts = Object.entries(cmd.options).map(([name, o]) => {
    const flag = o.short ? `-${o.short}|--${name}` : `--${name}`
    return o.type === 'string' ? `[${flag} ${valueName(cmd, name)}]` : `[${flag}]`
  })
  const globals = cmd.globals.map((g) => (g === 'netns' ? '[-N|--netns NAME|PATH|all]' : g === 'from' ? '[--from FILE]' : g === 'proc-root' ? '[--proc-root DIR]' : '[--source auto|netlink|procfs]'))
  return [cmd.name, ...opts, ...globals, '[--json]', cmd.usage.replace(new RegExp(`^${cmd.name}\\b\\s*`), '').replace(/\[-[^\]]*\]\s*/g, '').trim()].filter(Boolean).join(' ')
}

/** The VALUE word of a string option (the same in every language; read from the English help). */
function valueName(cmd: Command, name: string): string {
  const h = optionText(cmd, name, 'en')
  const m = h ? /^([A-Z][A-Z0-9_|.,:-]*)\s{2}/.exec(h) : null
  return m ? m[1]! : 'VALUE'
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let json = argv.includes('--json')
  // --lang as written, for the errors that come before the options parse (unknown command or option).
  const li = argv.findIndex((a) => a === '--lang' || a.startsWith('--lang='))
  let lang: Lang = detectLang(li < 0 ? undefined : argv[li]!.startsWith('--lang=') ? argv[li]!.slice(7) : argv[li + 1], io.env)
  try {
    if (argv[0] === '--version' || argv[0] === '-V') {
      io.stdout.write(`${version()}\n`)
      return 0
    }
    let { index, word } = splitCommand(argv)
    let rest = [...argv]
    // `tcpdoctor help [CMD]` is `tcpdoctor [CMD] --help`.
    if (word === 'help') {
      rest.splice(index, 1)
      rest.push('--help')
      ;({ index, word } = splitCommand(rest))
    }
    let cmd: Command | undefined
    if (word !== undefined) {
      cmd = await findCommand(word)
      if (!cmd) throw new TcpdoctorError('TD_USAGE', msg('err.cli.unknownCommand', { word }), { hint: msg('hint.cli.commands', { commands: commands.map((c) => c.name).join(', ') }) })
      rest.splice(index, 1)
    } else if (argv.includes('--help') || argv.includes('-h') || rest.includes('--help')) {
      const li = argv.indexOf('--lang')
      io.stdout.write((await mainHelp(detectLang(li >= 0 ? argv[li + 1] : undefined, io.env))) + '\n')
      return 0
    } else {
      cmd = await findCommand(defaultCommand)
      if (!cmd) throw new TcpdoctorError('TD_INTERNAL', msg('err.cli.defaultCommandMissing', { defaultCommand }))
    }
    let parsed
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...cmd.options }, allowPositionals: true, strict: true })
    } catch (err) {
      throw new TcpdoctorError('TD_USAGE', parseArgsMessage(err), { hint: msg('hint.cli.seeTcpdoctorHelp', { name: cmd.name }) })
    }
    for (const name of Object.keys(parsed.values)) {
      if (name in cmd.options || UNIVERSAL.has(name)) continue
      if (!(cmd.globals as readonly string[]).includes(name))
        throw new TcpdoctorError('TD_USAGE', msg('err.cli.doesNotTake', { command: cmd.name, option: name }), {
          // A command that cannot enter a namespace itself still runs in one: say how.
          hint: name === 'netns' && cmd.netnsByExec ? msg('hint.cli.runUnderIpNetnsExec', { name: cmd.name }) : msg('hint.cli.seeTcpdoctorHelp', { name: cmd.name }),
        })
    }
    const v = parsed.values as Record<string, string | boolean | undefined>
    json = v.json === true
    lang = detectLang(typeof v.lang === 'string' ? v.lang : undefined, io.env)
    if (typeof v.lang === 'string' && !['en', 'zh'].includes(v.lang)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.langMustBeEn', { lang: v.lang }))
    if (v.help) {
      io.stdout.write(commandHelp(cmd, lang) + '\n')
      return 0
    }
    const source = (v.source as string | undefined) ?? 'auto'
    if (!['auto', 'netlink', 'procfs'].includes(source)) throw new TcpdoctorError('TD_USAGE', msg('err.cli.sourceMustBeAuto', { source }))
    const color = !v['no-color'] && !io.env.NO_COLOR && io.env.TERM !== 'dumb' && (io.stdout.isTTY === true || !!io.env.FORCE_COLOR)
    const globals: GlobalOptions = {
      json,
      lang,
      color,
      verbose: v.verbose === true,
      netns: v.netns as string | undefined,
      from: v.from as string | undefined,
      procRoot: (v['proc-root'] as string | undefined) ?? '/proc',
      source: source as GlobalOptions['source'],
    }
    const ctx: CommandContext = {
      ...globals,
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
      out: (text) => void io.stdout.write(text.endsWith('\n') ? text : text + '\n'),
      note: (text) => {
        if (!json) io.stderr.write(`${text}\n`)
      },
      signal: io.signal ?? new AbortController().signal,
    }
    return await cmd.run(ctx, { values: parsed.values, positionals: parsed.positionals })
  } catch (err) {
    return reportError(err, io, json, lang)
  }
}

/** node:util parseArgs errors in our catalog (their text is Node's; the option name is kept). */
function parseArgsMessage(err: unknown): Msg {
  const text = err instanceof Error ? err.message : String(err)
  const unknown = /^Unknown option '([^']+)'/.exec(text)
  if (unknown) return msg('err.cli.unknownOption', { option: unknown[1] })
  const missing = /^Option '([^']+)' argument missing/.exec(text)
  if (missing) return msg('err.cli.optionValueMissing', { option: missing[1] })
  return msg('err.cli.badArguments', { detail: text })
}

function reportError(err: unknown, io: Io, json: boolean, lang: Lang): number {
  const e = err instanceof TcpdoctorError ? err : new TcpdoctorError('TD_INTERNAL', msg('err.common.internal', { detail: err instanceof Error ? err.message : String(err) }), { cause: err, hint: msg('hint.cli.thisIsABug') })
  if (json) {
    io.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } }) + '\n')
  } else {
    io.stderr.write(`${t(lang, 'error.prefix')} [${e.code}]: ${e.messageIn(lang)}\n`)
    const hint = e.hintIn(lang)
    if (hint) io.stderr.write(`  ${t(lang, 'error.hint')}: ${hint}\n`)
    if (e.code === 'TD_INTERNAL' && err instanceof Error && io.env.NODE_DEBUG?.includes('tcpdoctor')) io.stderr.write(`${err.stack}\n`)
  }
  return 2
}
