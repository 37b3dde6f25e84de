/**
 * @module
 * The monitor sampler behind `serve` and `history`: per-state counts, per listener port, per
 * namespace; counter deltas as rates per second; sockstat; the doctor's findings at a slower
 * cadence. Cheap enough for 1 s at 100k sockets: the socket dump is one netlink walk counted in
 * place, the full socket list every `detailEvery` samples, the /proc/<pid>/fd owner walk every
 * `ownersEvery` and the doctor every `findingsEvery` samples (bench/monitor.js measures the CPU).
 */
import { hostname } from 'node:os'
import { gatherSockets, gatherSocketsAsync } from '../sockets/gather.js'
import { groupStates, type StateGroup } from '../sockets/group.js'
import { counterTargets, counterStep, readCounters, type CounterSample, type CounterTarget } from '../counters/counters.js'
import { countedState, type StateName } from '../model/state.js'
import { readSockstat, readSockstat6, tcpSockstat } from '../kernel/procfs/sockstat.js'
import { diagnose } from '../doctor/diagnose.js'
import { RollingWindow } from '../doctor/collect.js'
import type { Finding } from '../doctor/rule.js'
import type { Lang } from '../i18n/index.js'
import { tallySockets } from './tally.js'
import { RATE_COUNTERS, type RateCounter, type Sample, type SampleListener } from './sample.js'
import { WATCH_RATES, type RateName } from './watch-sampler.js'
import { tryNative } from '../kernel/native.js'
import { dumpSockets } from '../kernel/sock-diag/dump.js'
import { localPortAt, stateAt } from '../kernel/sock-diag/parse.js'
import { eachNamespace } from '../sockets/namespaces.js'
import { SS_ALL_BITS, stateName } from '../model/state.js'

let byPort: Uint32Array | undefined

/** States and per-listener-port states from one netlink dump, one byte per socket, no objects. */
function fastCounts(o: SamplerOptions): { total: number; states: Partial<Record<StateName, number>>; ports: StateGroup[]; netns: string } | undefined {
  if (o.source === 'procfs' || o.procRoot !== undefined) return undefined
  const native = tryNative()
  if (!native) return undefined
  const per = new Float64Array(16)
  // port * 16 + state, reused between samples (4 MB once, not per tick)
  byPort ??= new Uint32Array(65536 * 16)
  byPort.fill(0)
  const labels: string[] = []
  for (const { target } of eachNamespace(o.netns, o.procRoot, (t) => {
    dumpSockets(native, { families: ['inet', 'inet6'], states: SS_ALL_BITS, ext: 0, netnsPath: t.path }, (buf, off) => {
      const n = stateAt(buf, off) & 15
      per[n]!++
      byPort![localPortAt(buf, off) * 16 + n]!++
    })
  })) labels.push(target.label)
  const states: Partial<Record<StateName, number>> = {}
  let total = 0
  for (let i = 1; i < 16; i++) {
    if (!per[i]) continue
    const st = countedState(stateName(i))
    states[st] = (states[st] ?? 0) + per[i]!
    total += per[i]!
  }
  const ports: StateGroup[] = []
  const LISTEN = 10
  for (let port = 0; port < 65536; port++) {
    if (!byPort[port * 16 + LISTEN]) continue
    const g: StateGroup = { key: `:${port}`, total: 0, states: {} }
    for (let i = 1; i < 16; i++) {
      const v = byPort[port * 16 + i]!
      if (!v) continue
      const st = countedState(stateName(i))
      g.states[st] = (g.states[st] ?? 0) + v
      g.total += v
    }
    ports.push(g)
  }
  ports.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key))
  return { total, states, ports, netns: labels.join(', ') }
}

export interface SamplerOptions {
  netns?: string
  procRoot?: string
  source?: 'auto' | 'netlink' | 'procfs'
  lang?: Lang
  /** Findings every this many samples (default 60). 0: never. */
  findingsEvery?: number
  /** Owner (process) walk every this many samples (default 30). 0: never. */
  ownersEvery?: number
  /** Full socket list (ports of outbound sockets, peers, listener queues) every this many samples (default 10); between, counts come from a one-byte-per-socket dump. */
  detailEvery?: number
  /** Cap on ports, processes, peers and listeners kept per sample (default 50). */
  top?: number
}

const cap = <T>(a: T[], n: number): T[] => (a.length > n ? a.slice(0, n) : a)

export class Sampler {
  private prev: CounterSample | undefined
  private n = 0
  private findings: Finding[] = []
  private findingNote: string | undefined
  /** each findings evaluation measures rates since the previous one */
  private readonly rolling = new RollingWindow()
  private target: CounterTarget | undefined
  private processes: StateGroup[] = []
  private owners = new Map<string, string>()
  private detail: { ports: StateGroup[]; peers: StateGroup[]; listeners: SampleListener[]; source: 'netlink' | 'procfs' } | undefined
  private readonly host = hostname()

