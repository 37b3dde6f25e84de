/**
 * @module
 * The monitor sampler behind `serve` and `history`: per-state counts, per listener port, per
 * namespace; counter deltas as rates per second; sockstat; the doctor's findings at a slower
 * cadence. Cheap enough for 1 s at 100k sockets: every sample is one netlink dump counted in
 * place (scan.ts, no object per socket), the /proc/<pid>/fd owner walk runs every `ownersEvery`
 * samples and the doctor every `findingsEvery`, or less often when one run of it costs more than
 * DOCTOR_SHARE of a core over that time (bench/monitor.js measures the CPU). Without
 * netlink (--source procfs, no addon) every sample reads the socket list instead.
 */
import { hostname } from 'node:os'
import { gatherSockets, gatherSocketsAsync } from '../sockets/gather.js'
import { groupStates, type StateGroup } from '../sockets/group.js'
import { readRawTable } from '../sockets/raw.js'
import { counterTargets, counterStep, readCounters, type CounterSample, type CounterTarget } from '../counters/counters.js'
import type { StateName } from '../model/state.js'
import { SS_ALL_BITS } from '../model/state.js'
import { readSockstat, readSockstat6, tcpSockstat } from '../kernel/procfs/sockstat.js'
import { diagnose } from '../doctor/diagnose.js'
import { RollingWindow } from '../doctor/collect.js'
import type { Finding } from '../doctor/rule.js'
import { msg, type Lang } from '../i18n/index.js'
import { TcpdoctorError, errorIn } from '../errors.js'
import { sortListeners, tallySockets } from './tally.js'
import { SocketScan } from './scan.js'
import { ownersOf } from './processes.js'
import { RATE_COUNTERS, type RateCounter, type Sample, type SampleListener } from './sample.js'
import { WATCH_RATES, type RateName } from './watch-sampler.js'
import { tryNative } from '../kernel/native.js'
import { dumpSockets } from '../kernel/sock-diag/dump.js'
import { iterateTcp, tcpIterUsable } from '../kernel/tcp-iter.js'
import { debug } from '../debug.js'
import { eachNamespace } from '../sockets/namespaces.js'
import { resolveNetns } from '../kernel/netns.js'

export interface SamplerOptions {
  netns?: string
  procRoot?: string
  source?: 'auto' | 'netlink' | 'procfs'
  lang?: Lang
  /** Findings every this many samples at most (default 60; see DOCTOR_SHARE). 0: never. */
  findingsEvery?: number
  /** Time between samples (default 1000 ms): what DOCTOR_SHARE is a share of. */
  intervalMs?: number
  /**
   * Owner (process) walk every this many samples (default 30) when the sockets changed since the
   * last walk, and every OWNERS_SKIP_MAX such turns regardless. 0: never.
   */
  ownersEvery?: number
  /** Cap on ports, processes, peers and listeners kept per sample (default 50). */
  top?: number
}

/**
 * The doctor's share of one core: after a run that took C ms of CPU, the next one waits at least
 * C / (DOCTOR_SHARE * interval) samples. At 100,000 sockets a run costs ~1.5 s, so at 1 s it runs
 * about every 150 samples instead of 60; on a small host `findingsEvery` decides.
 */
export const DOCTOR_SHARE = 0.01

/**
 * An owner walk (a dump with inodes and every process's fds: ~0.4 s of CPU at 100k sockets) is
 * skipped on its turn while the sockets are the very ones of the last walk (same fingerprint:
 * states, ports, addresses); after this many skipped turns it runs anyway, for owners that
 * changed under unchanged sockets (a fork, an exit of one of two holders, an fd passed).
 */
export const OWNERS_SKIP_MAX = 9

const cap = <T>(a: T[], n: number): T[] => (a.length > n ? a.slice(0, n) : a)

interface SocketPart {
  netns: string
  source: 'netlink' | 'procfs'
  total: number
  states: Partial<Record<StateName, number>>
  ports: StateGroup[]
  peers: StateGroup[]
  listeners: SampleListener[]
}

/** Netlink errors after which `auto` reads /proc instead (as kernel/source.ts falls back). */
const NO_NETLINK = new Set(['TD_NATIVE_MISSING', 'TD_UNSUPPORTED', 'TD_NETLINK'])

