/**
 * @module
 * `diagnose --capture SECONDS`: listens that long to SYN, FIN and RST segments only (a kernel
 * BPF filter on the flags, so a busy host pays for handshakes and teardowns, not for data) and
 * says who resets whom on which port, which connects are refused (SYN answered by RST) and which
 * SYNs are retransmitted (answered or not). The findings RESETS_HIGH and SYN_SENT_UNREACHABLE
 * then carry it as evidence: the counters say how many, the packets say who and where, and the
 * socket view over the same window (every socket with its owner at the start, then the SYN_SENT
 * ones every 200 ms) says which local process each end belongs to.
 */
import type { DiagnoseReport } from '../doctor/diagnose.js'
import { ownerOf, processText } from '../doctor/offenders.js'
import { attachOwners } from '../kernel/owners.js'
import type { Socket } from '../model/socket.js'
import { STATE_NAMES, type StateName } from '../model/state.js'
import { gatherSockets } from '../sockets/gather.js'
import { capture, type CapturedPacket } from './live.js'
import { networkOf } from './line.js'
import { t, type Lang } from '../i18n/index.js'

/** IPv4 via tcp[], IPv6 without extension headers via ip6[] (libpcap's tcp[] is IPv4 only). */
export const HANDSHAKE_FILTER = 'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0 or (ip6 and ip6[6] == 6 and ip6[53] & 7 != 0)'

export interface HandshakeEvidence {
  seconds: number
  packets: number
  dropped: number
  /**
   * RSTs that are not the answer to a SYN, by service (the lower port) and peer; the local
   * processes of the service's end (its connection or listener) and of the peer's end, when the
   * socket view showed them ("command (pid N)")
   */
  resets: { service: string; peer: string; sentBy: 'service' | 'peer'; count: number; serviceProcesses?: string[]; peerProcesses?: string[] }[]
  /**
   * SYNs answered by RST: nothing listens there. processes: the local clients' owners; listeners:
   * local listeners on the same port at another address ("127.0.0.1:8080 nginx (pid 7)"), when
   * the target is a local address (a service bound to the wrong address)
   */
  refused: { target: string; count: number; clients: string[]; processes?: string[]; listeners?: string[] }[]
  /** the same SYN sent again; answered: a SYN/ACK came back at last; processes: the senders' owners */
  synRetransmits: { target: string; retransmits: number; connections: number; answered: number; processes?: string[] }[]
}

/** A socket of the window's socket view, reduced to what the matching needs. */
export interface SeenSocket {
  state: StateName
  local: { address: string; port: number }
  remote: { address: string; port: number }
  /** "command (pid N)" of its owner, when it has one */
  process?: string
}

/** One spelling per address: IPv4-mapped IPv6 as IPv4, IPv6 as eight full groups. */
function canon(a: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)
  if (m) return m[1]!
  if (!a.includes(':')) return a
  const [head, tail = ''] = a.toLowerCase().split('::')
  const h = head ? head.split(':') : [], tl = a.includes('::') && tail ? tail.split(':') : []
  const groups = a.includes('::') ? [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl] : h
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')
}
const WILDCARD = new Set(['0.0.0.0', '0:0:0:0:0:0:0:0'])
const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '0:0:0:0:0:0:0:1'

/** Lookups over the socket view: by local end (and remote), listeners by port. */
class SocketIndex {
  private byLocal = new Map<string, SeenSocket[]>()
  private listeners = new Map<number, SeenSocket[]>()
  readonly localAddresses = new Set<string>()
  constructor(sockets: readonly SeenSocket[]) {
    for (const s of sockets) {
      const k = `${canon(s.local.address)}|${s.local.port}`
      if (s.state === 'LISTEN') this.listeners.set(s.local.port, [...(this.listeners.get(s.local.port) ?? []), s])
      else this.byLocal.set(k, [...(this.byLocal.get(k) ?? []), s])
      if (!WILDCARD.has(canon(s.local.address))) this.localAddresses.add(canon(s.local.address))
    }
  }
  /** The owner of the connection socket at address:port towards peer (any peer when none matches exactly). */
  connection(address: string, port: number, peer?: { address: string; port: number }): string | undefined {
    const xs = (this.byLocal.get(`${canon(address)}|${port}`) ?? []).filter((s) => s.process)
    const exact = peer && xs.find((s) => canon(s.remote.address) === canon(peer.address) && s.remote.port === peer.port)
    return (exact ?? xs[0])?.process
  }
  /** The owner of the listener that takes connections to address:port (bound to it or to a wildcard). */
  listener(address: string, port: number): string | undefined {
    const a = canon(address)
    return (this.listeners.get(port) ?? []).find((s) => s.process && (canon(s.local.address) === a || WILDCARD.has(canon(s.local.address))))?.process
  }
  listens(port: number): boolean { return this.listeners.has(port) }
  /** Listeners on this port, each as "address:port owner". */
  onPort(port: number): string[] {
    return (this.listeners.get(port) ?? []).map((s) => `${ep(canon(s.local.address), port)}${s.process ? ` ${s.process}` : ''}`)
  }
  isLocal(address: string): boolean {
    const a = canon(address)
    return isLoopback(a) || this.localAddresses.has(a)
  }
}

