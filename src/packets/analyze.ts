/**
 * @module
 * analyzePcap(file | stream): read a capture once, track every TCP connection, and return the
 * report of `tcpdoctor analyze` (SPEC 3a). Streaming: memory grows with the number of
 * connections, not with the file.
 */
import { createReadStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { TcpdoctorError, errnoCode } from '../errors.js'
import { ANOMALY_KINDS, type AnomalyKind } from './analysis.js'
import { decodePacket, newDecoded, type DecodeResult } from './decode.js'
import { readCapture, type ReadWarning } from './reader.js'
import { Tracker, type Connection, type Outcome, type PacketLine, type StateChange, type TcpStateName } from './tracker.js'
import { msg } from '../i18n/index.js'

export interface AnalyzeOptions {
  /** collect the packet lines of this connection (0-based, as tshark's tcp.stream) */
  conn?: number
  /** called now and then with bytes read so far (for a progress bar) */
  onProgress?: (bytesRead: number) => void
}

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
  warnings: ReadWarning[]
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

/** Reads a capture from a path, '-' (stdin) or a stream and analyzes its TCP connections. */
/**
 * JSON.stringify(connectionReport(c)) without building the objects (the --json hot path: 100k
 * connections). The test checks both give the same document.
 */
export function connectionJson(c: Connection): string {
  if (c.lines) return JSON.stringify(connectionReport(c))
  const h = c.history()
  const an = c.anomalies
  let a = ''
  if (an) for (let i = 0; i < an.length; i++) if (an[i]) a += `${a ? ',' : ''}"${ANOMALY_KINDS[i]}":${an[i]}`
  const rtt = c.rtt === undefined ? 'null' : String(Math.round(c.rtt * 1e6) / 1e3)
  return `{"stream":${c.stream},"client":{"address":"${c.clientAddress}","port":${c.clientPort}},"server":{"address":"${c.serverAddress}","port":${c.serverPort}},"outcome":"${c.outcome}","states":{"client":"${c.client.state}","server":"${c.server.state}","history":{"client":"${h.client}","server":"${h.server}"}},"anomalies":{${a}},"packets":${c.a.packets + c.b.packets},"bytes":{"client":${c.client.bytes},"server":${c.server.bytes}},"start":${c.firstTs},"duration":${Math.max(0, c.lastTs - c.firstTs)},"rttMs":${rtt},"midstream":${c.midstream},"simultaneousOpen":${c.simultaneousOpen}}`
}

/** Options as for analyzeCapture; `changes` and `lines` come with `conn`. */
export async function analyzePcap(source: string | Readable | AsyncIterable<Uint8Array>, options: AnalyzeOptions = {}): Promise<AnalyzeReport> {
  const r = await analyzeCapture(source, options)
  return { ...r.head, connections: r.tracked.map(connectionReport), anomalies: r.head.anomalies }
}

export type AnalyzeHead = Omit<AnalyzeReport, 'connections'>

/** The report without the connection list, and the tracked connections (for streaming output). */
export async function analyzeCapture(source: string | Readable | AsyncIterable<Uint8Array>, options: AnalyzeOptions = {}): Promise<{ head: AnalyzeHead; tracked: Connection[] }> {
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
      stream = createReadStream(source, { highWaterMark: 1 << 20 })
    }
  } else stream = source
  const tracker = new Tracker(options.conn ?? -1)
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
    if (onProgress) {
      let bytes = 0
      const counted = (async function* () {
        for await (const chunk of stream) {
          bytes += chunk.length
          sinceProgress += chunk.length
          if (sinceProgress > 4 << 20) { sinceProgress = 0; onProgress(bytes) }
          yield chunk
        }
      })()
      summary = await readCapture(counted, sink)
    } else summary = await readCapture(stream, sink)
  } catch (e) {
    if (e instanceof TcpdoctorError) throw e
    const code = errnoCode(e)
    if (code === 'ENOENT') throw new TcpdoctorError('TD_NOT_FOUND', msg('err.packets.noSuchFile', { source: String(source) }))
    if (code) throw new TcpdoctorError('TD_IO', msg('err.packets.readingTheCapture', { detail: (e as Error).message }))
    throw e
  }
  const anomalies: Partial<Record<AnomalyKind, number>> = {}
  const outcomes: Partial<Record<Outcome, number>> = {}
  for (const c of tracker.connections) {
    const an = c.anomalies
    if (an) ANOMALY_KINDS.forEach((k, i) => { const n = an[i]!; if (n) anomalies[k] = (anomalies[k] ?? 0) + n })
  }
  for (const c of tracker.connections) { const o = c.outcome; outcomes[o] = (outcomes[o] ?? 0) + 1 }
  const skippedAll: AnalyzeReport['skipped'] = { ...skipped }
  if (summary.skipped) skippedAll['bad-record'] = summary.skipped
  return { head: { packets: summary.records, tcpPackets: tcp, format: summary.format, linktypes: summary.linktypes, anomalies, outcomes, skipped: skippedAll, warnings: summary.warnings, bytes: summary.bytes }, tracked: tracker.connections }
}
