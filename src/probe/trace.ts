/**
 * @module
 * `trace()`: traceroute, mtr and pathping in one. Probes with a rising TTL, answered by ICMP
 * time-exceeded from each router, read without privileges from the socket error queue
 * (IP_RECVERR/IPV6_RECVERR, as tracepath and mtr do):
 * - udp: datagrams to port 33434 and up; the target answers "port unreachable";
 * - icmp: echo requests (ping socket or raw); the target answers with an echo reply;
 * - tcp: a non-blocking connect() per probe with IP_TTL set (mtr's unprivileged TCP mode); the
 *   target answers SYN/ACK or RST.
 * One round sends TTLs through a window of 8 in flight (as traceroute -N) and stops at the
 * target; `rounds` > 1 repeats, one round every `interval`, for mtr/pathping statistics.
 * A probe gives up at `timeout`, or in a single pass earlier, as traceroute's -w NEAR rule: when
 * a later hop answered and 10 times its RTT (at least 50 ms) has passed.
 */
import { TcpdoctorError } from '../errors.js'
import type { ProbeEvent } from '../kernel/native.js'
import { resolveTarget, type Target } from './address.js'
import { classifyIcmpError, echoRequest, parseEchoReply, quotedEcho, unreachableMark } from './icmp.js'
import { closeQuietly, openIcmp, probeNative, probeNetnsPath, sendError, UDP, waitEvents } from './sockets.js'
import { hopStats, linkLoss, lossPct, type HopRtt } from './stats.js'
import { msg, type Msg } from '../i18n/index.js'

export type TraceMethod = 'udp' | 'icmp' | 'tcp'

export interface TraceOptions {
  method?: TraceMethod
  /** destination port: udp base port (default 33434), tcp port (default 80) */
  port?: number
  family?: 4 | 6
  firstTtl?: number
  maxTtl?: number
  rounds?: number
  /** seconds between rounds (default 1 with rounds > 1, as mtr) */
  interval?: number
  /** seconds to wait for an answer (default 2) */
  timeout?: number
  /** the network namespace to trace from (NAME in /run/netns, a path, or a PID), as `ip netns exec` */
  netns?: string
  signal?: AbortSignal
  /** called whenever a probe settles (for a live view) */
  onUpdate?(snapshot: TraceResult): void
}

export interface TraceHop {
  ttl: number
  /** the address that answered most; null when nothing answered */
  address: string | null
  /** every address that answered at this TTL (load balancing shows more than one) */
  addresses: string[]
  sent: number
  received: number
  /** percent */
  loss: number
  rtt: HopRtt | null
  /** pathping: percent of loss this node causes itself (drops its own answers), and the link before it */
  nodeLoss: number
  linkLoss: number
  /** traceroute's !H !N !P !X when an unreachable came back */
  mark?: string
}

export interface TraceResult {
  target: string
  address: string
  family: 4 | 6
  method: TraceMethod
  /** icmp: which socket ran (ping socket or raw) */
  socket?: 'icmp' | 'raw' | 'udp' | 'tcp'
  reached: boolean
  rounds: number
  hops: TraceHop[]
  /** path MTU when an ICMP "fragmentation needed"/"packet too big" told it */
  pmtu: number | null
  elapsed: number
  interrupted: boolean
}

interface Probe {
  key: number
  ttl: number
  round: number
  sent: number
  sentAt: number
  deadline: number
  fd: number
}

interface Answer {
  ttl: number
  round: number
  from: string | null
  rtt: number | null
  kind: 'hop' | 'target' | 'unreachable' | 'timeout'
  mark?: string
}

