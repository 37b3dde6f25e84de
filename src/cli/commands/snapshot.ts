/**
 * @module
 * `tcpdoctor snapshot -o FILE`: save every socket (with owners, tcp_info, timers, memory) of the
 * chosen namespaces, so any socket-view command can replay it with --from FILE.
 */
import { defineCommand } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { gatherSocketsAsync } from '../../sockets/gather.js'
import { makeSnapshot, snapshotText, writeSnapshot } from '../../snapshot/file.js'
import { baseGather, sourceNotes } from './gather-args.js'
import { collectSnapshotExtras } from '../../doctor/collect.js'

export const snapshotCommand = defineCommand({
  name: 'snapshot',
  summary: 'help.snapshot.summary',
  usage: 'snapshot -o FILE [--interval S] [--netns NAME|all]',
  help: 'help.snapshot.examples',
  globals: ['netns', 'proc-root', 'source'],
  optionHelp: {
    output: 'help.snapshot.opt.output',
    interval: 'help.snapshot.opt.interval',
  },
  options: { output: { type: 'string', short: 'o' }, interval: { type: 'string' } },
  async run(ctx, args) {
    const file = args.values.output
    if (!file) throw new TcpdoctorError('TD_USAGE', msg('err.cli.snapshotNeedsOFile'))
    if (ctx.from) throw new TcpdoctorError('TD_USAGE', msg('err.cli.snapshotReadsTheKernel'))
    const g = await gatherSocketsAsync({ ...baseGather(ctx), info: true, mem: true, owners: true, cmdline: true })
    // Counters over --interval (default 1 s), sysctls and kernel log lines: what diagnose --from needs.
    const intervalText = args.values.interval
    const intervalS = intervalText === undefined ? 1 : Number(intervalText)
    if (!Number.isFinite(intervalS) || intervalS < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeSeconds3', { intervalText }))
    const extras = await collectSnapshotExtras({ netns: ctx.netns, procRoot: ctx.procRoot, intervalMs: intervalS * 1000, signal: ctx.signal, sockets: g.namespaces })
    const snap = makeSnapshot(
      g.namespaces.map((n) => ({ netns: n.netns, source: n.source, sockets: n.sockets })),
      { pidsDenied: g.pidsDenied },
      extras,
    )
    const count = g.namespaces.reduce((a, n) => a + n.sockets.length, 0)
    if (file === '-') {
      // The document itself is the output; notes still go to stderr.
      ctx.stdout.write(snapshotText(snap))
      for (const n of sourceNotes(ctx, g)) ctx.note(n)
      return 0
    }
    writeSnapshot(file, snap)
    if (ctx.json) ctx.out(JSON.stringify({ file, sockets: count, namespaces: g.namespaces.map((n) => n.netns) }))
    else ctx.out(t(ctx.lang, 'snapshot.saved', { file, sockets: count }))
    for (const n of sourceNotes(ctx, g)) ctx.note(n)
    return 0
  },
})
