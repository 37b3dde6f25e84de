/**
 * @module
 * The shape of a CLI command: parse options, call a feature, hand data to a renderer, return
 * an exit code. Commands never call process.exit; main.ts does.
 */
import type { Writable } from 'node:stream'
import type { ParseArgsConfig } from 'node:util'
import type { Lang } from '../i18n/index.js'

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

export interface Command {
  name: string
  aliases?: readonly string[]
  /** One line for the command list. */
  summary: string
  /** Usage lines shown by --help, after "tcpdoctor <name>". */
  usage: string
  /** Extra help text (examples). */
  help?: string
  options: OptionSpec
  run(ctx: CommandContext, args: ParsedArgs): Promise<number>
}