export function checkTraceOptions(o: TraceOptions): void {
  const bad = (m: Msg): never => {
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', m)
  }
  if (o.method !== undefined && !['udp', 'icmp', 'tcp'].includes(o.method)) bad(msg('err.probe.methodMustBeUdp', { method: o.method }))
  for (const [k, v] of [['first TTL', o.firstTtl], ['max TTL', o.maxTtl]] as const)
    if (v !== undefined && !(Number.isInteger(v) && v >= 1 && v <= 255)) bad(msg('err.probe.mustBe1255', { k, value: v }))
  if ((o.firstTtl ?? 1) > (o.maxTtl ?? 30)) bad(msg('err.probe.firstTtlIsAbove', { firstTtl: o.firstTtl, maxTtl: o.maxTtl ?? 30 }))
  if (o.rounds !== undefined && !(Number.isInteger(o.rounds) && o.rounds >= 1 && o.rounds <= 100_000)) bad(msg('err.probe.roundsMustBe1', { rounds: o.rounds }))
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 1 && o.port <= 65_535)) bad(msg('err.probe.portMustBe12', { port: o.port }))
  if (o.interval !== undefined && !(Number.isFinite(o.interval) && o.interval >= 0.01 && o.interval <= 3600)) bad(msg('err.probe.intervalMustBeSeconds2', { interval: o.interval }))
  if (o.interval !== undefined && o.interval < 1 && process.getuid?.() !== 0) throw new TcpdoctorError('TD_PERMISSION', msg('err.probe.anIntervalBelow1', { interval: o.interval }))
  if (o.timeout !== undefined && !(Number.isFinite(o.timeout) && o.timeout > 0 && o.timeout <= 60)) bad(msg('err.probe.timeoutMustBeSeconds2', { timeout: o.timeout }))
}

const WINDOW = 8
const MAX_TCP_INFLIGHT = 256

export async function trace(host: string, options: TraceOptions = {}): Promise<TraceResult> {
  checkTraceOptions(options)
  const netnsPath = probeNetnsPath(options.netns)
  const target = await resolveTarget(host, options.family)
  return runTrace(target, options, netnsPath)
}

