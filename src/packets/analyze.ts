/**
 * @module
 * analyzePcap(file | stream): read a capture once, track every TCP connection, and return the
 * report of `tcpdoctor analyze` (SPEC 3a). analyzeCapture with onConnection is the streaming
 * path the CLI takes: each connection is handed over once its report is final and its state is
 * freed, so memory is bounded by the connections open at once (lifetime.ts), not by the file.
 */
import { statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { TcpdoctorError, errnoCode } from '../errors.js'
import type { AnomalyKind } from './analysis.js'
import { decodePacket, newDecoded, type DecodeResult } from './decode.js'
import { readCapture, readFileChunks, warning, type ReadWarning } from './reader.js'
import { CLOSED_LINGER, CLOSED_MAX } from './lifetime.js'
import { Totals } from './totals.js'
import type { Connection, Outcome, PacketLine, StateChange, TcpStateName } from './connection.js'
import { Tracker } from './tracker.js'
import { msg } from '../i18n/index.js'

export interface AnalyzeOptions {
  /** collect the packet lines of this connection (0-based, as tshark's tcp.stream) */
  conn?: number
  /** called now and then with bytes read so far (for a progress bar) */
  onProgress?: (bytesRead: number) => void
}

export interface CaptureOptions extends AnalyzeOptions {
  /**
   * The streaming path: called with each connection once its report is final (in the order they
   * finish, not in stream order), just before its state is freed (the object is then reused for a
   * later connection: keep what it says, not the object). Without it every connection is kept and
   * returned in `tracked`.
   */
  onConnection?: (c: Connection) => void
  /** Asked before each chunk of input: a promise to wait for (the output's backpressure), or undefined. */
  drain?: () => Promise<unknown> | undefined
}

/** The reader's warnings, and `late`: packets of connections whose reports were already final. */
export interface AnalyzeWarning { kind: ReadWarning['kind'] | 'late'; at: number; detail: string }

export interface EndpointJson { address: string; port: number }

export interface ConnectionReport {
  /** tshark's tcp.stream */
  stream: number
  client: EndpointJson
  server: EndpointJson
  outcome: Outcome
  /** both endpoints' states at the end of the capture, and how they got there */
  states: {
    client: TcpStateName
    server: TcpStateName
    /** each side's states in order, ">"-joined ("CLOSE>SYN_SENT>ESTABLISHED>...") */
    history: { client: string; server: string }
    /** every change with its frame and time: with the `conn` option (--conn N), else omitted */
    changes?: StateChange[]
  }
  anomalies: Partial<Record<AnomalyKind, number>>
  packets: number
  bytes: { client: number; server: number }
  /** epoch seconds */
  start: number
  duration: number
  /** handshake round-trip (SYN -> final ACK), ms; null when not seen */
  rttMs: number | null
  midstream: boolean
  simultaneousOpen: boolean
  lines?: PacketLine[]
}

export interface AnalyzeReport {
  packets: number
  tcpPackets: number
  format: 'pcap' | 'pcapng'
  linktypes: number[]
  connections: ConnectionReport[]
  anomalies: Partial<Record<AnomalyKind, number>>
  outcomes: Partial<Record<Outcome, number>>
  /** records not decoded: by reason */
  skipped: Partial<Record<DecodeResult | 'bad-record', number>>
  warnings: AnalyzeWarning[]
  bytes: number
}

/** The report of one tracked connection (built on demand: a big capture is written connection by connection). */
export function connectionReport(c: Connection): ConnectionReport {
  const r: ConnectionReport = {
    stream: c.stream,
    client: { address: c.clientAddress, port: c.clientPort },
    server: { address: c.serverAddress, port: c.serverPort },
    outcome: c.outcome,
    states: { client: c.client.state, server: c.server.state, history: c.history() },
    anomalies: c.anomalyRecord(),
    packets: c.a.packets + c.b.packets,
    bytes: { client: c.client.bytes, server: c.server.bytes },
    start: c.firstTs,
    duration: Math.max(0, c.lastTs - c.firstTs),
    rttMs: c.rtt === undefined ? null : Math.round(c.rtt * 1e6) / 1e3,
    midstream: c.midstream,
    simultaneousOpen: c.simultaneousOpen,
  }
  if (c.lines) { r.lines = c.lines; r.states.changes = c.changes }
  return r
}

/** Options as for analyzeCapture; `changes` and `lines` come with `conn`. */
export async function analyzePcap(source: string | Readable | AsyncIterable<Uint8Array>, options: AnalyzeOptions = {}): Promise<AnalyzeReport> {
  const { conn, onProgress } = options
  const r = await analyzeCapture(source, { ...(conn !== undefined ? { conn } : {}), ...(onProgress ? { onProgress } : {}) })
  return { ...r.head, connections: r.tracked.map(connectionReport) }
}

export type AnalyzeHead = Omit<AnalyzeReport, 'connections'>

export interface CaptureResult {
  head: AnalyzeHead
  /** every connection in stream order; empty with onConnection */
  tracked: Connection[]
  /** how many connections there were (tcp.stream 0 to count - 1) */
  count: number
  /** the most connections whose state was held at once */
  maxHeld: number
}

/** The report without the connection list, and the connections (kept, or handed to onConnection). */
export async function analyzeCapture(source: string | Readable | AsyncIterable<Uint8Array>, options: CaptureOptions = {}): Promise<CaptureResult> {
  let stream: AsyncIterable<Uint8Array>
  if (typeof source === 'string') {
    if (source === '-') stream = process.stdin
    else {
      try {
        if (statSync(source).isDirectory()) throw new TcpdoctorError('TD_IO', msg('err.packets.isADirectoryNot', { source }))
      } catch (e) {
        if (e instanceof TcpdoctorError) throw e
        if (errnoCode(e) === 'ENOENT') throw new TcpdoctorError('TD_NOT_FOUND', msg('err.packets.noSuchFile', { source }))
        throw new TcpdoctorError('TD_IO', msg('err.packets.readFailed', { source, detail: (e as Error).message }))
      }
      stream = readFileChunks(source)
    }
  } else stream = source
  const totals = new Totals()
  const onConnection = options.onConnection
  const tracker = new Tracker(options.conn ?? -1, onConnection ? (c) => { totals.add(c); onConnection(c) } : undefined)
  const d = newDecoded()
  const skipped: Partial<Record<DecodeResult, number>> = {}
  let frame = 0
  let tcp = 0
  let sinceProgress = 0
  const onProgress = options.onProgress
  const sink = (buf: Uint8Array, off: number, caplen: number, _orig: number, ts: number, linktype: number): void => {
    frame++
    const r = decodePacket(buf, off, caplen, linktype, d)
    if (r === 'tcp') {
      tcp++
      d.ts = ts
      tracker.add(d, frame, ts)
    } else if (r !== 'udp' && r !== 'icmp') skipped[r] = (skipped[r] ?? 0) + 1
  }
  let summary
  try {
    const drain = options.drain
    if (onProgress || drain) {
      let bytes = 0
      const paced = (async function* () {
        for await (const chunk of stream) {
          bytes += chunk.length
          sinceProgress += chunk.length
          if (onProgress && sinceProgress > 4 << 20) { sinceProgress = 0; onProgress(bytes) }
          const wait = drain?.()
          if (wait) await wait
          yield chunk
        }
      })()
      summary = await readCapture(paced, sink)
    } else summary = await readCapture(stream, sink)
  } catch (e) {
    if (e instanceof TcpdoctorError) throw e
    const code = errnoCode(e)
    if (code === 'ENOENT') throw new TcpdoctorError('TD_NOT_FOUND', msg('err.packets.noSuchFile', { source: String(source) }))
    if (code) throw new TcpdoctorError('TD_IO', msg('err.packets.readingTheCapture', { detail: (e as Error).message }))
    throw e
  }
  tracker.finish()
  if (!onConnection) for (const c of tracker.connections) totals.add(c)
  const skippedAll: AnalyzeReport['skipped'] = { ...skipped }
  if (summary.skipped) skippedAll['bad-record'] = summary.skipped
  const warnings: AnalyzeWarning[] = [...summary.warnings]
  if (tracker.late) warnings.push(warning('late', tracker.firstLate - 1, msg('packets.warn.late', { late: tracker.late, linger: CLOSED_LINGER, max: CLOSED_MAX })))
  const head: AnalyzeHead = { packets: summary.records, tcpPackets: tcp, format: summary.format, linktypes: summary.linktypes, anomalies: totals.anomalies, outcomes: totals.outcomes, skipped: skippedAll, warnings, bytes: summary.bytes }
  return { head, tracked: tracker.connections, count: tracker.streams, maxHeld: tracker.maxHeld }
}
