/**
 * @module
 * The Sample the monitor sampler emits, the history store keeps (states and rates) and
 * `tcpdoctor serve` serves. Field names extend `watch`'s WatchSample (the dashboard reads
 * both): extend, never rename.
 *
 * HTTP API of `tcpdoctor serve` (read-only: only GET and HEAD; anything else is 405):
 * - `GET /api/sample`                      the latest Sample (JSON).
 * - `GET /api/history?from=MS&to=MS&step=S` `{ from, to, step, samples: HistoryPoint[] }`, oldest
 *                                          first: state counts and counter rates over time, from
 *                                          the SQLite store (1 s rows for the last hour, 1 min rows
 *                                          for a week by default; `step` averages into buckets).
 * - `GET /api/findings`                    `{ at, findings: Finding[] }` with summary, evidence, fixes.
 * - `GET /api/events`                      text/event-stream: `event: sample` with a Sample per tick
 *                                          (the latest one first, on connect).
 * - `GET /metrics`                         Prometheus text format (prom-client).
 * - `GET /` and `/assets/*`                the dashboard built into dist/web; a plain page saying the
 *                                          dashboard is not built when dist/web is absent.
 * Beyond loopback every request needs `Authorization: Bearer TOKEN` (--token) or basic auth over TLS.
 */
import type { StateName } from '../model/state.js'
import type { Finding } from '../doctor/rule.js'
import type { StateGroup } from '../sockets/group.js'
import type { WatchListener } from './watch-sampler.js'

/** The counters the sampler turns into per-second rates (nstat names). */
export const RATE_COUNTERS = [
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpAttemptFails',
  'TcpEstabResets',
  'TcpOutRsts',
  'TcpRetransSegs',
  'TcpInSegs',
  'TcpOutSegs',
  'TcpInErrs',
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtTCPTimeouts',
  'TcpExtTCPSynRetrans',
  'TcpExtTCPAbortOnTimeout',
  'TcpExtTCPAbortOnData',
  'TcpExtTCPAbortOnClose',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPAbortFailed',
  'TcpExtSyncookiesSent',
  'TcpExtTCPMemoryPressures',
  'TcpExtTW',
  'TcpExtTCPTimeWaitOverflow',
] as const
export type RateCounter = (typeof RATE_COUNTERS)[number]

export interface SampleListener extends WatchListener {
  address: string
  port: number
}

export interface SampleSockstat {
  inuse: number
  inuse6: number
  orphan: number
  tw: number
  alloc: number
  memPages: number
}

export interface Sample {
  /** ms since the epoch. */
  at: number
  hostname: string
  /** Namespace label ("" or "host" for the one we run in). */
  netns: string
  source: 'netlink' | 'procfs'
  total: number
  states: Partial<Record<StateName, number>>
  /** watch's four rates per second: opens, resets, retrans, overflows. */
  rates: { opens?: number; resets?: number; retrans?: number; overflows?: number }
  /** Per second since the previous sample, by nstat name; empty on the first sample. */
  counters: Partial<Record<RateCounter, number>>
  /** Raw counter values (monotonic), for Prometheus _total counters. */
  counterTotals: Partial<Record<RateCounter, number>>
  /** Per local port, most sockets first (capped). */
  ports: StateGroup[]
  /** Top processes by sockets (capped). */
  processes: StateGroup[]
  /** Top remote hosts (capped). */
  peers: StateGroup[]
  /** Listeners, fullest accept queue first (capped). */
  listeners: SampleListener[]
  sockstat?: SampleSockstat
  /** The doctor's findings, refreshed every `--findings-every` samples (default 60), not every sample. */
  findings: Finding[]
  /** When the doctor last ran (ms since the epoch); undefined before its first run or with --findings-every 0. */
  findingsAt?: number
  /** Why something is missing (permission, namespace). */
  notes: string[]
  /** Time the sample took, ms. */
  tookMs: number
}

/** One row of /api/history and `tcpdoctor history`. */
export interface HistoryPoint {
  at: number
  /** Seconds the row covers (1 for raw rows, 60 for downsampled ones, or the asked step). */
  step: number
  total: number
  states: Partial<Record<StateName, number>>
  rates: Partial<Record<RateCounter, number>>
}