  constructor(private readonly opts: SamplerOptions = {}) {}

  async sample(): Promise<Sample> {
    const o = this.opts
    const t0 = performance.now()
    const top = o.top ?? 50
    const detailEvery = Math.max(1, o.detailEvery ?? 10)
    const fast = this.n % detailEvery !== 0 && this.detail ? fastCounts(o) : undefined
    let total: number
    let states: Partial<Record<StateName, number>>
    let netns: string
    let ports: StateGroup[]
    if (fast) {
      total = fast.total
      states = fast.states
      netns = fast.netns
      // Listener ports counted now; outbound groups (->:port) from the last full list.
      ports = cap([...fast.ports, ...this.detail!.ports.filter((p) => !p.key.startsWith(':'))].sort((a, b) => b.total - a.total), top)
    } else {
      const ownersEvery = o.ownersEvery ?? 30
      const withOwners = ownersEvery > 0 && Math.floor(this.n / detailEvery) % Math.max(1, Math.round(ownersEvery / detailEvery)) === 0
      const g = withOwners
        ? await gatherSocketsAsync({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: true })
        : gatherSockets({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: false })
      const sockets = g.namespaces.length === 1 ? g.namespaces[0]!.sockets : g.namespaces.flatMap((ns) => ns.sockets)
      const tally = tallySockets(sockets, this.owners, withOwners)
      states = tally.states
      const listeners: SampleListener[] = tally.listeners
      if (withOwners) this.processes = groupStates(sockets, 'process').filter((p) => p.key !== '-' && p.key !== '')
      total = sockets.length
      netns = g.namespaces.map((ns) => ns.netns).join(', ')
      ports = cap(groupStates(sockets, 'port'), top)
      this.detail = {
        ports,
        peers: cap(groupStates(sockets.filter((x) => x.state !== 'LISTEN'), 'remote'), top),
        listeners: cap(listeners, top),
        source: g.namespaces[0]?.source === 'procfs' ? 'procfs' : 'netlink',
      }
    }
    const notes: string[] = []
    const counters: Partial<Record<RateCounter, number>> = {}
    const counterTotals: Partial<Record<RateCounter, number>> = {}
    const rates: Partial<Record<RateName, number>> = {}
    try {
      this.target ??= counterTargets(o.netns, o.procRoot)[0]
      const cur = this.target ? this.target.read() : readCounters({ procRoot: o.procRoot })
      for (const k of RATE_COUNTERS) if (cur.counters[k] !== undefined) counterTotals[k] = cur.counters[k]
      if (this.prev) {
        const dt = (cur.monoMs - this.prev.monoMs) / 1000
        if (dt > 0) {
          for (const k of RATE_COUNTERS) {
            const d = counterStep(k, this.prev.counters[k], cur.counters[k])
            if (d !== undefined) counters[k] = d / dt
          }
          for (const [name, keys] of Object.entries(WATCH_RATES) as [RateName, readonly string[]][]) {
            let sum = 0
            for (const k of keys) sum += counterStep(k, this.prev.counters[k], cur.counters[k]) ?? 0
            rates[name] = sum / dt
          }
        }
      }
      this.prev = cur
    } catch (err) {
      notes.push((err as Error).message)
    }
    let sockstat: Sample['sockstat']
    if (o.netns === undefined) {
      try {
        const t = tcpSockstat(readSockstat({ procRoot: o.procRoot }), readSockstat6({ procRoot: o.procRoot }))
        sockstat = { inuse: t.inuse, inuse6: t.inuse6, orphan: t.orphan, tw: t.tw, alloc: t.alloc, memPages: t.memPages }
      } catch (err) {
        notes.push((err as Error).message)
      }
    }
    const fe = o.findingsEvery ?? 60
    if (fe > 0 && this.n % fe === 0) {
      try {
        const r = await diagnose({ netns: o.netns, procRoot: o.procRoot, source: o.source, intervalMs: 0, rolling: this.rolling, lang: o.lang })
        this.findings = r.findings
        this.findingNote = undefined
      } catch (err) {
        this.findingNote = (err as Error).message
      }
    }
    if (this.findingNote) notes.push(this.findingNote)
    this.n++
    const d = this.detail!
    return {
      at: Date.now(),
      hostname: this.host,
      netns,
      source: d.source,
      total,
      states,
      rates,
      counters,
      counterTotals,
      ports,
      processes: cap(this.processes, top),
      peers: d.peers,
      listeners: d.listeners,
      sockstat,
      findings: this.findings,
      notes,
      tookMs: performance.now() - t0,
    }
  }
}
