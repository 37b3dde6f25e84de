/**
 * The streaming path of analyze (what `analyze --json` runs): on a generated capture of thousands
 * of connections, 20 open at a time beside one that lives through the whole file, the tracker
 * never holds more than the open ones plus those closed within the linger, the streamed JSON
 * equals the library's whole report, and both equal tshark's streams (when tshark is here).
 * A packet that comes after its connection was reported is counted and warned about.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { need } from '../../test/helpers/can.js'
import { tsharkStreams } from '../../test/helpers/tshark.js'
import { analyzeCapture, analyzePcap } from './analyze.js'
import { CLOSED_LINGER } from './lifetime.js'
import { pcapHeader, pcapRecords, type PcapRecord } from './pcap-writer.js'
import { ReportJsonWriter } from './report-json.js'

const SYN = 0x02, ACK = 0x10, FIN = 0x01, RST = 0x04, PSH = 0x08

/** Ethernet/IPv4/TCP frames of a made-up capture, timestamps in µs. */
class Capture {
  readonly records: PcapRecord[] = []
  us = 1_700_000_000_000_000
  packet(cli: number, cport: number, fromClient: boolean, flags: number, seq: number, ack: number, len: number, step = 5000): void {
    const b = Buffer.alloc(54 + len)
    b.writeUInt16BE(0x0800, 12)
    b[14] = 0x45; b.writeUInt16BE(40 + len, 16); b[22] = 64; b[23] = 6
    const srv = 0xc0a80001
    b.writeUInt32BE(fromClient ? cli : srv, 26); b.writeUInt32BE(fromClient ? srv : cli, 30)
    b.writeUInt16BE(fromClient ? cport : 80, 34); b.writeUInt16BE(fromClient ? 80 : cport, 36)
    b.writeUInt32BE(seq >>> 0, 38); b.writeUInt32BE(ack >>> 0, 42)
    b[46] = 0x50; b[47] = flags; b.writeUInt16BE(65535, 48)
    this.records.push({ sec: Math.floor(this.us / 1e6), nsec: (this.us % 1e6) * 1000, data: b, len: b.length })
    this.us += step
  }
  bytes(): Buffer {
    return Buffer.concat([pcapHeader({ linktype: 1 }), pcapRecords(this.records)])
  }
}

/** Steps of connection c (0-9); some end by RST, some retransmit, some are refused or unanswered. */
function step(cap: Capture, c: number, s: number): void {
  const cli = (10 << 24) | (c >> 8 << 8) | (c & 255) | (1 << 16), port = 1024 + (c % 50_000)
  const ci = 1000 + c * 7, si = 900_000 + c * 13
  const p = (fromClient: boolean, flags: number, seq: number, ack: number, len = 0): void => cap.packet(cli >>> 0, port, fromClient, flags, seq, ack, len)
  if (c % 13 === 5) { // refused, or never answered
    if (s === 0) p(true, SYN, ci, 0)
    if (s === 1 && c % 2) p(false, RST | ACK, 0, ci + 1)
    return
  }
  switch (s) {
    case 0: return p(true, SYN, ci, 0)
    case 1: return p(false, SYN | ACK, si, ci + 1)
    case 2: return p(true, ACK, ci + 1, si + 1)
    case 3: return p(true, PSH | ACK, ci + 1, si + 1, 100)
    case 4: return c % 11 === 3 ? p(true, PSH | ACK, ci + 1, si + 1, 100) : p(false, ACK, si + 1, ci + 101)
    case 5: return p(false, PSH | ACK, si + 1, ci + 101, 200)
    case 6: return p(true, ACK, ci + 101, si + 201)
    case 7: return c % 7 === 2 ? p(true, RST | ACK, ci + 101, si + 201) : p(true, FIN | ACK, ci + 101, si + 201)
    case 8: return c % 7 === 2 ? undefined : p(false, FIN | ACK, si + 201, ci + 102)
    case 9: return c % 7 === 2 ? undefined : p(true, ACK, ci + 102, si + 202)
  }
}

const CONNECTIONS = 3000, OPEN = 20

/** CONNECTIONS connections OPEN at a time, and one (stream 0) that sends every 2 s throughout. */
function manyConnections(): Buffer {
  const cap = new Capture()
  const longCli = 0x0b000001, longPort = 4000
  cap.packet(longCli, longPort, true, SYN, 1, 0, 0)
  cap.packet(longCli, longPort, false, SYN | ACK, 5, 2, 0)
  cap.packet(longCli, longPort, true, ACK, 2, 6, 0)
  let seq = 2, next = cap.us
  for (let base = 0; base < CONNECTIONS; base += OPEN) {
    for (let s = 0; s < 10; s++) for (let i = 0; i < OPEN; i++) step(cap, base + i, s)
    if (cap.us >= next) {
      cap.packet(longCli, longPort, true, PSH | ACK, seq, 6, 10)
      seq += 10
      next = cap.us + 2_000_000
    }
  }
  return cap.bytes()
}

