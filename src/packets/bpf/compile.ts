/**
 * @module
 * Compiles a parsed tcpdump filter to classic BPF for one link type, the way libpcap's gencode.c
 * shapes it (same primitive order, same IPv6 limits: `port` needs TCP/UDP/SCTP as the next
 * header directly, `tcp[...]` reads IPv4 only), so `tcpdump -dd` and the packets tcpdump accepts
 * are the oracles. Short-circuit code with forward labels, then optimize.ts removes repeated
 * loads and threads jumps whose outcome is already known.
 *
 * Hand-written because no npm package compiles pcap filters without libpcap (cap, pcap need
 * libpcap-dev and nan); the subset is small.
 */
import { TcpdoctorError } from '../../errors.js'
import { BPF, SKF_AD_PROTOCOL, type Insn } from './insn.js'
import { optimize, type Item, type Label } from './optimize.js'
import { parseFilter, type Address, type Arith, type Dir, type Expr, type Proto } from './parse.js'
import { msg } from '../../i18n/index.js'

/** Link layers the compiler knows. `cooked` is what a kernel filter sees on a SOCK_DGRAM packet socket (`-i any`): the network header at 0, the EtherType from SKF_AD_PROTOCOL. */
export type LinkType = 'ethernet' | 'sll' | 'sll2' | 'raw' | 'cooked'

/** pcap LINKTYPE_* number of each link (cooked packets are written as SLL2). */
export const LINKTYPE: Record<LinkType, number> = { ethernet: 1, sll: 113, sll2: 276, raw: 101, cooked: 276 }

interface Layout { ethertype: { size: number; off: number } | null; l3: number; ether: boolean }

const LAYOUTS: Record<LinkType, Layout> = {
  ethernet: { ethertype: { size: BPF.H, off: 12 }, l3: 14, ether: true },
  sll: { ethertype: { size: BPF.H, off: 14 }, l3: 16, ether: false },
  sll2: { ethertype: { size: BPF.H, off: 0 }, l3: 20, ether: false },
  raw: { ethertype: null, l3: 0, ether: false },
  cooked: { ethertype: { size: BPF.H, off: SKF_AD_PROTOCOL }, l3: 0, ether: false },
}

export const DEFAULT_SNAPLEN = 262144

export interface CompileOptions {
  /** The accept return value: bytes kept per packet (default 262144, as tcpdump). */
  snaplen?: number
  /** Skip the optimizer (for tests of the optimizer itself). */
  optimize?: boolean
}

type Cond = (t: Label, f: Label) => void

class Gen {
  items: Item[] = []
  private labels = 0
  private scratch = 0
  constructor(readonly layout: Layout, readonly text: string) {}
  label(): Label { return { id: this.labels++, at: -1 } }
  bind(l: Label): void { this.items.push({ kind: 'label', label: l }) }
  ld(size: number, mode: number, k: number, key: string | null): void {
    this.items.push({ kind: 'ld', key, body: [{ code: BPF.LD | size | mode, jt: 0, jf: 0, k: k >>> 0 }] })
  }
  jump(code: number, k: number, t: Label, f: Label): void { this.items.push({ kind: 'j', code: BPF.JMP | code, k: k >>> 0, t, f }) }
  ja(t: Label): void { this.items.push({ kind: 'ja', t }) }
  op(body: Insn[], clobX = false): void { this.items.push({ kind: 'op', body, clobX }) }
  newScratch(): number {
    if (this.scratch >= 16) throw new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterArithmeticNestedToo', { text: JSON.stringify(this.text) }))
    return this.scratch++
  }
  freeScratch(): void { this.scratch-- }
}

const and = (a: Cond, b: Cond, g: Gen): Cond => (t, f) => { const m = g.label(); a(m, f); g.bind(m); b(t, f) }
const or = (a: Cond, b: Cond, g: Gen): Cond => (t, f) => { const m = g.label(); a(t, m); g.bind(m); b(t, f) }
const not = (a: Cond): Cond => (t, f) => a(f, t)
const always = (g: Gen): Cond => (t) => g.ja(t)
const never = (g: Gen): Cond => (_t, f) => g.ja(f)
const all = (g: Gen, cs: Cond[]): Cond => cs.reduce((x, y) => and(x, y, g))
const any = (g: Gen, cs: Cond[]): Cond => cs.reduce((x, y) => or(x, y, g))