export class Sampler {
  private prev: CounterSample | undefined
  private n = 0
  private findings: Finding[] = []
  private findingsAt: number | undefined
  private nextFindings = 0
  private findingNote: string | undefined
  /** each findings evaluation measures rates since the previous one */
  private readonly rolling = new RollingWindow()
  private target: CounterTarget | undefined
  private processes: StateGroup[] = []
  private owners = new Map<string, string>()
  private readonly scan = new SocketScan()
  private netlink: boolean
  /** The BPF tcp iterator counts the samples between owner walks, until it fails 3 times in a row. */
  private tcpIter: boolean
  private tcpIterFails = 0
  /** Sockets of the last sample and of the last owner walk (scan fingerprints); walks skipped since. */
  private lastPrint = ''
  private walkPrint: string | undefined
  private skippedWalks = 0
  /** Owner walks so far (the tests count them). */
  ownerWalks = 0
  private readonly host = hostname()

  constructor(private readonly opts: SamplerOptions = {}) {
    this.netlink = opts.source !== 'procfs' && tryNative() !== undefined
    this.tcpIter = this.netlink && tcpIterUsable(opts.procRoot)
  }

  /** Where the samples between owner walks come from now (the tests check which path ran). */
  get socketSource(): 'bpf' | 'netlink' | 'procfs' {
    return this.netlink ? (this.tcpIter ? 'bpf' : 'netlink') : 'procfs'
  }

  /** The sockets of every target namespace into the scan: BPF iterator records, else a sock_diag dump. */
  private scanNamespaces(labels: string[]): void {
    const o = this.opts
    const native = tryNative()
    if (!native) throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.monitor.noAddon'))
    const scan = this.scan
    if (this.tcpIter) {
      try {
        for (const { target } of eachNamespace(o.netns, o.procRoot, (t) => {
          scan.begin()
          iterateTcp(native, t.path, (buf, off, end) => scan.addRecords(buf, off, end))
        })) labels.push(target.label)
        this.tcpIterFails = 0
        return
      } catch (err) {
        // Counted again from the dump below; after 3 failures in a row (with a dump that works)
        // the iterator is not tried again.
        debug('BPF tcp iterator failed (%s); sock_diag dump instead', (err as Error).message)
        scan.reset()
        labels.length = 0
        for (const { target } of eachNamespace(o.netns, o.procRoot, (t) => {
          scan.begin()
          dumpSockets(native, { families: ['inet', 'inet6'], states: SS_ALL_BITS, ext: 0, netnsPath: t.path }, (buf, off) => scan.add(buf, off))
        })) labels.push(target.label)
        if (++this.tcpIterFails >= 3) this.tcpIter = false
        return
      }
    }
    for (const { target } of eachNamespace(o.netns, o.procRoot, (t) => {
      scan.begin()
      dumpSockets(native, { families: ['inet', 'inet6'], states: SS_ALL_BITS, ext: 0, netnsPath: t.path }, (buf, off) => scan.add(buf, off))
    })) labels.push(target.label)
  }

  /** Sockets from one dump counted in place; owners (a raw table with the fd walk) on owner samples. */
  private async fromNetlink(withOwners: boolean, top: number): Promise<SocketPart> {
    const o = this.opts
    const scan = this.scan
    scan.reset()
    const labels: string[] = []
    if (withOwners) {
      const table = await readRawTable({ query: {}, netns: o.netns, procRoot: o.procRoot ?? '/proc', owners: true })
      if (!table) throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.monitor.noNetlink'))
      const { raw } = table
      let label: string | undefined | null = null
      for (let i = 0; i < raw.count; i++) {
        if (raw.netns(i) !== label) {
          label = raw.netns(i)
          scan.begin()
        }
        scan.add(raw.bytes(i), raw.offset(i))
      }
      const owned = ownersOf(table)
      this.processes = owned.processes
      this.owners = owned.listeners
      for (const t of resolveNetns(o.netns, o.procRoot)) labels.push(t.label)
    } else this.scanNamespaces(labels)
    const r = scan.result(top)
    const listeners = sortListeners(r.listeners.map((l): SampleListener => ({ local: l.local, address: l.address, port: l.port, queue: l.queue, backlog: l.backlog, process: this.owners.get(l.local) })))
    return { netns: labels.join(', '), source: 'netlink', total: r.total, states: r.states, ports: r.ports, peers: r.peers, listeners: cap(listeners, top) }
  }