async function streamed(bytes: Uint8Array): Promise<{ doc: unknown; maxHeld: number; count: number }> {
  let text = ''
  const w = new ReportJsonWriter((t) => { text += t })
  const r = await analyzeCapture((async function* () { yield bytes })(), { onConnection: (c) => w.connection(c) })
  w.end(r.head, r.count)
  return { doc: JSON.parse(text), maxHeld: r.maxHeld, count: r.count }
}

const dir = mkdtempSync(join(tmpdir(), 'tdp-stream-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('analyze streaming', () => {
  const bytes = manyConnections()

  it('holds the open connections and those closed within the linger, not the file', async () => {
    const { maxHeld, count } = await streamed(bytes)
    expect(count).toBe(CONNECTIONS + 1)
    // a round of 20 connections takes under 1 s (5 ms a packet): fewer than 25 close a second and
    // linger CLOSED_LINGER s; the unanswered SYNs (1 in 26) wait HANDSHAKE_IDLE, longer than the file
    const unanswered = Math.ceil(CONNECTIONS / 26)
    expect(maxHeld).toBeGreaterThan(OPEN + unanswered)
    expect(maxHeld).toBeLessThan(OPEN + 1 + unanswered + 25 * (CLOSED_LINGER + 1))
    const whole = await analyzeCapture((async function* () { yield bytes })())
    expect(whole.maxHeld).toBe(CONNECTIONS + 1)
  })

  it('writes the same document as the library\'s whole report, in stream order', async () => {
    const { doc } = await streamed(bytes)
    const lib = JSON.parse(JSON.stringify(await analyzePcap((async function* () { yield bytes })())))
    expect(doc).toEqual(lib)
    const outcomes = lib.outcomes as Record<string, number>
    for (const o of ['four-way', 'reset', 'refused', 'syn-unanswered', 'open']) expect(outcomes[o], o).toBeGreaterThan(0)
    expect(lib.anomalies.retransmission).toBeGreaterThan(0)
  })

  it.skipIf(need(['tool', 'tshark']) !== undefined)('equals tshark\'s streams', async () => {
    const file = join(dir, 'many.pcap')
    writeFileSync(file, bytes)
    const r = await analyzePcap(file)
    const t = tsharkStreams(file)
    expect(r.connections.length).toBe(t.length)
    r.connections.forEach((c, i) => {
      const mine: Record<string, number> = { ...c.anomalies }
      delete mine.illegal_flags
      expect(mine, `connection ${i}`).toEqual(t[i]!.anomalies)
      expect(c.packets, `connection ${i}`).toBe(t[i]!.packets)
    })
  }, 120_000)

  it('a port reused after the report keeps tshark\'s numbering; a packet after the report is counted as late', async () => {
    const cap = new Capture()
    const cli = 0x0a000001
    const conn = (isn: number): void => {
      cap.packet(cli, 5000, true, SYN, isn, 0, 0)
      cap.packet(cli, 5000, false, SYN | ACK, 77, isn + 1, 0)
      cap.packet(cli, 5000, true, ACK, isn + 1, 78, 0)
      cap.packet(cli, 5000, true, RST | ACK, isn + 1, 78, 0, (CLOSED_LINGER + 5) * 1e6)
    }
    conn(100) // stream 0, reported when the next packet comes 15 s after its RST
    cap.packet(cli + 1, 5000, true, SYN, 9, 0, 0) // stream 1
    conn(200) // a new ISN on stream 0's ports: stream 2, reused_ports, as tshark numbers it
    cap.packet(cli, 5000, true, ACK, 201, 78, 0) // 15 s after stream 2's RST: late
    const b = cap.bytes()
    const { doc } = await streamed(b)
    const s = doc as { connections: { stream: number; anomalies: Record<string, number>; packets: number }[]; warnings: { kind: string }[]; tcpPackets: number }
    expect(s.connections.map((c) => c.stream)).toEqual([0, 1, 2])
    expect(s.connections[2]!.anomalies.reused_ports).toBe(1)
    expect(s.warnings.map((w) => w.kind)).toEqual(['late'])
    expect(s.tcpPackets).toBe(10)
    const lib = await analyzePcap((async function* () { yield b })())
    expect(lib.connections.map((c) => c.anomalies.reused_ports ?? 0)).toEqual([0, 0, 1])
    expect(lib.connections[2]!.packets).toBe(s.connections[2]!.packets + 1)
  })
})