async function runTrace(target: Target, o: TraceOptions, netnsPath: string | undefined): Promise<TraceResult> {
  const n = probeNative()
  const method = o.method ?? 'udp'
  const family = target.family
  const first = o.firstTtl ?? 1
  const maxTtl = o.maxTtl ?? 30
  const rounds = o.rounds ?? 1
  const intervalMs = (o.interval ?? 1) * 1000
  const timeoutMs = (o.timeout ?? 2) * 1000
  const basePort = o.port ?? (method === 'tcp' ? 80 : 33434)
  const started = performance.now()
  let socketKind: TraceResult['socket'] = method === 'udp' ? 'udp' : 'tcp'
  let sharedFd = -1
  const id = (process.pid ^ (Math.random() * 0xffff)) & 0xffff
  if (method === 'udp') sharedFd = n.probeSocket(family, UDP, 0, netnsPath)
  if (method === 'icmp') {
    const s = openIcmp(n, family, 0, netnsPath)
    sharedFd = s.fd
    socketKind = s.mode
  }
  const inflight = new Map<number, Probe>() // key: udp port / icmp seq / tcp fd
  const answers: Answer[] = []
  const byRound = new Map<number, Answer[]>() // answers per round, for the NEAR rule
  let lastUpdate = 0
  let seq = 0
  let destTtl: number | null = null
  let pmtu: number | null = null
  const roundState: { next: number; done: boolean; startedAt: number }[] = []
  let nextRoundAt = performance.now()

  const keyOf = (s: number): number => (method === 'udp' ? basePort + (s % 1024) : s & 0xffff)
  const settle = (p: Probe, a: Omit<Answer, 'ttl' | 'round'>): void => {
    inflight.delete(p.key)
    if (method === 'tcp') closeQuietly(n, p.fd)
    if (destTtl !== null && p.ttl > destTtl) return // beyond the target: not a hop
    const answer = { ttl: p.ttl, round: p.round, ...a }
    answers.push(answer)
    const same = byRound.get(p.round)
    if (same) same.push(answer)
    else byRound.set(p.round, [answer])
    if (a.kind === 'target' && (destTtl === null || p.ttl < destTtl)) destTtl = p.ttl
    // a live view gets at most five snapshots a second (each one walks every answer)
    if (o.onUpdate && performance.now() - lastUpdate >= 200) {
      lastUpdate = performance.now()
      o.onUpdate(build(false))
    }
  }

  const send = (ttl: number, round: number): void => {
    const s = seq++
    let key: number
    let fd = sharedFd
    let sentAt: number
    if (method === 'tcp') {
      const c = n.probeConnect(family, target.bytes, basePort, ttl, netnsPath)
      fd = c.fd
      key = fd
      sentAt = c.sent
      if (c.error) {
        const p: Probe = { key, ttl, round, sent: s, sentAt, deadline: 0, fd }
        inflight.set(key, p)
        if (c.error === 'ENETUNREACH' || c.error === 'EHOSTUNREACH') {
          closeQuietly(n, fd)
          throw sendError(Object.assign(new Error(c.error), { code: c.error }), target.address)
        }
        settle(p, { from: null, rtt: null, kind: 'unreachable', mark: c.error })
        return
      }
    } else {
      key = keyOf(s)
      const payload = method === 'udp' ? Buffer.alloc(32) : echoRequest(family, id, key, 24)
      if (method === 'udp') payload.writeUInt32BE(s, 0)
      const old = inflight.get(key)
      if (old) settle(old, { from: null, rtt: null, kind: 'timeout' })
      try {
        sentAt = n.probeSend(fd, family, target.bytes, method === 'udp' ? key : 0, payload, ttl)
      } catch (err) {
        throw sendError(err, target.address)
      }
    }
    inflight.set(key, { key, ttl, round, sent: s, sentAt, deadline: performance.now() + timeoutMs, fd })
  }

  const onEvent = (e: ProbeEvent): void => {
    let p: Probe | undefined
    if (method === 'tcp') p = inflight.get(e.fd)
    else if (method === 'udp') p = e.kind === 2 ? inflight.get(e.port) : undefined
    else if (e.kind === 2) {
      const q = quotedEcho(family, e.data)
      p = q ? inflight.get(q.seq) : undefined
    } else {
      const r = parseEchoReply(family, e.data, socketKind === 'raw')
      if (r && (socketKind !== 'raw' || r.id === id) && e.from === target.address) p = inflight.get(r.seq)
    }
    if (!p) return
    const rtt = Math.round(e.t - p.sentAt) / 1000
    if (e.kind === 3 && e.info > 0) return settle(p, { from: target.address, rtt: e.info / 1000, kind: 'target' }) // TCP_INFO handshake RTT
    if (e.kind === 1 || e.kind === 3) return settle(p, { from: target.address, rtt, kind: 'target' })
    if (e.kind === 4) {
      if (e.errno === 'ECONNREFUSED') return settle(p, { from: target.address, rtt, kind: 'target' })
      return // the ICMP error itself (kind 2) came first and settled it, or the timeout will
    }
    const why = classifyIcmpError(family, e.origin, e.type, e.code)
    if (why === 'local') {
      if (e.errno === 'EMSGSIZE' && e.info > 0) pmtu = e.info
      return
    }
    if (e.errno === 'EMSGSIZE' && e.info > 0) pmtu = e.info
    const from = e.offender
    if (why === 'ttl') return settle(p, { from, rtt, kind: 'hop' })
    if (why === 'port' || from === target.address) return settle(p, { from, rtt, kind: 'target' })
    return settle(p, { from, rtt, kind: 'unreachable', mark: unreachableMark(family, e.type, e.code) })
  }

  const build = (final: boolean): TraceResult => {
    const last = destTtl ?? Math.max(first - 1, ...answers.filter((a) => a.kind !== 'timeout').map((a) => a.ttl), ...[...inflight.values()].map((p) => p.ttl))
    const hops: TraceHop[] = []
    for (let ttl = first; ttl <= Math.min(last, maxTtl); ttl++) {
      const as = answers.filter((a) => a.ttl === ttl)
      const ok = as.filter((a) => a.rtt !== null && a.kind !== 'timeout')
      const counts = new Map<string, number>()
      for (const a of ok) if (a.from) counts.set(a.from, (counts.get(a.from) ?? 0) + 1)
      const addresses = [...counts.entries()].sort((x, y) => y[1] - x[1]).map(([a]) => a)
      const mark = as.find((a) => a.mark)?.mark
      hops.push({ ttl, address: addresses[0] ?? null, addresses, sent: as.length, received: ok.length, loss: lossPct(as.length, ok.length), rtt: hopStats(ok.map((a) => a.rtt!)), nodeLoss: 0, linkLoss: 0, ...(mark ? { mark } : {}) })
    }
    const split = linkLoss(hops.map((h) => (h.sent ? (h.sent - h.received) / h.sent : null)))
    hops.forEach((h, i) => {
      h.nodeLoss = split[i]!.node
      h.linkLoss = split[i]!.link
    })
    // trailing silent hops past the last answer are noise when the target never answered
    if (final && destTtl === null) while (hops.length > 1 && hops[hops.length - 1]!.received === 0 && hops[hops.length - 2]!.received === 0) hops.pop()
    return { target: target.host, address: target.address, family, method, socket: socketKind, reached: destTtl !== null, rounds: roundState.length, hops, pmtu, elapsed: Math.round(performance.now() - started), interrupted: o.signal?.aborted === true }
  }

  try {
    for (;;) {
      if (o.signal?.aborted) break
      const now = performance.now()
      // start a round: round 1 right away; later rounds every interval, once the first round knows the distance
      if (roundState.length < rounds && now >= nextRoundAt && (roundState.length === 0 || roundState[0]!.done)) {
        roundState.push({ next: first, done: false, startedAt: now })
        nextRoundAt = Math.max(now, nextRoundAt) + intervalMs
      }
      // send what the windows allow
      roundState.forEach((r, round) => {
        const limit = Math.min(maxTtl, destTtl ?? maxTtl)
        if (round === 0) {
          while (!r.done && r.next <= limit && [...inflight.values()].filter((p) => p.round === round).length < WINDOW) send(r.next++, round)
        } else {
          // later rounds spread their probes over the interval, as mtr does: a burst would queue
          // behind itself on slow links and inflate the RTTs of the far hops
          const spacing = intervalMs / (limit - first + 1)
          // TCP probes hold one socket each: stay well below poll's 1024 fds and the default fd limit
          while (!r.done && r.next <= limit && now >= r.startedAt + (r.next - first) * spacing && (method !== 'tcp' || inflight.size < MAX_TCP_INFLIGHT)) send(r.next++, round)
        }
        if (r.next > limit && ![...inflight.values()].some((p) => p.round === round)) r.done = true
      })
      for (const r of roundState) if (!r.done && r.next > Math.min(maxTtl, destTtl ?? maxTtl) && ![...inflight.values()].some((p) => roundState.indexOf(r) === p.round)) r.done = true
      // timeouts, with traceroute's NEAR rule: 10 times the RTT of a later hop that answered in the same round
      for (const p of [...inflight.values()]) {
        let deadline = p.deadline
        // Only for a single pass, where it saves waiting for a silent router: with --rounds a
        // probe given up early would count as lost and bias the loss statistics upward.
        const later = rounds === 1 ? (byRound.get(p.round) ?? []).filter((a) => a.ttl > p.ttl && a.rtt !== null) : []
        if (later.length) deadline = Math.min(deadline, p.sentAt / 1000 - Date.now() + performance.now() + 10 * Math.max(5, Math.min(...later.map((a) => a.rtt!))))
        if (now >= deadline) settle(p, { from: null, rtt: null, kind: 'timeout' })
      }
      if (roundState.length >= rounds && roundState.every((r) => r.done) && inflight.size === 0) break
      const fds = method === 'tcp' ? [...inflight.values()].map((p) => p.fd) : [sharedFd]
      const wakeAt = Math.min(roundState.length < rounds ? nextRoundAt : Infinity, ...roundState.filter((r) => !r.done).map((r) => r.startedAt + (r.next - first) * (intervalMs / (Math.min(maxTtl, destTtl ?? maxTtl) - first + 1))), ...[...inflight.values()].map((p) => p.deadline))
      const ms = Math.max(1, Math.min(wakeAt - performance.now(), 20))
      if (fds.length === 0) {
        await new Promise((r) => setTimeout(r, ms))
        continue
      }
      for (const e of await waitEvents(n, fds, fds.map(() => (method === 'tcp' ? 1 : 0)), ms, o.signal)) onEvent(e)
    }
  } finally {
    for (const p of inflight.values()) if (method === 'tcp') closeQuietly(n, p.fd)
    if (sharedFd >= 0) closeQuietly(n, sharedFd)
  }
  return build(true)
}
