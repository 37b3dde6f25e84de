/**
 * @module
 * `ping()`: ICMP echo like iputils ping (ping socket, else raw socket), or a TCP connect-time
 * ping (`tcp: PORT`, see tcp-ping.ts). Send times and kernel receive timestamps are taken in C
 * (SO_TIMESTAMPNS), as iputils does, so an RTT does not include JavaScript's reaction time.
 * Expected failures (no reply, unreachable) are results; misuse and a broken environment throw.
 */
import { TcpdoctorError } from '../errors.js'
import { resolveTarget, type Target } from './address.js'
import { classifyIcmpError, echoRequest, parseEchoReply, quotedEcho } from './icmp.js'
import { closeQuietly, openIcmp, probeNative, probeNetnsPath, sendError, waitEvents } from './sockets.js'
import { estimateHops, lossPct, summarize, type RttSummary } from './stats.js'
import { tcpProbe } from './tcp-ping.js'
import { msg, type Msg } from '../i18n/index.js'

export type ProbeOutcome = 'reply' | 'timeout' | 'open' | 'refused' | 'filtered' | 'unreachable'

export interface PingProbe {
  seq: number
  outcome: ProbeOutcome
  /** ms; null without an answer */
  rtt: number | null
  /** reply TTL (ICMP) */
  ttl?: number
  /** who answered with an ICMP error, or the errno of a TCP probe */
  from?: string
  detail?: string
}

export interface PingOptions {
  /** probes to send (default 4; Infinity: until the signal aborts) */
  count?: number
  /** seconds between probes (default 1; below 0.2 needs root, as iputils) */
  interval?: number
  /** seconds to wait for each answer (default 2; iputils -W) */
  timeout?: number
  /** ICMP payload bytes (default 56, iputils -s) */
  size?: number
  family?: 4 | 6
  /** TTL of the probes (default: the kernel's) */
  ttl?: number
  /** TCP connect-time ping to this port instead of ICMP */
  tcp?: number
  /** the network namespace to probe from (NAME in /run/netns, a path, or a PID), as `ip netns exec` */
  netns?: string
  signal?: AbortSignal
  /** called after each probe is settled, in seq order */
  onProbe?(probe: PingProbe, target: Target, mode: PingResult['mode']): void
}

export interface PingResult {
  target: string
  address: string
  family: 4 | 6
  mode: 'icmp' | 'raw' | 'tcp'
  sent: number
  received: number
  duplicates: number
  /** percent */
  loss: number
  rtt: RttSummary | null
  /** TTL of the last reply */
  ttl: number | null
  /** estimated hop count (traceroute distance) from the reply TTL: a guess, see hopsCaveat */
  hops: number | null
  initialTtl: number | null
  probes: PingProbe[]
  /** ms from first send to the end */
  elapsed: number
  interrupted: boolean
}

export function checkPingOptions(o: PingOptions): void {
  const bad = (m: Msg): never => {
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', m)
  }
  if (o.count !== undefined && !(o.count === Infinity || (Number.isInteger(o.count) && o.count >= 1 && o.count <= 1_000_000))) bad(msg('err.probe.countMustBeAn', { count: o.count }))
  if (o.interval !== undefined && !(Number.isFinite(o.interval) && o.interval >= 0.002 && o.interval <= 3600)) bad(msg('err.probe.intervalMustBeSeconds', { interval: o.interval }))
  if (o.interval !== undefined && o.interval < 0.2 && process.getuid?.() !== 0) throw new TcpdoctorError('TD_PERMISSION', msg('err.probe.anIntervalBelow0', { interval: o.interval }))
  if (o.timeout !== undefined && !(Number.isFinite(o.timeout) && o.timeout > 0 && o.timeout <= 3600)) bad(msg('err.probe.timeoutMustBeSeconds', { timeout: o.timeout }))
  if (o.size !== undefined && !(Number.isInteger(o.size) && o.size >= 0 && o.size <= 65_507)) bad(msg('err.probe.sizeMustBe0', { size: o.size }))
  if (o.ttl !== undefined && !(Number.isInteger(o.ttl) && o.ttl >= 1 && o.ttl <= 255)) bad(msg('err.probe.ttlMustBe1', { ttl: o.ttl }))
  if (o.tcp !== undefined && !(Number.isInteger(o.tcp) && o.tcp >= 1 && o.tcp <= 65_535)) bad(msg('err.probe.portMustBe1', { tcp: o.tcp }))
  if (o.family !== undefined && o.family !== 4 && o.family !== 6) bad(msg('err.probe.familyMustBe4', { family: String(o.family) }))
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve()
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })

/** Pings host; resolves with iputils-like statistics (also when aborted: the statistics so far). */
export async function ping(host: string, options: PingOptions = {}): Promise<PingResult> {
  checkPingOptions(options)
  const netnsPath = probeNetnsPath(options.netns)
  const target = await resolveTarget(host, options.family)
  return options.tcp !== undefined ? tcpPing(target, options, netnsPath) : icmpPing(target, options, netnsPath)
}