/** A test of one loaded value: A = load; jump on (A op k). */
function test(g: Gen, size: number, off: number, code: number, k: number, mask?: number): Cond {
  return (t, f) => {
    const key = `abs${size}:${off}`
    g.ld(size, BPF.ABS, off, key)
    if (mask !== undefined && mask !== 0xffffffff) g.op([{ code: BPF.ALU | BPF.AND | BPF.K, jt: 0, jf: 0, k: mask >>> 0 }])
    g.jump(code, k, t, f)
  }
}

function ethertype(g: Gen, type: 0x800 | 0x86dd | 0x806 | 0x8035): Cond {
  const et = g.layout.ethertype
  if (et) return test(g, et.size, et.off, BPF.JEQ, type)
  // raw IP: the version nibble decides; ARP cannot appear
  if (type === 0x806 || type === 0x8035) return never(g)
  return (t, f) => {
    g.items.push({ kind: 'ld', key: 'ipver', body: [{ code: BPF.LD | BPF.B | BPF.ABS, jt: 0, jf: 0, k: 0 }, { code: BPF.ALU | BPF.AND | BPF.K, jt: 0, jf: 0, k: 0xf0 }] })
    g.jump(BPF.JEQ, type === 0x800 ? 0x40 : 0x60, t, f)
  }
}

const PROTO_NUM: Partial<Record<Proto, number>> = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmp6: 58 }

function v4proto(g: Gen, p: number): Cond {
  return and(ethertype(g, 0x800), test(g, BPF.B, g.layout.l3 + 9, BPF.JEQ, p), g)
}

function v6proto(g: Gen, p: number): Cond {
  const o = g.layout.l3
  // libpcap also looks one fragment header deep for the protocol primitives
  return and(ethertype(g, 0x86dd), or(test(g, BPF.B, o + 6, BPF.JEQ, p), and(test(g, BPF.B, o + 6, BPF.JEQ, 44), test(g, BPF.B, o + 40, BPF.JEQ, p), g), g), g)
}

function protoPrimitive(g: Gen, p: Proto): Cond {
  switch (p) {
    case 'ip': return ethertype(g, 0x800)
    case 'ip6': return ethertype(g, 0x86dd)
    case 'arp': return ethertype(g, 0x806)
    case 'rarp': return ethertype(g, 0x8035)
    case 'icmp': return v4proto(g, 1)
    case 'icmp6': return v6proto(g, 58)
    default: return or(v4proto(g, PROTO_NUM[p]!), v6proto(g, PROTO_NUM[p]!), g)
  }
}

function byDir(g: Gen, dir: Dir, src: Cond, dst: Cond): Cond {
  if (dir === 'src') return src
  if (dir === 'dst') return dst
  return dir === 'src or dst' ? or(src, dst, g) : and(src, dst, g)
}

function word(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0
}

function addrTest(g: Gen, off: number, a: Address): Cond {
  const words: Cond[] = []
  for (let w = 0; w < a.bytes.length / 4; w++) {
    const bits = Math.max(0, Math.min(32, a.prefix - w * 32))
    if (bits === 0 && a.prefix < 128 && a.family === 6) continue
    const mask = bits === 32 ? 0xffffffff : bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    words.push(test(g, BPF.W, off + w * 4, BPF.JEQ, (word(a.bytes, w * 4) & mask) >>> 0, mask))
  }
  return words.length ? all(g, words) : always(g)
}

function hostPrimitive(g: Gen, e: Extract<Expr, { k: 'host' | 'net' }>): Cond {
  const o = g.layout.l3
  if (e.addr.family === 6) return and(ethertype(g, 0x86dd), byDir(g, e.dir, addrTest(g, o + 8, e.addr), addrTest(g, o + 24, e.addr)), g)
  const ip = and(ethertype(g, 0x800), byDir(g, e.dir, addrTest(g, o + 12, e.addr), addrTest(g, o + 16, e.addr)), g)
  const arpBody = byDir(g, e.dir, addrTest(g, o + 14, e.addr), addrTest(g, o + 24, e.addr))
  if (e.proto === 'ip') return ip
  if (e.proto === 'arp') return and(ethertype(g, 0x806), arpBody, g)
  if (e.proto === 'rarp') return and(ethertype(g, 0x8035), arpBody, g)
  return or(ip, and(or(ethertype(g, 0x806), ethertype(g, 0x8035), g), arpBody, g), g)
}

function portTest(g: Gen, load: (t: Label, f: Label) => void, lo: number, hi: number, range: boolean): Cond {
  return (t, f) => {
    if (!range) { load(t, f); g.jump(BPF.JEQ, lo, t, f); return }
    const m = g.label()
    load(t, f)
    g.jump(BPF.JGE, lo, m, f)
    g.bind(m)
    g.jump(BPF.JGT, hi, f, t)
  }
}

