/**
 * @module
 * The socket view as a library: list, count, and who owns a port (SPEC 4).
 */
import { gatherSocketsAsync, type GatherOptions } from './gather.js'
import { parseWhoTarget, whoFilterWords, whoReport, type WhoReport } from '../who/who.js'
import { parseFilter } from '../query/parse.js'
import { matchFilter } from '../query/match.js'
import { compileBytecode } from '../query/compile.js'
import type { Socket } from '../model/socket.js'

export { listSockets, countStates, type SocketQuery, type SocketList, type StateCounts } from '../kernel/source.js'

/**
 * Who holds a port or address ("8080", ":8080", "127.0.0.1:8080", "[::1]:8080", "10.0.0.5"):
 * processes with their sockets per state, fd-less sockets attributed to the listener (inferred).
 * @example
 * const report = await whoOwns(':8080')
 * report.processes[0]?.command // 'node'
 */
export async function whoOwns(target: string, opts: Omit<GatherOptions, 'owners' | 'bytecode' | 'match'> = {}): Promise<WhoReport & { sockets: Socket[] }> {
  const t = parseWhoTarget(target)
  const f = parseFilter(whoFilterWords(t))
  const expr = f.expr!
  const g = await gatherSocketsAsync({ ...opts, bytecode: compileBytecode(expr), match: (s) => matchFilter(expr, s), owners: true, cmdline: true })
  const sockets = g.namespaces.flatMap((n) => n.sockets)
  return { ...whoReport(t, sockets, { pidsDenied: g.pidsDenied }), sockets }
}
