/**
 * @module
 * `diagnose --capture SECONDS`: listens that long to SYN, FIN and RST segments only (a kernel
 * BPF filter on the flags, so a busy host pays for handshakes and teardowns, not for data) and
 * says who resets whom on which port, which connects are refused (SYN answered by RST) and which
 * SYNs are retransmitted (answered or not). The findings RESETS_HIGH and SYN_SENT_UNREACHABLE
 * then carry it as evidence: the counters say how many, the packets say who and where.
 */
import type { DiagnoseReport } from '../doctor/diagnose.js'
import { capture, type CapturedPacket } from './live.js'
import { networkOf } from './line.js'
import { t, type Lang } from '../i18n/index.js'

/** IPv4 via tcp[], IPv6 without extension headers via ip6[] (libpcap's tcp[] is IPv4 only). */
export const HANDSHAKE_FILTER = 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or (ip6 and ip6[6] == 6 and ip6[53] & 7 != 0)'

export interface HandshakeEvidence {
  seconds: number
  packets: number
  dropped: number
  /** RSTs that are not the answer to a SYN, by service (the lower port) and peer */
  resets: { service: string; peer: string; sentBy: 'service' | 'peer'; count: number }[]
  /** SYNs answered by RST: nothing listens there */
  refused: { target: string; count: number; clients: string[] }[]
  /** the same SYN sent again; answered: a SYN/ACK came back at last */
  synRetransmits: { target: string; retransmits: number; connections: number; answered: number }[]
}

const ep = (a: string, p: number): string => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`)

function ip4(b: Uint8Array, o: number): string { return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}` }
function ip6(b: Uint8Array, o: number): string {
  const w: string[] = []
  for (let i = 0; i < 8; i++) w.push(((b[o + 2 * i]! << 8) | b[o + 2 * i + 1]!).toString(16))
  return w.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')
}

interface Seg { src: string; dst: string; sport: number; dport: number; flags: number; seq: number; ack: number }

function segment(p: { data: Uint8Array; linktype: number }): Seg | undefined {
  const net = networkOf(p.data, p.linktype)
  if (!net) return undefined
  const b = p.data
  let o = net.offset
  let src: string
  let dst: string
  if (net.type === 0x800 && o + 20 <= b.length && b[o + 9] === 6) {
    src = ip4(b, o + 12); dst = ip4(b, o + 16); o += (b[o]! & 0xf) * 4
  } else if (net.type === 0x86dd && o + 40 <= b.length && b[o + 6] === 6) {
    src = ip6(b, o + 8); dst = ip6(b, o + 24); o += 40
  } else return undefined
  if (o + 14 > b.length) return undefined
  const u32 = (x: number): number => ((b[x]! << 24) | (b[x + 1]! << 16) | (b[x + 2]! << 8) | b[x + 3]!) >>> 0
  return { src, dst, sport: (b[o]! << 8) | b[o + 1]!, dport: (b[o + 2]! << 8) | b[o + 3]!, flags: b[o + 13]!, seq: u32(o + 4), ack: u32(o + 8) }
}

