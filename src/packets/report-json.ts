/**
 * @module
 * The `analyze --json` document written while the capture is read: the connections array first,
 * each connection as it finishes but in tcp.stream order (InOrder), then the totals, known only
 * at the end. Output goes out in chunks of about 64 KiB; nothing grows with the file but the
 * reports that wait for an earlier connection (bounded by InOrder's budget).
 */
import { ANOMALY_KINDS } from './analysis.js'
import { connectionReport, type AnalyzeHead } from './analyze.js'
import { InOrder } from './in-order.js'
import type { Connection } from './connection.js'

const CHUNK = 64 << 10

/**
 * JSON.stringify(connectionReport(c)) without building the objects (the --json hot path: a
 * million connections). The tests check both give the same document.
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

/** Writes the document through `write`; `only`: list just that connection (--conn N). */
export class ReportJsonWriter {
  private readonly order = new InOrder((t) => this.append(t))
  /** connection texts not written yet, and their length */
  private parts: string[] = []
  private partsLength = 0
  private started = false
  private single: string | undefined

  constructor(private readonly write: (text: string) => void, private readonly only?: number) {}

  /** An OnRetire / onConnection callback: the connection's report is final. */
  connection(c: Connection): void {
    if (this.only === undefined) this.order.put(c.stream, connectionJson(c))
    else if (c.stream === this.only) this.single = connectionJson(c)
  }

  /** The totals close the document; count: how many connections there were. */
  end(head: AnalyzeHead, count: number): void {
    if (this.only === undefined) this.order.end(count)
    else if (this.single !== undefined) this.append(this.single)
    const { anomalies, ...rest } = head
    this.flush()
    this.write(`${this.started ? '' : '{"connections":['}],${JSON.stringify({ ...rest, anomalies }).slice(1)}\n`)
  }

  private append(text: string): void {
    this.parts.push(text)
    this.partsLength += text.length
    if (this.partsLength > CHUNK) this.flush()
  }

  private flush(): void {
    if (!this.parts.length) return
    this.write(`${this.started ? ',' : '{"connections":['}${this.parts.join(',')}`)
    this.started = true
    this.parts = []
    this.partsLength = 0
  }
}