function portPrimitive(g: Gen, e: Extract<Expr, { k: 'port' }>): Cond {
  const o = g.layout.l3
  const protos = e.proto && e.proto !== 'ip' && e.proto !== 'ip6' ? [PROTO_NUM[e.proto]!] : [132, 6, 17]
  const v6 = all(g, [
    ethertype(g, 0x86dd),
    any(g, protos.map((p) => test(g, BPF.B, o + 6, BPF.JEQ, p))),
    byDir(g, e.dir,
      portTest(g, () => g.ld(BPF.H, BPF.ABS, o + 40, `abs${BPF.H}:${o + 40}`), e.lo, e.hi, e.range),
      portTest(g, () => g.ld(BPF.H, BPF.ABS, o + 42, `abs${BPF.H}:${o + 42}`), e.lo, e.hi, e.range)),
  ])
  const ind = (off: number) => () => {
    g.items.push({ kind: 'ldx', key: `msh:${o}`, body: [{ code: BPF.LDX | BPF.B | BPF.MSH, jt: 0, jf: 0, k: o }] })
    g.ld(BPF.H, BPF.IND, o + off, `ind${BPF.H}:${o + off}@msh:${o}`)
  }
  const v4 = all(g, [
    ethertype(g, 0x800),
    any(g, protos.map((p) => test(g, BPF.B, o + 9, BPF.JEQ, p))),
    notFragment(g),
    byDir(g, e.dir, portTest(g, ind(0), e.lo, e.hi, e.range), portTest(g, ind(2), e.lo, e.hi, e.range)),
  ])
  if (e.proto === 'ip') return v4
  if (e.proto === 'ip6') return v6
  return or(v6, v4, g)
}

function notFragment(g: Gen): Cond {
  return not(test(g, BPF.H, g.layout.l3 + 6, BPF.JSET, 0x1fff))
}

/** The guard a proto[...] load needs (libpcap: transport loads are IPv4 only, not fragments). */
function loadGuard(g: Gen, proto: Extract<Arith, { k: 'load' }>['proto']): Cond | undefined {
  if (proto === 'ether') {
    if (!g.layout.ether) throw new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterEtherNeedsAn', { text: JSON.stringify(g.text) }))
    return undefined
  }
  if (proto === 'ip') return ethertype(g, 0x800)
  if (proto === 'ip6') return ethertype(g, 0x86dd)
  return and(v4proto(g, PROTO_NUM[proto]!), notFragment(g), g)
}

function loadsIn(a: Arith, out: Set<string>): Set<string> {
  if (a.k === 'load') out.add(a.proto)
  if (a.k === 'bin') { loadsIn(a.a, out); loadsIn(a.b, out) }
  return out
}

const ALU: Record<string, number> = { '+': BPF.ADD, '-': BPF.SUB, '*': BPF.MUL, '/': BPF.DIV, '%': BPF.MOD, '&': BPF.AND, '|': BPF.OR, '^': BPF.XOR, '<<': BPF.LSH, '>>': BPF.RSH }

function fold(a: Arith): Arith {
  if (a.k !== 'bin') return a
  const x = fold(a.a)
  const y = fold(a.b)
  if (x.k === 'num' && y.k === 'num') {
    const u = x.v >>> 0
    const v = y.v >>> 0
    const r: Record<string, () => number | undefined> = {
      '+': () => u + v, '-': () => u - v, '*': () => Math.imul(u, v), '/': () => (v ? Math.floor(u / v) : undefined), '%': () => (v ? u % v : undefined),
      '&': () => u & v, '|': () => u | v, '^': () => u ^ v, '<<': () => (v >= 32 ? 0 : u << v), '>>': () => (v >= 32 ? 0 : u >>> v),
    }
    const n = r[a.op]!()
    if (n !== undefined) return { k: 'num', v: n >>> 0 }
  }
  return { ...a, a: x, b: y }
}

