/**
 * @module
 * The shape of a CLI command: parse options, call a feature, hand data to a renderer, return
 * an exit code. Commands never call process.exit; main.ts does.
 */
import type { Writable } from 'node:stream'
import type { ParseArgsConfig, parseArgs } from 'node:util'
import type { Lang, MessageKey } from '../i18n/index.js'

export type OptionSpec = NonNullable<ParseArgsConfig['options']>

export interface GlobalOptions {
  json: boolean
  lang: Lang
  color: boolean
  verbose: boolean
  /** --netns NAME|PATH|all */
  netns?: string
  /** --from FILE: replay a snapshot instead of reading the kernel. */
  from?: string
  /** --proc-root DIR (default /proc) */
  procRoot: string
  /** --source auto|netlink|procfs */
  source: 'auto' | 'netlink' | 'procfs'
}

export interface CommandContext extends GlobalOptions {
  stdout: Writable & { isTTY?: boolean; columns?: number }
  stderr: Writable
  env: NodeJS.ProcessEnv
  /** Writes a line (or lines) to stdout. */
  out(text: string): void
  /** Writes a note to stderr (human mode only: with --json notes go into the document). */
  note(text: string): void
  /** Ends when the user presses Ctrl-C (for commands that hold: lab --keep, watch). */
  signal: AbortSignal
}

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>
  positionals: string[]
}

/** Global options a command may accept beyond the universal ones (--json, --lang, --no-color, -v, -h). */
export type GlobalName = 'netns' | 'from' | 'proc-root' | 'source'
export const SOURCE_GLOBALS: readonly GlobalName[] = ['netns', 'from', 'proc-root', 'source']

export interface Command {
  name: string
  aliases?: readonly string[]
  /** One line for the command list (a catalog key: help.<name>.summary). */
  summary: MessageKey
  /** Usage lines shown by --help, after "tcpdoctor <name>". */
  usage: string
  /** Extra help text (examples), a catalog key: help.<name>.examples. */
  help?: MessageKey
  /** Values of the {placeholders} in the help text (lists taken from the code, so they stay current). */
  helpVars?: Readonly<Record<string, string | number>>
  options: OptionSpec
  /**
   * What each option of `options` does, by option name: catalog keys (help.<name>.opt.<option>)
   * whose text is "VALUE  what it does" for string options; VALUE is the same in every language.
   */
  optionHelp?: Readonly<Record<string, MessageKey>>
  /**
   * The global options this command reads. Any other one given is TD_USAGE naming it: an option
   * is never silently ignored.
   */
  globals: readonly GlobalName[]
  /** Works in the namespace it runs in but cannot enter another: a refused --netns hints `ip netns exec`. */
  netnsByExec?: boolean
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>
}

/** The parsed values of a command's own options, typed from its option table. */
export type ValuesOf<O extends OptionSpec> = ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: true }>>['values']

/** A command whose run() sees its options typed (no casts): write commands with defineCommand. */
export interface TypedCommand<O extends OptionSpec> extends Omit<Command, 'run' | 'options'> {
  options: O
  run(ctx: CommandContext, args: { values: ValuesOf<O>; positionals: string[] }): Promise<number>
}

export function defineCommand<const O extends OptionSpec>(c: TypedCommand<O>): Command {
  return c as unknown as Command
}
