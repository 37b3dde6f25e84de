/**
 * @module
 * Turns the global options of a socket-view command into gather options, and writes the source
 * notes (fallback, denied processes) the same way for every command.
 */
import type { CommandContext } from '../command.js'
import { t, textIn } from '../../i18n/index.js'
import type { Gathered, GatherOptions } from '../../sockets/gather.js'

export function baseGather(ctx: CommandContext): GatherOptions {
  return { netns: ctx.netns, from: ctx.from, procRoot: ctx.procRoot, source: ctx.source }
}

/** Notes for stderr (human mode) and for the JSON document. */
export function sourceNotes(ctx: CommandContext, g: Gathered): string[] {
  const notes: string[] = []
  for (const ns of g.namespaces) {
    if (ns.fallbackReason) notes.push(t(ctx.lang, 'note.fallback', { reason: textIn(ctx.lang, ns.fallbackDetail ?? ns.fallbackReason) }))
    if (ns.interrupted) notes.push(t(ctx.lang, 'note.interrupted'))
  }
  if (g.pidsDenied > 0) notes.push(t(ctx.lang, 'note.owners.denied', { n: g.pidsDenied }))
  return [...new Set(notes)]
}

/** The source name(s) of a gather, for the JSON "source" field. */
export function sourceOf(g: Gathered): string {
  const names = [...new Set(g.namespaces.map((n) => n.source))]
  return names.join('+') || 'none'
}
