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
 * million connections), into out. The tests check both give the same document.
 */
export function writeConnectionJson(out: JsonOut, c: Connection): void {
  out.room()
  if (c.lines) { out.text(JSON.stringify(connectionReport(c))); return }
  const client = c.client, server = c.server
  out.text('{"stream":'); out.num(c.stream)
  out.text(',"client":{"address":"'); out.text(c.clientAddress)
  out.text('","port":'); out.num(c.clientPort)
  out.text('},"server":{"address":"'); out.text(c.serverAddress)
  out.text('","port":'); out.num(c.serverPort)
  out.text('},"outcome":"'); out.text(c.outcome)
  out.text('","states":{"client":"'); out.text(client.state)
  out.text('","server":"'); out.text(server.state)
  out.text('","history":{"client":"'); out.text(client.path.changed ? client.path.text : client.state)
  out.text('","server":"'); out.text(server.path.changed ? server.path.text : server.state)
  out.text('"}},"anomalies":{')
  const an = c.anomalies
  if (an) {
    let first = true
    for (let i = 0; i < an.length; i++) {
      if (!an[i]) continue
      out.text(first ? '"' : ',"'); out.text(ANOMALY_KINDS[i]!); out.text('":'); out.num(an[i]!)
      first = false
    }
  }
  out.text('},"packets":'); out.num(c.a.packets + c.b.packets)
  out.text(',"bytes":{"client":'); out.num(client.bytes)
  out.text(',"server":'); out.num(server.bytes)
  out.text('},"start":'); out.num(c.firstTs)
  out.text(',"duration":'); out.num(Math.max(0, c.lastTs - c.firstTs))
  out.text(',"rttMs":')
  if (c.rtt === undefined) out.text('null')
  else out.num(Math.round(c.rtt * 1e6) / 1e3)
  out.text(c.midstream ? ',"midstream":true' : ',"midstream":false')
  out.text(c.simultaneousOpen ? ',"simultaneousOpen":true}' : ',"simultaneousOpen":false}')
}

/** One connection's report as text (tests; the writer itself never makes the string). */
export function connectionJson(c: Connection): string {
  const chunks: Uint8Array[] = []
  const out = new JsonOut((b) => chunks.push(b), 16 << 10)
  writeConnectionJson(out, c)
  out.flush()
  return Buffer.concat(chunks).toString('utf8')
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