/** Emits code that leaves the value of a in A. */
function arith(g: Gen, a: Arith): void {
  const o = g.layout.l3
  switch (a.k) {
    case 'num': g.ld(BPF.W, BPF.IMM, a.v, `imm:${a.v}`); return
    case 'len': g.ld(BPF.W, BPF.LEN, 0, 'len'); return
    case 'load': {
      const size = a.size === 1 ? BPF.B : a.size === 2 ? BPF.H : BPF.W
      if (a.proto === 'tcp' || a.proto === 'udp' || a.proto === 'icmp') {
        g.items.push({ kind: 'ldx', key: `msh:${o}`, body: [{ code: BPF.LDX | BPF.B | BPF.MSH, jt: 0, jf: 0, k: o }] })
        g.ld(size, BPF.IND, o + a.offset, `ind${size}:${o + a.offset}@msh:${o}`)
      } else {
        const off = a.proto === 'ether' ? a.offset : o + a.offset
        g.ld(size, BPF.ABS, off, `abs${size}:${off}`)
      }
      return
    }
    case 'bin': {
      if ((a.op === '/' || a.op === '%') && a.b.k === 'num' && a.b.v === 0) throw new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterDivisionByZero', { text: JSON.stringify(g.text) }))
      if (a.b.k === 'num') {
        arith(g, a.a)
        g.op([{ code: BPF.ALU | ALU[a.op]! | BPF.K, jt: 0, jf: 0, k: a.b.v >>> 0 }])
        return
      }
      const m = g.newScratch()
      arith(g, a.b)
      g.op([{ code: BPF.ST, jt: 0, jf: 0, k: m }])
      arith(g, a.a)
      g.op([{ code: BPF.LDX | BPF.MEM, jt: 0, jf: 0, k: m }, { code: BPF.ALU | ALU[a.op]! | BPF.X, jt: 0, jf: 0, k: 0 }], true)
      g.freeScratch()
    }
  }
}

function relation(g: Gen, rel: Extract<Expr, { k: 'rel' }>): Cond {
  const e = { ...rel, a: fold(rel.a), b: fold(rel.b) }
  const guards = [...loadsIn(e.b, loadsIn(e.a, new Set()))].map((p) => loadGuard(g, p as 'ip')).filter((c): c is Cond => c !== undefined)
  const body: Cond = (t, f) => {
    // (x & m) != 0 is one jset, as libpcap emits it
    if (e.b.k === 'num' && e.b.v === 0 && (e.op === '!=' || e.op === '==') && e.a.k === 'bin' && e.a.op === '&' && e.a.b.k === 'num') {
      arith(g, e.a.a)
      if (e.op === '!=') g.jump(BPF.JSET, e.a.b.v, t, f)
      else g.jump(BPF.JSET, e.a.b.v, f, t)
      return
    }
    let src: number = BPF.K
    let k = 0
    if (e.b.k === 'num') {
      arith(g, e.a)
      k = e.b.v
    } else {
      const m = g.newScratch()
      arith(g, e.b)
      g.op([{ code: BPF.ST, jt: 0, jf: 0, k: m }])
      arith(g, e.a)
      g.op([{ code: BPF.LDX | BPF.MEM, jt: 0, jf: 0, k: m }], true)
      g.freeScratch()
      src = BPF.X
    }
    switch (e.op) {
      case '==': g.jump(BPF.JEQ | src, k, t, f); break
      case '!=': g.jump(BPF.JEQ | src, k, f, t); break
      case '>': g.jump(BPF.JGT | src, k, t, f); break
      case '>=': g.jump(BPF.JGE | src, k, t, f); break
      case '<': g.jump(BPF.JGE | src, k, f, t); break
      case '<=': g.jump(BPF.JGT | src, k, f, t); break
    }
  }
  return guards.length ? all(g, [...guards, body]) : body
}

function cond(g: Gen, e: Expr): Cond {
  switch (e.k) {
    case 'and': return and(cond(g, e.a), cond(g, e.b), g)
    case 'or': return or(cond(g, e.a), cond(g, e.b), g)
    case 'not': return not(cond(g, e.e))
    case 'proto': return protoPrimitive(g, e.proto)
    case 'host':
    case 'net': return hostPrimitive(g, e)
    case 'port': return portPrimitive(g, e)
    case 'rel': return relation(g, e)
  }
}

/** Compiles a parsed expression (undefined: accept all) for a link type. */
export function compileExpr(e: Expr | undefined, link: LinkType, text = '', options: CompileOptions = {}): Insn[] {
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN
  if (!e) return [{ code: BPF.RET | BPF.K, jt: 0, jf: 0, k: snaplen }]
  const g = new Gen(LAYOUTS[link], text)
  const accept = g.label()
  const reject = g.label()
  cond(g, e)(accept, reject)
  g.bind(accept)
  g.items.push({ kind: 'ret', k: snaplen })
  g.bind(reject)
  g.items.push({ kind: 'ret', k: 0 })
  return optimize(g.items, options.optimize ?? true, text)
}

/** Parses and compiles a tcpdump filter expression for a link type. */
export function compileFilter(text: string, link: LinkType, options: CompileOptions = {}): Insn[] {
  return compileExpr(parseFilter(text), link, text, options)
}
