/**
 * @module
 * The serve sampler's pass over a netlink dump, counted in place with no object per socket:
 * states, service ports (a listener's local port, else `->:remote port`, as `states --by port`),
 * peers (remote addresses) and listeners with their accept queues. Pure over inet_diag_msg bytes:
 * the sampler feeds it the live dump, the tests recorded bytes. Its arrays are reused between
 * samples, so a sample at 100,000 sockets allocates only its groups.
 */
import { formatIPv4, formatIPv6 } from '../model/address.js'
import { stateName, type StateName } from '../model/state.js'
import type { StateGroup } from '../sockets/group.js'
import { AF_INET6, IDIAG } from '../kernel/sock-diag/constants.js'
import { localPortAt, remotePortAt, stateAt } from '../kernel/sock-diag/parse.js'
import type { TalliedListener } from './tally.js'

const LISTEN = 10
const PORTS = 65536

/** A listener seen by the scan, before owners are attached. */
export interface ScannedListener extends Omit<TalliedListener, 'process'> {
  family: 'inet' | 'inet6'
  /** Index of the namespace it was dumped from (the order of begin() calls). */
  ns: number
}

export interface ScanResult {
  total: number
  states: Partial<Record<StateName, number>>
  /** Service ports, most sockets first. */
  ports: StateGroup[]
  /** Remote addresses of the sockets that are not listeners, most sockets first ("*" for no peer). */
  peers: StateGroup[]
  listeners: ScannedListener[]
}

const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0

/** NEW_SYN_RECV (12) counts as SYN_RECV (3), as ss and countStates do. */
const fold = (n: number): number => (n === 12 ? 3 : n & 15)

function grow<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, need: number, make: (n: number) => T): T {
  if (a.length >= need) return a
  const b = make(Math.max(need, a.length * 2))
  b.set(a)
  return b
}

/** The per-state counts at counts[base + 1 .. base + 15]. */
function statesOf(counts: Uint32Array | Float64Array, base: number): { total: number; states: Partial<Record<StateName, number>> } {
  const states: Partial<Record<StateName, number>> = {}
  let total = 0
  for (let st = 1; st < 16; st++) {
    const v = counts[base + st]!
    if (!v) continue
    states[stateName(st)] = v
    total += v
  }
  return { total, states }
}

const byTotal = (a: StateGroup, b: StateGroup): number => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

export class SocketScan {
  private count = 0
  /** The namespace being added (begin() calls so far, minus one). */
  private ns = -1
  private namespaces = 0
  private state = new Uint8Array(4096)
  private lport = new Uint16Array(4096)
  private rport = new Uint16Array(4096)
  private nsOf = new Uint16Array(4096)
  /** One byte per (namespace, port): something listens there. */
  private listening = new Uint8Array(PORTS)
  private perState = new Uint32Array(16)
  private peerIndex = new Map<number | string, number>()
  private peerKeys: string[] = []
  private peerCounts = new Uint32Array(16 * 64)
  /** Order-free hash of every socket's (namespace, state, ports, address) since reset(). */
  private fp = 0
  /** The last IPv4 peer counted (-1: none this sample) and its index. */
  private lastPeer = -1
  private lastPeerIndex = 0
  private listeners: ScannedListener[] = []
  /** Per port * 16 + state, for the second pass: sockets keyed by their local port / their remote port. */
  private local: Uint32Array | undefined
  private remote: Uint32Array | undefined

  /** Starts a sample. */
  reset(): void {
    this.listening.fill(0, 0, Math.max(1, this.namespaces) * PORTS)
    this.count = 0
    this.namespaces = 0
    this.ns = -1
    this.perState.fill(0)
    this.peerCounts.fill(0, 0, this.peerKeys.length * 16)
    this.peerIndex.clear()
    this.peerKeys.length = 0
    this.lastPeer = -1
    this.fp = 0
    this.listeners = []
  }

  /** Sockets added from now on come from the next namespace. */
  begin(): void {
    this.ns = this.namespaces++
    this.listening = grow(this.listening, this.namespaces * PORTS, (n) => new Uint8Array(n))
  }

  /** Counts the inet_diag_msg at off. */
  add(buf: Uint8Array, off: number): void {
    const st = fold(stateAt(buf, off))
    const v6 = buf[off] === AF_INET6
    if (st === LISTEN) this.count1(st, localPortAt(buf, off), 0, v6, buf, off + IDIAG.src, u32(buf, off + IDIAG.rqueue), u32(buf, off + IDIAG.wqueue))
    else this.count1(st, localPortAt(buf, off), remotePortAt(buf, off), v6, buf, off + IDIAG.dst, 0, 0)
  }

  /**
   * Counts the BPF tcp iterator records (native/src/tcpiter.c) in buf[off, end) and returns the
   * bytes used: a record cut at end is left for the caller to carry into the next read.
   */
  addRecords(buf: Uint8Array, off: number, end: number): number {
    const start = off
    for (;;) {
      if (end - off < 24) break
      const raw = buf[off + 1]!
      if (raw === LISTEN) {
        if (end - off < 32) break
        this.count1(LISTEN, buf[off + 2]! | (buf[off + 3]! << 8), 0, buf[off] === AF_INET6, buf, off + 8, u32(buf, off + 24), u32(buf, off + 28))
        off += 32
      } else {
        this.count1(fold(raw), buf[off + 2]! | (buf[off + 3]! << 8), (buf[off + 4]! << 8) | buf[off + 5]!, buf[off] === AF_INET6, buf, off + 8, 0, 0)
        off += 24
      }
    }
    return off - start
  }

