/**
 * @module
 * `tcpdoctor snapshot -o FILE`: save every socket (with owners, tcp_info, timers, memory) of the
 * chosen namespaces, so any socket-view command can replay it with --from FILE.
 */
import type { Command } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t } from '../../i18n/index.js'
import { gatherSocketsAsync } from '../../snapshot/take.js'
import { makeSnapshot, writeSnapshot } from '../../snapshot/file.js'
import { baseGather, sourceNotes } from './gather-args.js'

export const snapshotCommand: Command = {
  name: 'snapshot',
  summary: 'save all sockets with owners, tcp_info, timers and memory to a file (replay with --from)',
  usage: 'snapshot -o FILE [--netns NAME|all]',
  help: ['Examples:', '  tcpdoctor snapshot -o before.json', '  tcpdoctor states --by port --from before.json', '  tcpdoctor who 8080 --from before.json'].join('\n'),
  options: { output: { type: 'string', short: 'o' } },
  async run(ctx, args) {
    const file = args.values.output as string | undefined
    if (!file) throw new TcpdoctorError('TD_USAGE', 'snapshot needs -o FILE')
    if (ctx.from) throw new TcpdoctorError('TD_USAGE', 'snapshot reads the kernel; --from makes no sense here')
    const g = await gatherSocketsAsync({ ...baseGather(ctx), info: true, mem: true, owners: true, cmdline: true })
    const snap = makeSnapshot(
      g.namespaces.map((n) => ({ netns: n.netns, source: n.source, sockets: n.sockets })),
      { pidsDenied: g.pidsDenied },
    )
    writeSnapshot(file, snap)
    const count = g.namespaces.reduce((a, n) => a + n.sockets.length, 0)
    if (ctx.json) ctx.out(JSON.stringify({ file, sockets: count, namespaces: g.namespaces.map((n) => n.netns) }))
    else ctx.out(t(ctx.lang, 'snapshot.saved', { file, sockets: count }))
    for (const n of sourceNotes(ctx, g)) ctx.note(n)
    return 0
  },
}