const addTo = (set: Set<string>, v: string | undefined): void => { if (v && set.size < 5) set.add(v) }

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

/** Pure: the evidence in a sequence of packets (live or from a file), ends named from the socket view when given. */
export function summarizeHandshakes(packets: Iterable<{ data: Uint8Array; linktype: number }>, seconds = 0, dropped = 0, sockets: readonly SeenSocket[] = []): HandshakeEvidence {
  const view = new SocketIndex(sockets)
  const syns = new Map<string, { target: string; client: string; sport: number; dst: string; dport: number; seq: number; sent: number; answered: boolean }>()
  const refused = new Map<string, { count: number; clients: Set<string>; processes: Set<string>; dst: string; dport: number }>()
  const resets = new Map<string, { service: string; peer: string; sentBy: 'service' | 'peer'; count: number; sp: Set<string>; pp: Set<string> }>()
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
      else syns.set(k, { target: ep(s.dst, s.dport), client: s.src, sport: s.sport, dst: s.dst, dport: s.dport, seq: s.seq, sent: 1, answered: false })
      continue
    }
    const back = syns.get(`${s.dst}|${s.dport}|${s.src}|${s.sport}`)
    if (synAck && back && s.ack === ((back.seq + 1) >>> 0)) { back.answered = true; continue }
    if (!rst) continue
    if (back && !back.answered && s.ack === ((back.seq + 1) >>> 0)) {
      const r = refused.get(back.target) ?? { count: 0, clients: new Set<string>(), processes: new Set<string>(), dst: back.dst, dport: back.dport }
      r.count++
      r.clients.add(back.client)
      addTo(r.processes, view.connection(back.client, back.sport, { address: back.dst, port: back.dport }))
      refused.set(back.target, r)
      continue
    }
    // the service is the end the SYN went to (seen in the window), else the end with a listener
    // on its port, else the lower port (ephemeral ports, 32768-60999, overlap service ports)
    const senderSentSyn = syns.has(`${s.src}|${s.sport}|${s.dst}|${s.dport}`)
    const senderIsService = back ? true : senderSentSyn ? false : view.listens(s.sport) !== view.listens(s.dport) ? view.listens(s.sport) : s.sport <= s.dport
    const service = senderIsService ? ep(s.src, s.sport) : ep(s.dst, s.dport)
    const peer = senderIsService ? s.dst : s.src
    const key = `${service}|${peer}|${senderIsService}`
    const r = resets.get(key) ?? { service, peer, sentBy: senderIsService ? 'service' : 'peer', count: 0, sp: new Set<string>(), pp: new Set<string>() }
    r.count++
    const [sa, sp, pa, pport] = senderIsService ? [s.src, s.sport, s.dst, s.dport] : [s.dst, s.dport, s.src, s.sport]
    addTo(r.sp, view.connection(sa, sp, { address: pa, port: pport }) ?? view.listener(sa, sp))
    addTo(r.pp, view.connection(pa, pport, { address: sa, port: sp }))
    resets.set(key, r)
  }
  const retrans = new Map<string, { target: string; retransmits: number; connections: number; answered: number; ps: Set<string> }>()
  for (const e of syns.values()) {
    if (e.sent < 2) continue
    const r = retrans.get(e.target) ?? { target: e.target, retransmits: 0, connections: 0, answered: 0, ps: new Set<string>() }
    r.retransmits += e.sent - 1
    r.connections++
    if (e.answered) r.answered++
    addTo(r.ps, view.connection(e.client, e.sport, { address: e.dst, port: e.dport }))
    retrans.set(e.target, r)
  }
  const top = <T extends { count?: number; retransmits?: number }>(xs: T[]): T[] => xs.sort((a, b) => (b.count ?? b.retransmits ?? 0) - (a.count ?? a.retransmits ?? 0)).slice(0, 10)
  // the process lists only when the socket view named someone (a capture read from a file has none)
  const some = (set: Set<string>): string[] | undefined => (set.size ? [...set] : undefined)
  return {
    seconds, packets: n, dropped,
    resets: top([...resets.values()].map(({ sp, pp, ...r }) => ({ ...r, ...(sp.size ? { serviceProcesses: some(sp) } : {}), ...(pp.size ? { peerProcesses: some(pp) } : {}) }))),
    refused: top([...refused].map(([target, r]) => {
      const listeners = view.isLocal(r.dst) ? view.onPort(r.dport).slice(0, 5) : []
      return { target, count: r.count, clients: [...r.clients].slice(0, 5), ...(r.processes.size ? { processes: some(r.processes) } : {}), ...(listeners.length ? { listeners } : {}) }
    })),
    synRetransmits: top([...retrans.values()].map(({ ps, ...r }) => ({ ...r, ...(ps.size ? { processes: some(ps) } : {}) }))),
  }
}