  /** One socket: a listener's local address at addr, anyone else's remote address there. */
  private count1(st: number, lp: number, rp: number, v6: boolean, buf: Uint8Array, addr: number, queue: number, backlog: number): void {
    const i = this.count++
    if (i === this.state.length) {
      this.state = grow(this.state, i + 1, (n) => new Uint8Array(n))
      this.lport = grow(this.lport, i + 1, (n) => new Uint16Array(n))
      this.rport = grow(this.rport, i + 1, (n) => new Uint16Array(n))
      this.nsOf = grow(this.nsOf, i + 1, (n) => new Uint16Array(n))
    }
    const ns = Math.max(0, this.ns)
    this.state[i] = st
    this.lport[i] = lp
    this.rport[i] = rp
    this.nsOf[i] = ns
    this.perState[st]!++
    // A sum of mixed words: the same sockets in any order give the same value.
    const w = (buf[addr + 12]! | (buf[addr + 13]! << 8) | (buf[addr + 14]! << 16) | (buf[addr + 15]! << 24)) ^ (buf[addr]! | (buf[addr + 1]! << 8) | (buf[addr + 2]! << 16) | (buf[addr + 3]! << 24))
    let x = Math.imul((ns << 21) ^ (st << 16) ^ lp, 0x9e3779b1) ^ Math.imul((rp << 16) ^ w, 0x85ebca77)
    x ^= x >>> 15
    this.fp = (this.fp + Math.imul(x, 0xc2b2ae35)) | 0
    if (st === LISTEN) {
      this.listening[ns * PORTS + lp] = 1
      const address = v6 ? formatIPv6(buf, addr) : formatIPv4(buf, addr)
      this.listeners.push({ family: v6 ? 'inet6' : 'inet', address, port: lp, local: `${v6 ? `[${address}]` : address}:${lp}`, queue, backlog, ns })
      return
    }
    let key: number | string
    if (rp === 0) key = '*'
    else if (v6) key = formatIPv6(buf, addr)
    else {
      key = ((buf[addr]! << 24) | (buf[addr + 1]! << 16) | (buf[addr + 2]! << 8) | buf[addr + 3]!) >>> 0
      // Consecutive sockets mostly share a peer: the last IPv4 one skips the map.
      if (key === this.lastPeer) {
        this.peerCounts[this.lastPeerIndex * 16 + st]!++
        return
      }
    }
    let p = this.peerIndex.get(key)
    if (p === undefined) {
      p = this.peerKeys.length
      this.peerIndex.set(key, p)
      this.peerKeys.push(typeof key === 'number' ? formatIPv4(buf, addr) : key)
      this.peerCounts = grow(this.peerCounts, (p + 1) * 16, (n) => new Uint32Array(n))
    }
    if (typeof key === 'number') {
      this.lastPeer = key
      this.lastPeerIndex = p
    }
    this.peerCounts[p * 16 + st]!++
  }

  /** A hash of the sockets added since reset() (with their count): equal for the same sockets. */
  fingerprint(): string {
    return `${this.count}:${this.fp}`
  }

  /** The groups of the sockets added since reset(); ports and peers capped at `top`. */
  result(top: number): ScanResult {
    const { total, states } = statesOf(this.perState, 0)
    // Service ports need every listener first: a second pass over the per-socket ports. Only the
    // ports seen are visited and zeroed again (the tables stay zero between samples).
    const local = (this.local ??= new Uint32Array(PORTS * 16))
    const remote = (this.remote ??= new Uint32Array(PORTS * 16))
    const seen: number[] = []
    for (let i = 0; i < this.count; i++) {
      const st = this.state[i]!
      const lp = this.lport[i]!
      if (this.listening[this.nsOf[i]! * PORTS + lp]) {
        if (local[lp * 16]!++ === 0) seen.push(lp)
        local[lp * 16 + st]!++
      } else {
        const rp = this.rport[i]!
        if (remote[rp * 16]!++ === 0) seen.push(PORTS + rp)
        remote[rp * 16 + st]!++
      }
    }
    // Slot 0 of each port (no state is 0) counts its sockets.
    const ports: StateGroup[] = []
    for (const k of seen) {
      const t = k < PORTS ? local : remote
      const base = (k % PORTS) * 16
      const g = statesOf(t, base)
      ports.push({ key: k < PORTS ? `:${k}` : `->:${k - PORTS}`, total: g.total, states: g.states })
      t.fill(0, base, base + 16)
    }
    ports.sort(byTotal)
    const peers: StateGroup[] = this.peerKeys.map((key, p) => ({ key, ...statesOf(this.peerCounts, p * 16) }))
    peers.sort(byTotal)
    return { total, states, ports: ports.slice(0, top), peers: peers.slice(0, top), listeners: this.listeners }
  }
}