function finish(target: Target, mode: PingResult['mode'], probes: PingProbe[], duplicates: number, started: number, interrupted: boolean): PingResult {
  probes.sort((a, b) => a.seq - b.seq)
  const answered = probes.filter((p) => p.rtt !== null && (p.outcome === 'reply' || p.outcome === 'open' || p.outcome === 'refused'))
  const rtts = answered.map((p) => p.rtt!)
  const lastTtl = [...probes].reverse().find((p) => p.ttl !== undefined)?.ttl ?? null
  const est = lastTtl === null ? null : estimateHops(lastTtl)
  return {
    target: target.host,
    address: target.address,
    family: target.family,
    mode,
    sent: probes.length,
    received: answered.length,
    duplicates,
    loss: lossPct(probes.length, answered.length),
    rtt: summarize(rtts),
    ttl: lastTtl,
    hops: est?.hops ?? null,
    initialTtl: est?.initial ?? null,
    probes,
    elapsed: Math.round(performance.now() - started),
    interrupted,
  }
}

async function icmpPing(target: Target, o: PingOptions, netnsPath: string | undefined): Promise<PingResult> {
  const n = probeNative()
  const { fd, mode } = openIcmp(n, target.family, o.ttl ?? 0, netnsPath)
  const count = o.count ?? 4
  const intervalMs = (o.interval ?? 1) * 1000
  const timeoutMs = (o.timeout ?? 2) * 1000
  const size = o.size ?? 56
  const id = (process.pid ^ (Math.random() * 0xffff)) & 0xffff
  const raw = mode === 'raw'
  const pending = new Map<number, { seq: number; sent: number; deadline: number }>()
  const done = new Map<number, PingProbe>()
  let duplicates = 0
  let sent = 0
  let nextSend = performance.now()
  const started = performance.now()
  const settle = (p: PingProbe): void => {
    pending.delete(p.seq)
    done.set(p.seq, p)
    o.onProbe?.(p, target, mode)
  }
  try {
    for (;;) {
      if (o.signal?.aborted) break
      const now = performance.now()
      if (sent < count && now >= nextSend) {
        const seq = sent & 0xffff
        let t: number
        try {
          t = n.probeSend(fd, target.family, target.bytes, 0, echoRequest(target.family, id, seq, size), 0)
        } catch (err) {
          if (sent === 0) throw sendError(err, target.address)
          settle({ seq: sent, outcome: 'unreachable', rtt: null, detail: (err as Error).message })
          sent++
          nextSend += intervalMs
          continue
        }
        pending.set(seq, { seq: sent, sent: t, deadline: now + timeoutMs })
        sent++
        nextSend += intervalMs
      }
      for (const [k, p] of pending) {
        if (now >= p.deadline) {
          pending.delete(k)
          settle({ seq: p.seq, outcome: 'timeout', rtt: null })
        }
      }
      if (sent >= count && pending.size === 0) break
      const wakeAt = Math.min(sent < count ? nextSend : Infinity, ...[...pending.values()].map((p) => p.deadline))
      const events = await waitEvents(n, [fd], [0], Math.max(0, wakeAt - performance.now()), o.signal)
      for (const e of events) {
        if (e.kind === 1) {
          const r = parseEchoReply(target.family, e.data, raw)
          if (!r || (raw && r.id !== id) || e.from !== target.address) continue
          const p = pending.get(r.seq)
          if (!p) {
            if ([...done.values()].some((d) => (d.seq & 0xffff) === r.seq && d.outcome === 'reply')) duplicates++
            continue
          }
          settle({ seq: p.seq, outcome: 'reply', rtt: Math.round(e.t - p.sent) / 1000, ttl: e.ttl >= 0 ? e.ttl : r.ttl })
        } else if (e.kind === 2) {
          const q = quotedEcho(target.family, e.data)
          const p = q ? pending.get(q.seq) : undefined
          if (!p) continue
          const why = classifyIcmpError(target.family, e.origin, e.type, e.code)
          settle({ seq: p.seq, outcome: 'unreachable', rtt: null, from: e.offender ?? undefined, detail: why === 'ttl' ? 'Time to live exceeded' : `${e.errno ?? 'ICMP error'} (type ${e.type} code ${e.code})` })
        }
      }
    }
  } finally {
    closeQuietly(n, fd)
  }
  // an interrupted run reports what was settled; probes still in flight count as sent, not lost
  return finish(target, mode, [...done.values()], duplicates, started, o.signal?.aborted === true)
}

async function tcpPing(target: Target, o: PingOptions, netnsPath: string | undefined): Promise<PingResult> {
  const count = o.count ?? 4
  const intervalMs = (o.interval ?? 1) * 1000
  const timeoutMs = (o.timeout ?? 2) * 1000
  const probes: PingProbe[] = []
  const started = performance.now()
  for (let seq = 0; seq < count; seq++) {
    if (o.signal?.aborted) break
    const at = performance.now()
    const p = await tcpProbe(target, o.tcp!, { timeoutMs, ttl: o.ttl, signal: o.signal, netnsPath })
    if (p.outcome === 'aborted') break
    const probe: PingProbe = { seq, outcome: p.outcome, rtt: p.rtt, ...(p.from ? { from: p.from } : {}), ...(p.detail ? { detail: p.detail } : {}) }
    probes.push(probe)
    o.onProbe?.(probe, target, 'tcp')
    if (seq + 1 < count) await sleep(at + intervalMs - performance.now(), o.signal)
  }
  return finish(target, 'tcp', probes, 0, started, o.signal?.aborted === true)
}

/** The caveat that goes with an estimated hop count. */
export const HOPS_CAVEAT = 'estimated from the reply TTL: the initial TTL is guessed (32/64/128/255) and the reply may come back by another path'
