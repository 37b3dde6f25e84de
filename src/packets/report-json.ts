/**
 * @module
 * The `analyze --json` document written while the capture is read: the connections array first,
 * each connection as it finishes but in tcp.stream order (InOrder), then the totals, known only
 * at the end. Reports are written as bytes into chunks of 256 KiB (JsonOut); nothing grows with
 * the file but the reports that wait for an earlier connection (bounded by InOrder's budget).
 */
import { ANOMALY_KINDS } from './analysis.js'
import { connectionReport, type AnalyzeHead } from './analyze.js'
import { InOrder } from './in-order.js'
import { JsonOut } from './json-out.js'
import type { Connection } from './connection.js'

/**
 * JSON.stringify(connectionReport(c)) without building the objects (the --json hot path: a
 * million connections). The tests check both give the same document.
 */
export function connectionJson(c: Connection): string {
  if (c.lines) return JSON.stringify(connectionReport(c))
  const client = c.client, server = c.server
  const an = c.anomalies
  let a = ''
  if (an) for (let i = 0; i < an.length; i++) if (an[i]) a += `${a ? ',' : ''}"${ANOMALY_KINDS[i]}":${an[i]}`
  const rtt = c.rtt === undefined ? 'null' : String(Math.round(c.rtt * 1e6) / 1e3)
  const hc = client.path.changed ? client.path.text : client.state, hs = server.path.changed ? server.path.text : server.state
  return `{"stream":${c.stream},"client":{"address":"${c.clientAddress}","port":${c.clientPort}},"server":{"address":"${c.serverAddress}","port":${c.serverPort}},"outcome":"${c.outcome}","states":{"client":"${client.state}","server":"${server.state}","history":{"client":"${hc}","server":"${hs}"}},"anomalies":{${a}},"packets":${c.a.packets + c.b.packets},"bytes":{"client":${client.bytes},"server":${server.bytes}},"start":${c.firstTs},"duration":${Math.max(0, c.lastTs - c.firstTs)},"rttMs":${rtt},"midstream":${c.midstream},"simultaneousOpen":${c.simultaneousOpen}}`
}

/** A connection's report into out (one string, encoded in place: no string per chunk or stream write). */
function writeConnectionJson(out: JsonOut, c: Connection): void {
  out.text(connectionJson(c))
}

/** Writes the document through `write`; `only`: list just that connection (--conn N). */
export class ReportJsonWriter {
  private readonly out: JsonOut
  private readonly order: InOrder
  /** reports written so far (the first opens the document, the others follow a comma) */
  private written = 0
  private single: Uint8Array | undefined

  constructor(write: (chunk: Uint8Array) => void, private readonly only?: number) {
    this.out = new JsonOut(write)
    this.order = new InOrder((b) => { this.separator(); this.out.bytes(b) })
  }

  /** An OnRetire / onConnection callback: the connection's report is final. */
  connection(c: Connection): void {
    const out = this.out
    if (this.only !== undefined) {
      if (c.stream !== this.only) return
      const at = out.begin()
      writeConnectionJson(out, c)
      this.single = out.takeFrom(at)
      return
    }
    if (this.order.isNext(c.stream)) {
      // the common case: written in place, then the reports that waited for it
      out.room()
      this.separator()
      writeConnectionJson(out, c)
      this.order.advance()
      return
    }
    const at = out.begin()
    writeConnectionJson(out, c)
    this.order.put(c.stream, out.takeFrom(at))
  }

  /** The totals close the document; count: how many connections there were. */
  end(head: AnalyzeHead, count: number): void {
    if (this.only === undefined) this.order.end(count)
    else if (this.single !== undefined) { this.separator(); this.out.bytes(this.single) }
    const { anomalies, ...rest } = head
    if (this.written === 0) this.out.text('{"connections":[')
    this.out.text(`],${JSON.stringify({ ...rest, anomalies }).slice(1)}\n`)
    this.out.flush()
  }

  private separator(): void {
    this.out.text(this.written++ === 0 ? '{"connections":[' : ',')
  }
}
