/**
 * @module
 * Every CLI command, listed by hand: the whole list visible in one place. Commands load lazily
 * (dynamic import) so `tcpdoctor states` does not pay for the knowledge base, the lab or the
 * doctor at start-up. To add one: `{ name, aliases?, load: async () => (await import('./x.js')).xCommand }`.
 */
import type { Command } from '../command.js'

export interface CommandEntry {
  name: string
  aliases?: readonly string[]
  load(): Promise<Command>
}

export const commands: readonly CommandEntry[] = [
  { name: 'diagnose', load: async () => (await import('./diagnose.js')).diagnoseCommand },
  { name: 'states', load: async () => (await import('./states.js')).statesCommand },
  { name: 'sockets', aliases: ['ls'], load: async () => (await import('./sockets.js')).socketsCommand },
  { name: 'who', load: async () => (await import('./who.js')).whoCommand },
  { name: 'snapshot', load: async () => (await import('./snapshot.js')).snapshotCommand },
  { name: 'diff', load: async () => (await import('./diff.js')).diffCommand },
  { name: 'counters', load: async () => (await import('./counters.js')).countersCommand },
  { name: 'keepalive', load: async () => (await import('./keepalive.js')).keepaliveCommand },
  { name: 'lab', load: async () => (await import('./lab.js')).labCommand },
  { name: 'explain', load: async () => (await import('./explain.js')).explainCommand },
  { name: 'diagram', load: async () => (await import('./diagram.js')).diagramCommand },
  { name: 'tune', load: async () => (await import('./tune.js')).tuneCommand },
  { name: 'ping', load: async () => (await import('./ping.js')).pingCommand },
  { name: 'trace', aliases: ['traceroute', 'mtr'], load: async () => (await import('./trace.js')).traceCommand },
  { name: 'analyze', load: async () => (await import('./analyze.js')).analyzeCommand },
  { name: 'capture', load: async () => (await import('./capture.js')).captureCommand },
  { name: 'dns', load: async () => (await import('./dns.js')).dnsCommand },
  { name: 'watch', load: async () => (await import('./watch.js')).watchCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'history', load: async () => (await import('./history.js')).historyCommand },
]

/** What `tcpdoctor` with no command runs (diagnose, once it exists). */
export const defaultCommand = 'diagnose'