/**
 * The socket view over a capture window: every socket but TIME_WAIT (which has no owner) with its
 * owner at the start, then the SYN_SENT ones every sampleMs, owners looked up only for sockets not
 * seen yet (a connect that waits for an answer lives long enough to be named; one refused within
 * a millisecond usually does not). Best effort: a namespace that goes away ends the sampling.
 */
export class SocketWatch {
  private seen = new Map<string, SeenSocket>()
  private walks = 0
  private failed = false
  constructor(private readonly netns: string | undefined, private readonly maxWalks = 50) {}

  sample(states: readonly StateName[] = STATE_NAMES.filter((x) => x !== 'TIME_WAIT' && x !== 'BOUND_INACTIVE')): void {
    if (this.failed || this.walks >= this.maxWalks) return
    let sockets: Socket[]
    try {
      sockets = gatherSockets({ netns: this.netns, states, owners: false }).namespaces.flatMap((n) => n.sockets)
    } catch {
      this.failed = true
      return
    }
    const key = (s: Socket): string => `${s.cookie || s.inode}|${s.state}|${s.local.address}|${s.local.port}|${s.remote.address}|${s.remote.port}`
    const fresh = sockets.filter((s) => !this.seen.has(key(s)))
    if (!fresh.length) return
    this.walks++
    try {
      attachOwners(fresh)
    } catch {
      // /proc unreadable: the sockets stay unnamed
    }
    for (const s of fresh) {
      const p = ownerOf(s)
      this.seen.set(key(s), { state: s.state, local: s.local, remote: s.remote, ...(p ? { process: processText({ ...p, count: 1 }) } : {}) })
    }
  }

  sockets(): SeenSocket[] { return [...this.seen.values()] }
}

/** Captures SYN/FIN/RST segments on every interface for `seconds` (needs CAP_NET_RAW), with the socket view beside. */
export async function captureHandshakes(o: { seconds: number; netns?: string; signal?: AbortSignal; sampleMs?: number }): Promise<HandshakeEvidence> {
  const stop = new AbortController()
  const timer = setTimeout(() => stop.abort(), o.seconds * 1000)
  o.signal?.addEventListener('abort', () => stop.abort(), { once: true })
  const cap = capture({ interface: 'any', filter: HANDSHAKE_FILTER, netns: o.netns, snaplen: 128, bufferKiB: 2048, signal: stop.signal })
  const watch = new SocketWatch(o.netns)
  watch.sample()
  const sampler = setInterval(() => watch.sample(['SYN_SENT']), o.sampleMs ?? 200)
  const packets: CapturedPacket[] = []
  try {
    for await (const batch of cap.batches()) for (const p of batch) if (packets.length < 1_000_000) packets.push(p)
  } finally {
    clearTimeout(timer)
    clearInterval(sampler)
  }
  return summarizeHandshakes(packets, o.seconds, cap.stats().dropped, watch.sockets())
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
  // each end with its local process, when the socket view named one: "127.0.0.1:80 nginx (pid 7)"
  const named = (what: string, ps: string[] | undefined): string => (ps?.length ? `${what} ${ps.join(', ')}` : what)
  if (ev.refused.length) parts.push(t(lang, 'capture.diag.refused', { list: ev.refused.slice(0, 3).map((r) => `${r.target} x${r.count} (${named(r.clients.join(', '), r.processes)})`).join('; ') }))
  const elsewhere = ev.refused.filter((r) => r.listeners?.length).slice(0, 3)
  if (elsewhere.length) parts.push(t(lang, 'capture.diag.listeners', { list: elsewhere.map((r) => `${r.target}: ${r.listeners!.join(', ')}`).join('; ') }))
  if (ev.resets.length) parts.push(t(lang, 'capture.diag.resets', { list: ev.resets.slice(0, 3).map((r) => `${named(r.service, r.serviceProcesses)} ${r.sentBy === 'service' ? '->' : '<-'} ${named(r.peer, r.peerProcesses)} x${r.count}`).join('; ') }))
  if (ev.synRetransmits.length) parts.push(t(lang, 'capture.diag.synRetrans', { list: ev.synRetransmits.slice(0, 3).map((r) => `${r.target} x${r.retransmits} (${r.answered}/${r.connections})${r.processes?.length ? ` ${r.processes.join(', ')}` : ''}`).join('; ') }))
  report.notes.push(t(lang, 'capture.diag.note', { seconds: ev.seconds, packets: ev.packets, dropped: ev.dropped, parts: parts.join(' | ') || '-' }))
}
