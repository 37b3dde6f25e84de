/**
 * @module
 * A small in-process sampler for `watch`: per-state counts, top service ports and processes,
 * listeners with their accept queues, the TCP counters turned into rates, and (every few
 * samples) the findings of `diagnose`. Written for `watch` while the shared monitor sampler
 * (sampler.ts) was not there yet; it reads the kernel the same way (sockets/, counters/, doctor/).
 */
import { gatherSockets, gatherSocketsAsync } from '../sockets/gather.js'
import { tallySockets } from './tally.js'
import { groupStates, type StateGroup } from '../sockets/group.js'
import { counterTargets, counterStep, readCounters, type CounterSample, type CounterTarget } from '../counters/counters.js'
import { parseStates, type StateName } from '../model/state.js'
import { TcpdoctorError, errorIn } from '../errors.js'
import { diagnose } from '../doctor/diagnose.js'
import { RollingWindow } from '../doctor/collect.js'
import type { Finding } from '../doctor/rule.js'
import type { Lang } from '../i18n/index.js'
import type { Socket } from '../model/socket.js'
import { msg } from '../i18n/index.js'

/** The rates watch shows, per second, from /proc/net/snmp and netstat. */
export const WATCH_RATES = {
  opens: ['TcpActiveOpens', 'TcpPassiveOpens'],
  resets: ['TcpEstabResets', 'TcpOutRsts'],
  retrans: ['TcpRetransSegs'],
  overflows: ['TcpExtListenOverflows'],
} as const

export type RateName = keyof typeof WATCH_RATES

export interface WatchListener {
  local: string
  /** Connections waiting for accept() (Recv-Q of a listener). */
  queue: number
  /** The backlog (Send-Q of a listener). */
  backlog: number
  process?: string
}

export interface WatchSample {
  at: number
  netns: string
  total: number
  states: Partial<Record<StateName, number>>
  /** Per second since the previous sample; undefined for the first one or unreadable counters. */
  rates: Partial<Record<RateName, number>>
  ports: StateGroup[]
  processes: StateGroup[]
  /** Remote hosts, most sockets first. */
  peers: StateGroup[]
  listeners: WatchListener[]
  findings: Finding[]
  /** Why counters or findings are missing (no permission, namespace without /proc access). */
  notes: string[]
}

export interface WatchSamplerOptions {
  netns?: string
  procRoot?: string
  source?: 'auto' | 'netlink' | 'procfs'
  lang?: Lang
  /** Findings are re-evaluated every this many samples (default 5). */
  findingsEvery?: number
  /** The /proc/<pid>/fd owner walk (the costly part) every this many samples (default 3); processes are kept in between. */
  ownersEvery?: number
}

/** Takes samples one at a time; keeps the previous counters for rates. */
export class WatchSampler {
  private prev: CounterSample | undefined
  private n = 0
  private findings: Finding[] = []
  private findingNote: string | undefined
  /** each findings evaluation measures rates since the previous one */
  private readonly rolling = new RollingWindow()
  private target: CounterTarget | undefined
  private processes: StateGroup[] = []
  private owners = new Map<string, string>()
  private lastMatch: ((s: Socket) => boolean) | undefined

  constructor(private readonly opts: WatchSamplerOptions = {}) {}

  /** One sample; `match` limits the sockets counted (rates and findings stay namespace-wide). */
  async sample(match?: (s: Socket) => boolean): Promise<WatchSample> {
    const o = this.opts
    // A new filter needs its own process list at once.
    const withOwners = this.n % (o.ownersEvery ?? 3) === 0 || match !== this.lastMatch
    this.lastMatch = match
    const g = withOwners
      ? await gatherSocketsAsync({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: true })
      : gatherSockets({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: false })
    const all = g.namespaces.flatMap((ns) => ns.sockets)
    const sockets = match ? all.filter(match) : all
    const { states, listeners } = tallySockets(sockets, this.owners, withOwners)
    const notes: string[] = []
    const rates: Partial<Record<RateName, number>> = {}
    try {
      this.target ??= counterTargets(o.netns, o.procRoot)[0]
      const cur = this.target ? this.target.read() : readCounters({ procRoot: o.procRoot })
      if (this.prev) {
        const dt = (cur.monoMs - this.prev.monoMs) / 1000
        for (const [name, keys] of Object.entries(WATCH_RATES) as [RateName, readonly string[]][]) {
          let sum = 0
          for (const k of keys) sum += counterStep(k, this.prev.counters[k], cur.counters[k]) ?? 0
          rates[name] = dt > 0 ? sum / dt : 0
        }
      }
      this.prev = cur
    } catch (err) {
      notes.push(errorIn(err, o.lang ?? 'en'))
    }
    if (this.n % (o.findingsEvery ?? 5) === 0) {
      try {
        const r = await diagnose({ netns: o.netns, procRoot: o.procRoot, source: o.source, intervalMs: 0, rolling: this.rolling, lang: o.lang })
        this.findings = r.findings
        this.findingNote = undefined
      } catch (err) {
        this.findingNote = errorIn(err, o.lang ?? 'en')
      }
    }
    if (this.findingNote) notes.push(this.findingNote)
    this.n++
    if (withOwners) this.processes = groupStates(sockets, 'process')
    return {
      at: Date.now(),
      netns: g.namespaces.map((ns) => ns.netns).join(', '),
      total: sockets.length,
      states,
      rates,
      ports: groupStates(sockets, 'port'),
      processes: this.processes,
      peers: groupStates(sockets.filter((x) => x.state !== 'LISTEN'), 'remote'),
      listeners,
      findings: this.findings,
      notes,
    }
  }
}

/** A watch filter from what the user typed: a port (8080, :8080) or a state name; throws TD_INVALID_ARGUMENT. */
export function parseWatchFilter(text: string): { label: string; match: (s: Socket) => boolean } | undefined {
  const t = text.trim()
  if (t === '') return undefined
  const port = /^:?(\d{1,5})$/.exec(t)
  if (port) {
    const n = Number(port[1])
    if (n < 1 || n > 65535) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.monitor.portOutOf1', { t }))
    return { label: `:${n}`, match: (s) => s.local.port === n || s.remote.port === n }
  }
  const states = new Set(parseStates(t))
  return { label: t.toLowerCase(), match: (s) => states.has(s.state) }
}