  /** The socket list as objects (the /proc fallback). */
  private async fromList(withOwners: boolean, top: number): Promise<SocketPart> {
    const o = this.opts
    const g = withOwners
      ? await gatherSocketsAsync({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: true })
      : gatherSockets({ netns: o.netns, procRoot: o.procRoot, source: o.source, owners: false })
    const sockets = g.namespaces.length === 1 ? g.namespaces[0]!.sockets : g.namespaces.flatMap((ns) => ns.sockets)
    const tally = tallySockets(sockets, this.owners, withOwners)
    if (withOwners) this.processes = groupStates(sockets, 'process').filter((p) => p.key !== '-' && p.key !== '')
    return {
      netns: g.namespaces.map((ns) => ns.netns).join(', '),
      source: g.namespaces[0]?.source === 'procfs' ? 'procfs' : 'netlink',
      total: sockets.length,
      states: tally.states,
      ports: cap(groupStates(sockets, 'port'), top),
      peers: cap(groupStates(sockets.filter((x) => x.state !== 'LISTEN'), 'remote'), top),
      listeners: cap(tally.listeners, top),
    }
  }

  async sample(): Promise<Sample> {
    const o = this.opts
    const t0 = performance.now()
    const top = o.top ?? 50
    const ownersEvery = o.ownersEvery ?? 30
    let withOwners = ownersEvery > 0 && this.n % ownersEvery === 0
    if (withOwners && this.netlink && this.walkPrint === this.lastPrint && this.skippedWalks < OWNERS_SKIP_MAX) {
      withOwners = false
      this.skippedWalks++
    }
    let part: SocketPart | undefined
    if (this.netlink) {
      try {
        part = await this.fromNetlink(withOwners, top)
      } catch (err) {
        if (o.source === 'netlink' || !(err instanceof TcpdoctorError && NO_NETLINK.has(err.code))) throw err
        this.netlink = false
      }
    }
    part ??= await this.fromList(withOwners, top)
    this.lastPrint = part.source === 'netlink' ? this.scan.fingerprint() : ''
    if (withOwners) {
      this.ownerWalks++
      this.walkPrint = part.source === 'netlink' ? this.lastPrint : undefined
      this.skippedWalks = 0
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
      notes.push(errorIn(err, o.lang ?? 'en'))
    }
    let sockstat: Sample['sockstat']
    if (o.netns === undefined) {
      try {
        const t = tcpSockstat(readSockstat({ procRoot: o.procRoot }), readSockstat6({ procRoot: o.procRoot }))
        sockstat = { inuse: t.inuse, inuse6: t.inuse6, orphan: t.orphan, tw: t.tw, alloc: t.alloc, memPages: t.memPages }
      } catch (err) {
        notes.push(errorIn(err, o.lang ?? 'en'))
      }
    }
    const fe = o.findingsEvery ?? 60
    if (fe > 0 && this.n >= this.nextFindings) {
      const c0 = process.cpuUsage()
      try {
        const r = await diagnose({ netns: o.netns, procRoot: o.procRoot, source: o.source, intervalMs: 0, rolling: this.rolling, lang: o.lang })
        this.findings = r.findings
        this.findingsAt = Date.now()
        this.findingNote = undefined
      } catch (err) {
        this.findingNote = errorIn(err, o.lang ?? 'en')
      }
      const c = process.cpuUsage(c0)
      this.nextFindings = this.n + Math.max(fe, Math.ceil((c.user + c.system) / 1000 / (DOCTOR_SHARE * (o.intervalMs ?? 1000))))
    }
    if (this.findingNote) notes.push(this.findingNote)
    this.n++
    return {
      at: Date.now(),
      hostname: this.host,
      netns: part.netns,
      source: part.source,
      total: part.total,
      states: part.states,
      rates,
      counters,
      counterTotals,
      ports: part.ports,
      processes: cap(this.processes, top),
      peers: part.peers,
      listeners: part.listeners,
      sockstat,
      findings: this.findings,
      findingsAt: this.findingsAt,
      notes,
      tookMs: performance.now() - t0,
    }
  }
}
