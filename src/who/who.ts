/**
 * @module
 * Who holds a port or address: sockets grouped by owning process, fd-less sockets attributed to
 * the listener on the same port (inferred), and the peers on the other side. Pure over sockets.
 */
import type { Socket } from '../model/socket.js'
import { countedState, type StateName } from '../model/state.js'
import { TcpdoctorError } from '../errors.js'
import { isIP } from 'node:net'

export interface WhoTarget {
  address?: string
  port?: number
  text: string
}

/** Parses PORT, :PORT, ADDR:PORT, [V6]:PORT or ADDR. */
export function parseWhoTarget(text: string): WhoTarget {
  const t = text.trim()
  const port = (p: string): number => {
    const n = Number(p)
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new TcpdoctorError('TD_INVALID_ARGUMENT', `bad port in ${JSON.stringify(text)}: ports are 1-65535`)
    return n
  }
  let m: RegExpExecArray | null
  if (/^\d+$/.test(t)) return { port: port(t), text: `:${t}` }
  if ((m = /^:(\d+)$/.exec(t))) return { port: port(m[1]!), text: t }
  if ((m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(t)) && isIP(m[1]!) === 6) return { address: m[1]!, port: port(m[2]!), text: t }
  if ((m = /^([0-9.]+):(\d+)$/.exec(t)) && isIP(m[1]!) === 4) return { address: m[1]!, port: port(m[2]!), text: t }
  const bare = t.replace(/^\[|\]$/g, '')
  if (isIP(bare)) return { address: bare, text: t }
  throw new TcpdoctorError('TD_INVALID_ARGUMENT', `cannot read ${JSON.stringify(text)} as PORT, :PORT, ADDR:PORT or ADDR`, { hint: 'examples: 8080, :8080, 127.0.0.1:8080, [::1]:8080, 10.0.0.5' })
}

/** ss filter words selecting the target's sockets, local side or remote side. */
export function whoFilterWords(target: WhoTarget): string[] {
  const ep = target.address ? (target.address.includes(':') ? `[${target.address}]` : target.address) + (target.port ? `:${target.port}` : '') : `:${target.port}`
  return ['(', 'src', ep, 'or', 'dst', ep, ')']
}

export interface WhoProcess {
  pid: number
  command: string
  user: string
  uid?: number
  cmdline?: string
  cgroup?: string
  container?: string
  /** Sockets on the target held through a file descriptor. */
  states: Partial<Record<StateName, number>>
  /** fd-less sockets (TIME_WAIT, orphans) attributed to this process by its listener: inferred. */
  inferredStates: Partial<Record<StateName, number>>
  sockets: number
}

export interface WhoReport {
  target: string
  /** Processes holding sockets whose local side is the target. */
  processes: WhoProcess[]
  /** Local-side sockets with no owner we could find (client TIME_WAIT, or unreadable processes). */
  unowned: Partial<Record<StateName, number>>
  /** Sockets on this host whose remote side is the target (clients of it), per process. */
  clients: WhoProcess[]
  localSockets: number
  remoteSockets: number
}

const isLocal = (s: Socket, t: WhoTarget): boolean =>
  (t.port === undefined || s.local.port === t.port) && (t.address === undefined || s.local.address === t.address || s.local.address === `::ffff:${t.address}` || isWildcard(s.local.address))

const isWildcard = (a: string): boolean => a === '0.0.0.0' || a === '::'

function bump(rec: Partial<Record<StateName, number>>, st: StateName): void {
  const k = countedState(st)
  rec[k] = (rec[k] ?? 0) + 1
}

function byProcess(sockets: Socket[], unowned: Partial<Record<StateName, number>>): WhoProcess[] {
  const procs = new Map<number, WhoProcess>()
  for (const s of sockets) {
    if (!s.process?.length) { bump(unowned, s.state); continue }
    for (const p of s.process) {
      let w = procs.get(p.pid)
      if (!w) {
        procs.set(p.pid, (w = { pid: p.pid, command: p.command, user: p.user, uid: p.uid, states: {}, inferredStates: {}, sockets: 0 }))
        if (p.cmdline !== undefined) w.cmdline = p.cmdline
        if (p.cgroup !== undefined) w.cgroup = p.cgroup
        if (p.container !== undefined) w.container = p.container
      }
      bump(p.inferred ? w.inferredStates : w.states, s.state)
      w.sockets++
    }
  }
  return [...procs.values()].sort((a, b) => b.sockets - a.sockets || a.pid - b.pid)
}

/** Builds the report from sockets that already carry owners. */
export function whoReport(target: WhoTarget, sockets: Socket[]): WhoReport {
  const local = sockets.filter((s) => isLocal(s, target))
  const localSet = new Set(local)
  const remote = sockets.filter((s) => !localSet.has(s))
  const unowned: Partial<Record<StateName, number>> = {}
  return {
    target: target.text,
    processes: byProcess(local, unowned),
    unowned,
    clients: byProcess(remote, {}),
    localSockets: local.length,
    remoteSockets: remote.length,
  }
}
