/**
 * @module
 * Who holds a port or address: sockets grouped by owning process, fd-less sockets attributed to
 * the listener on the same port (inferred), and the peers on the other side. Pure over sockets.
 */
import type { Socket } from '../model/socket.js'
import { countedState, type StateName } from '../model/state.js'
import { TcpdoctorError } from '../errors.js'
import { isIP } from 'node:net'
import { userName } from '../kernel/owners.js'
import { msg } from '../i18n/index.js'

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
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.who.badPortInPorts', { text: JSON.stringify(text) }))
    return n
  }
  let m: RegExpExecArray | null
  if (/^\d+$/.test(t)) return { port: port(t), text: `:${t}` }
  if ((m = /^:(\d+)$/.exec(t))) return { port: port(m[1]!), text: t }
  if ((m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(t)) && isIP(m[1]!) === 6) return { address: m[1]!, port: port(m[2]!), text: t }
  if ((m = /^([0-9.]+):(\d+)$/.exec(t)) && isIP(m[1]!) === 4) return { address: m[1]!, port: port(m[2]!), text: t }
  const bare = t.replace(/^\[|\]$/g, '')
  if (isIP(bare)) return { address: bare, text: t }
  throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.who.cannotReadAsPort', { text: JSON.stringify(text) }), { hint: msg('hint.who.examples') })
}

/**
 * ss filter words selecting the target's sockets, local side or remote side. With ADDR:PORT the
 * local side is selected by port alone: the listener on 0.0.0.0:PORT (or [::]:PORT) is needed to
 * attribute the TIME_WAIT sockets of ADDR:PORT; whoReport keeps only the ones on the target.
 */
export function whoFilterWords(target: WhoTarget): string[] {
  const ep = target.address ? (target.address.includes(':') ? `[${target.address}]` : target.address) + (target.port ? `:${target.port}` : '') : `:${target.port}`
  const localEp = target.port !== undefined ? `:${target.port}` : ep
  return ['(', 'src', localEp, 'or', 'dst', ep, ')']
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
  /** Sockets counted once each, however many fds of this process hold them (dup). */
  sockets: number
}

/** Sockets held through a file descriptor by a process we may not read: only the socket's uid is known. */
export interface WhoHidden {
  uid: number
  user: string
  states: Partial<Record<StateName, number>>
  sockets: number
}

export interface WhoReport {
  target: string
  /** Processes holding sockets whose local side is the target. */
  processes: WhoProcess[]
  /** Local-side sockets with no file descriptor and no listener to attribute them to. */
  unowned: Partial<Record<StateName, number>>
  /** Local-side sockets whose owner could not be read (permission), per socket uid. */
  hidden: WhoHidden[]
  /** Sockets on this host whose remote side is the target (clients of it), per process. */
  clients: WhoProcess[]
  /** Client sockets without an owner (a client's TIME_WAIT has no fd and no listener). */
  clientsUnowned: Partial<Record<StateName, number>>
  clientsHidden: WhoHidden[]
  localSockets: number
  remoteSockets: number
}

const sameAddress = (a: string, want: string): boolean => a === want || a === `::ffff:${want}`

/**
 * A wildcard listener serves the target address when it is of the target's family; [::] serves
 * IPv4 too unless IPV6_V6ONLY, which must be set when an IPv4 socket also listens on the port.
 */
function servesAddress(s: Socket, t: WhoTarget, v4Listening: Set<number>): boolean {
  const a = s.local.address
  if (t.address === undefined || sameAddress(a, t.address)) return true
  const v6Target = t.address.includes(':')
  if (a === '0.0.0.0') return !v6Target
  if (a === '::') return v6Target || !v4Listening.has(s.local.port)
  return false
}

const isLocal = (s: Socket, t: WhoTarget, v4Listening: Set<number>): boolean =>
  (t.port === undefined || s.local.port === t.port) && servesAddress(s, t, v4Listening)

const isRemote = (s: Socket, t: WhoTarget): boolean =>
  s.remote.port !== 0 && (t.port === undefined || s.remote.port === t.port) && (t.address === undefined || sameAddress(s.remote.address, t.address))


function bump(rec: Partial<Record<StateName, number>>, st: StateName): void {
  const k = countedState(st)
  rec[k] = (rec[k] ?? 0) + 1
}

interface Side { processes: WhoProcess[]; unowned: Partial<Record<StateName, number>>; hidden: WhoHidden[] }

/**
 * Per process, each socket once per process (a dup()ed fd is the same socket), a forked socket
 * under each process holding it. A socket with a file descriptor and no owner found while some
 * processes could not be read is "not visible", listed by its uid; otherwise it is fd-less.
 */
function byProcess(sockets: Socket[], pidsDenied: number): Side {
  const procs = new Map<number, WhoProcess>()
  const hidden = new Map<number, WhoHidden>()
  const unowned: Partial<Record<StateName, number>> = {}
  for (const s of sockets) {
    if (!s.process?.length) {
      if (s.inode !== 0 && pidsDenied > 0) {
        let h = hidden.get(s.uid)
        if (!h) hidden.set(s.uid, (h = { uid: s.uid, user: userName(s.uid), states: {}, sockets: 0 }))
        bump(h.states, s.state)
        h.sockets++
      } else bump(unowned, s.state)
      continue
    }
    const seen = new Set<number>()
    for (const p of s.process) {
      if (seen.has(p.pid)) continue
      seen.add(p.pid)
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
  return {
    processes: [...procs.values()].sort((a, b) => b.sockets - a.sockets || a.pid - b.pid),
    unowned,
    hidden: [...hidden.values()].sort((a, b) => b.sockets - a.sockets || a.uid - b.uid),
  }
}

/** Builds the report from sockets that already carry owners; pidsDenied from the owner walk. */
export function whoReport(target: WhoTarget, sockets: Socket[], opts: { pidsDenied?: number } = {}): WhoReport {
  const denied = opts.pidsDenied ?? 0
  const v4Listening = new Set<number>()
  for (const s of sockets) if (s.state === 'LISTEN' && s.family === 'inet') v4Listening.add(s.local.port)
  const local = sockets.filter((s) => isLocal(s, target, v4Listening))
  const localSet = new Set(local)
  const remote = sockets.filter((s) => !localSet.has(s) && isRemote(s, target))
  const l = byProcess(local, denied)
  const r = byProcess(remote, denied)
  return {
    target: target.text,
    processes: l.processes,
    unowned: l.unowned,
    hidden: l.hidden,
    clients: r.processes,
    clientsUnowned: r.unowned,
    clientsHidden: r.hidden,
    localSockets: local.length,
    remoteSockets: remote.length,
  }
}