/** Pure: the evidence in a sequence of packets (live or from a file). */
export function summarizeHandshakes(packets: Iterable<{ data: Uint8Array; linktype: number }>, seconds = 0, dropped = 0): HandshakeEvidence {
  const syns = new Map<string, { target: string; client: string; seq: number; sent: number; answered: boolean }>()
  const refused = new Map<string, { count: number; clients: Set<string> }>()
  const resets = new Map<string, { service: string; peer: string; sentBy: 'service' | 'peer'; count: number }>()
  let n = 0
  for (const p of packets) {
    n++
    const s = segment(p)
    if (!s) continue
    const syn = (s.flags & 0x12) === 0x02
    const synAck = (s.flags & 0x12) === 0x12
    const rst = (s.flags & 0x04) !== 0
    if (syn) {
      const k = `${s.src}|${s.sport}|${s.dst}|${s.dport}`
      const e = syns.get(k)
      if (e && e.seq === s.seq) e.sent++
      else syns.set(k, { target: ep(s.dst, s.dport), client: s.src, seq: s.seq, sent: 1, answered: false })
      continue
    }
    const back = syns.get(`${s.dst}|${s.dport}|${s.src}|${s.sport}`)
    if (synAck && back && s.ack === ((back.seq + 1) >>> 0)) { back.answered = true; continue }
    if (!rst) continue
    if (back && !back.answered && s.ack === ((back.seq + 1) >>> 0)) {
      const r = refused.get(back.target) ?? { count: 0, clients: new Set<string>() }
      r.count++
      r.clients.add(back.client)
      refused.set(back.target, r)
      continue
    }
    const senderIsService = s.sport <= s.dport
    const service = senderIsService ? ep(s.src, s.sport) : ep(s.dst, s.dport)
    const peer = senderIsService ? s.dst : s.src
    const key = `${service}|${peer}|${senderIsService}`
    const r = resets.get(key) ?? { service, peer, sentBy: senderIsService ? 'service' : 'peer', count: 0 }
    r.count++
    resets.set(key, r)
  }
  const retrans = new Map<string, { target: string; retransmits: number; connections: number; answered: number }>()
  for (const e of syns.values()) {
    if (e.sent < 2) continue
    const r = retrans.get(e.target) ?? { target: e.target, retransmits: 0, connections: 0, answered: 0 }
    r.retransmits += e.sent - 1
    r.connections++
    if (e.answered) r.answered++
    retrans.set(e.target, r)
  }
  const top = <T extends { count?: number; retransmits?: number }>(xs: T[]): T[] => xs.sort((a, b) => (b.count ?? b.retransmits ?? 0) - (a.count ?? a.retransmits ?? 0)).slice(0, 10)
  return {
    seconds, packets: n, dropped,
    resets: top([...resets.values()]),
    refused: top([...refused].map(([target, r]) => ({ target, count: r.count, clients: [...r.clients].slice(0, 5) }))),
    synRetransmits: top([...retrans.values()]),
  }
}

/** Captures SYN/FIN/RST segments on every interface for `seconds` (needs CAP_NET_RAW). */
export async function captureHandshakes(o: { seconds: number; netns?: string; signal?: AbortSignal }): Promise<HandshakeEvidence> {
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(), o.seconds * 1000)
  o.signal?.addEventListener('abort', () => stop.abort(), { once: true })
  const cap = capture({ interface: 'any', filter: HANDSHAKE_FILTER, netns: o.netns, snaplen: 128, bufferKiB: 2048, signal: stop.signal })
  const packets: CapturedPacket[] = []
  try {
    for await (const batch of cap.batches()) for (const p of batch) if (packets.length < 1_000_000) packets.push(p)
  } finally {
    clearTimeout(timer)
  }
  return summarizeHandshakes(packets, o.seconds, cap.stats().dropped)
}

/** Adds the capture to the findings it explains (evidence.capture) and one note with the gist. */
export function attachHandshakes(report: DiagnoseReport, ev: HandshakeEvidence, lang: Lang = 'en'): void {
  for (const f of report.findings) {
    const evidence = f.evidence as Record<string, unknown>
    if (f.code === 'RESETS_HIGH') evidence.capture = { seconds: ev.seconds, resets: ev.resets, refused: ev.refused }
    if (f.code === 'SYN_SENT_UNREACHABLE') {
      const d = evidence.destination as { address: string; port: number } | undefined
      const target = d ? ep(d.address, d.port) : undefined
      evidence.capture = {
        seconds: ev.seconds,
        synRetransmits: ev.synRetransmits.filter((r) => r.target === target),
        refused: ev.refused.filter((r) => r.target === target),
      }
    }
  }
  const parts: string[] = []
  if (ev.refused.length) parts.push(t(lang, 'capture.diag.refused', { list: ev.refused.slice(0, 3).map((r) => `${r.target} x${r.count} (${r.clients.join(', ')})`).join('; ') }))
  if (ev.resets.length) parts.push(t(lang, 'capture.diag.resets', { list: ev.resets.slice(0, 3).map((r) => `${r.service} ${r.sentBy === 'service' ? '->' : '<-'} ${r.peer} x${r.count}`).join('; ') }))
  if (ev.synRetransmits.length) parts.push(t(lang, 'capture.diag.synRetrans', { list: ev.synRetransmits.slice(0, 3).map((r) => `${r.target} x${r.retransmits} (${r.answered}/${r.connections})`).join('; ') }))
  report.notes.push(t(lang, 'capture.diag.note', { seconds: ev.seconds, packets: ev.packets, dropped: ev.dropped, parts: parts.join(' | ') || '-' }))
}
