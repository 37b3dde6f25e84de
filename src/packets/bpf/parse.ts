/**
 * @module
 * Parses the tcpdump filter subset (pcap-filter(7)) into an AST: protocols (ip, ip6, tcp, udp,
 * sctp, icmp, icmp6, arp, rarp), `[proto] [src|dst|src or dst|src and dst] [host|net|port|portrange] ID`,
 * `less`/`greater`, relations over `proto[off:size]`, `len` and constants (`tcp[tcpflags] &
 * (tcp-syn|tcp-fin) != 0`), and `and`/`&&`, `or`/`||`, `not`/`!`, parentheses. As in libpcap,
 * `and` and `or` have equal precedence and bind left to right, and a bare ID inherits the
 * qualifiers of the primitive before it (`host 10.0.0.1 or 10.0.0.2`). Pure: text in, AST out,
 * TD_FILTER_SYNTAX with the character position on error. Host names are not resolved.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { TcpdoctorError } from '../../errors.js'
import { msg, type Msg } from '../../i18n/index.js'

export type Proto = 'ip' | 'ip6' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'arp' | 'rarp'
export type Dir = 'src' | 'dst' | 'src or dst' | 'src and dst'
export type Kind = 'host' | 'net' | 'port' | 'portrange'

export interface Address { family: 4 | 6; bytes: Uint8Array; prefix: number }

export type Arith =
  | { k: 'num'; v: number }
  | { k: 'len' }
  | { k: 'load'; proto: 'ether' | 'ip' | 'ip6' | 'tcp' | 'udp' | 'icmp'; offset: number; size: 1 | 2 | 4 }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>'; a: Arith; b: Arith }

export type RelOp = '==' | '!=' | '<' | '<=' | '>' | '>='

export type Expr =
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'not'; e: Expr }
  | { k: 'proto'; proto: Proto }
  | { k: 'host' | 'net'; proto?: Proto; dir: Dir; addr: Address }
  | { k: 'port'; proto?: Proto; dir: Dir; lo: number; hi: number; range: boolean }
  | { k: 'rel'; op: RelOp; a: Arith; b: Arith }

const PROTOS = new Set<string>(['ip', 'ip6', 'tcp', 'udp', 'sctp', 'icmp', 'icmp6', 'arp', 'rarp'])
const KINDS = new Set<string>(['host', 'net', 'port', 'portrange'])
const MAX_LENGTH = 10_000
const MAX_DEPTH = 100

/** Named constants of pcap-filter(7) for relations. */
const CONSTANTS: Record<string, number> = {
  tcpflags: 13, 'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10,
  'tcp-urg': 0x20, 'tcp-ece': 0x40, 'tcp-cwr': 0x80, icmptype: 0, icmpcode: 1, 'icmp-echoreply': 0,
  'icmp-unreach': 3, 'icmp-echo': 8, 'icmp-timxceed': 11,
}

interface Token { t: 'id' | 'num' | 'op' | 'end'; v: string; pos: number }

function syntax(text: string, pos: number, message: Msg): TcpdoctorError {
  return new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterAtPosition', { text: JSON.stringify(text), message, position: pos + 1 }), {
    hint: msg('hint.packets.tcpdumpSyntaxEG'),
  })
}

const OPS = ['&&', '||', '<<', '>>', '==', '!=', '<=', '>=', '(', ')', '[', ']', ':', '&', '|', '!', '+', '-', '*', '/', '%', '^', '<', '>', '=']

/** Splits the expression into tokens; inside [] a ':' is the size separator, elsewhere part of an IPv6 address. */
export function lex(text: string): Token[] {
  if (text.length > MAX_LENGTH) throw syntax(text.slice(0, 40) + '...', MAX_LENGTH, msg('err.packets.longerThanCharacters', { MAX_LENGTH }))
  const out: Token[] = []
  let i = 0
  let bracket = 0
  while (i < text.length) {
    const c = text[i]!
    if (/\s/.test(c)) { i++; continue }
    const start = i
    const word = bracket > 0 ? /^[A-Za-z0-9][A-Za-z0-9_.-]*/ : /^[A-Za-z0-9:][A-Za-z0-9_.:-]*/
    const m = word.exec(text.slice(i))
    if (m && !(m[0].startsWith(':') && !m[0].startsWith('::'))) {
      let v = m[0]
      // a number followed by "-" then a digit is a port range or arithmetic: split at the dash
      if (/^\d/.test(v) && !v.includes(':') && !/^\d+(\.\d+){1,3}$/.test(v)) {
        const num = /^(0x[0-9a-fA-F]+|\d+)/.exec(v)![0]
        v = num
      } else if (/^[A-Za-z]/.test(v) && !(v in CONSTANTS) && v.includes('-')) {
        // "tcp-syn" is a name; "icmp6-1" is not one of ours: keep whole, the parser reports it
      }
      i += v.length
      out.push({ t: /^(0x[0-9a-fA-F]+|\d+)$/.test(v) ? 'num' : 'id', v, pos: start })
      continue
    }
    const op = OPS.find((o) => text.startsWith(o, i))
    if (!op) throw syntax(text, i, msg('err.packets.unexpectedCharacter', { c: JSON.stringify(c) }))
    if (op === '[') bracket++
    if (op === ']') bracket = Math.max(0, bracket - 1)
    out.push({ t: 'op', v: op, pos: i })
    i += op.length
  }
  out.push({ t: 'end', v: '', pos: text.length })
  return out
}

function parseNumber(text: string, tok: Token): number {
  const v = tok.v
  const n = /^0x/i.test(v) ? parseInt(v.slice(2), 16) : /^0\d+$/.test(v) ? parseInt(v, 8) : Number(v)
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw syntax(text, tok.pos, msg('err.packets.numberOutOfRange', { v }))
  return n
}

function ipv4Bytes(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number))
}

function ipv6Bytes(s: string): Uint8Array {
  const out = new Uint8Array(16)
  let head = s
  let tail = ''
  const dbl = s.indexOf('::')
  if (dbl >= 0) { head = s.slice(0, dbl); tail = s.slice(dbl + 2) }
  const words = (x: string): number[] => {
    if (!x) return []
    const parts = x.split(':')
    const w: number[] = []
    for (const p of parts) {
      if (p.includes('.')) { const b = ipv4Bytes(p); w.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!) } else w.push(parseInt(p, 16))
    }
    return w
  }
  const h = words(head)
  const t = words(tail)
  const all = dbl >= 0 ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h
  all.forEach((w, i) => { out[i * 2] = w >> 8; out[i * 2 + 1] = w & 0xff })
  return out
}

/** "10.1.2.3", "10.1" (libpcap's abbreviated network), "fe80::1", each with an optional /len or `mask M`. */
function parseAddress(text: string, tok: Token, kind: 'host' | 'net', prefixText?: Token): Address {
  const s = tok.v
  if (isIPv6(s)) {
    const prefix = prefixText ? parseNumber(text, prefixText) : 128
    if (prefix > 128) throw syntax(text, prefixText!.pos, msg('err.packets.ipv6PrefixIsLonger', { prefix }))
    return { family: 6, bytes: ipv6Bytes(s), prefix }
  }
  if (isIPv4(s) || (kind === 'net' && /^\d{1,3}(\.\d{1,3}){0,2}$/.test(s) && s.split('.').every((p) => Number(p) <= 255))) {
    const parts = s.split('.').map(Number)
    const bytes = new Uint8Array(4)
    parts.forEach((p, i) => { bytes[i] = p })
    const implied = parts.length * 8
    const prefix = prefixText ? parseNumber(text, prefixText) : kind === 'host' ? 32 : implied
    if (prefix > 32) throw syntax(text, prefixText!.pos, msg('err.packets.ipv4PrefixIsLonger', { prefix }))
    return { family: 4, bytes, prefix }
  }
  if (/^[A-Za-z]/.test(s)) throw syntax(text, tok.pos, msg('err.packets.isNotAnAddress', { s: JSON.stringify(s) }))
  throw syntax(text, tok.pos, msg('err.packets.isNotAnIpv4', { s: JSON.stringify(s) }))
}

function maskBits(a: Address): boolean {
  // libpcap: "non-network bits set in net/len"
  for (let bit = a.prefix; bit < a.bytes.length * 8; bit++) if (a.bytes[bit >> 3]! & (0x80 >> (bit & 7))) return true
  return false
}

interface Qual { proto?: Proto; dir?: Dir; kind?: Kind }

/** Parses a tcpdump filter expression. An empty expression is undefined (accept everything). */
export function parseFilter(text: string): Expr | undefined {
  const toks = lex(text)
  let p = 0
  let last: Qual = {}
  let depth = 0
  const peek = (o = 0): Token => toks[Math.min(p + o, toks.length - 1)]!
  const next = (): Token => toks[Math.min(p++, toks.length - 1)]!
  const isOp = (v: string, o = 0): boolean => peek(o).t === 'op' && peek(o).v === v
  const isId = (v: string, o = 0): boolean => peek(o).t === 'id' && peek(o).v === v
  const expect = (v: string): Token => {
    const tok = next()
    if (tok.t !== 'op' || tok.v !== v) throw syntax(text, tok.pos, tok.t === 'end' ? msg('err.packets.expectedAtEnd', { v }) : msg('err.packets.expectedFound', { v, found: JSON.stringify(tok.v) }))
    return tok
  }
  const fail = (tok: Token, what: Msg): never => {
    throw syntax(text, tok.pos, tok.t === 'end' ? msg('err.packets.wantedAtEnd', { what }) : msg('err.packets.wantedFound', { what, found: JSON.stringify(tok.v) }))
  }

  function expr(): Expr {
    if (++depth > MAX_DEPTH) throw syntax(text, peek().pos, msg('err.packets.nestedDeeperThan', { MAX_DEPTH }))
    let left = unary()
    for (;;) {
      const tok = peek()
      const op = tok.t === 'id' && (tok.v === 'and' || tok.v === 'or') ? tok.v : tok.t === 'op' && (tok.v === '&&' || tok.v === '||') ? (tok.v === '&&' ? 'and' : 'or') : undefined
      if (!op) break
      next()
      left = { k: op, a: left, b: unary() }
    }
    depth--
    return left
  }

  function startsArith(o = 0): boolean {
    const tok = peek(o)
    if (tok.t === 'num') return true
    if (tok.t === 'id') return tok.v === 'len' || tok.v in CONSTANTS || ((PROTOS.has(tok.v) || tok.v === 'ether') && isOp('[', o + 1))
    return tok.t === 'op' && (tok.v === '(' || tok.v === '-')
  }

  function unary(): Expr {
    const tok = peek()
    if (isId('not') || isOp('!')) { next(); if (++depth > MAX_DEPTH) throw syntax(text, tok.pos, msg('err.packets.nestedDeeperThan', { MAX_DEPTH })); const e = unary(); depth--; return { k: 'not', e } }
    if (isOp('(')) {
      // a parenthesis opens either a boolean group or an arithmetic operand: try the relation first
      const save = p
      try {
        return relation()
      } catch (err) {
        p = save
        next()
        const e = expr()
        expect(')')
        void err
        return e
      }
    }
    if (startsArith()) return relation()
    return primitive()
  }

  function relation(): Expr {
    const a = arith(0)
    const tok = next()
    const ops: Record<string, RelOp> = { '==': '==', '=': '==', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }
    if (tok.t !== 'op' || !(tok.v in ops)) fail(tok, msg('err.packets.want.comparison'))
    const b = arith(0)
    return { k: 'rel', op: ops[tok.v]!, a, b }
  }

  // libpcap's precedence: | lowest, then &, then << >>, then + -, then * / %
  const LEVELS: string[][] = [['|'], ['&'], ['^'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']]
  function arith(level: number): Arith {
    if (level >= LEVELS.length) return operand()
    let a = arith(level + 1)
    while (peek().t === 'op' && LEVELS[level]!.includes(peek().v)) {
      const op = next().v as '+'
      a = { k: 'bin', op, a, b: arith(level + 1) }
    }
    return a
  }

  function operand(): Arith {
    if (++depth > MAX_DEPTH) throw syntax(text, peek().pos, msg('err.packets.nestedDeeperThan', { MAX_DEPTH }))
    try {
      const tok = next()
      if (tok.t === 'num') return { k: 'num', v: parseNumber(text, tok) }
      if (tok.t === 'op' && tok.v === '(') { const a = arith(0); expect(')'); return a }
      if (tok.t === 'op' && tok.v === '-') { const a = operand(); return { k: 'bin', op: '-', a: { k: 'num', v: 0 }, b: a } }
      if (tok.t === 'id' && tok.v === 'len') return { k: 'len' }
      if (tok.t === 'id' && tok.v in CONSTANTS) return { k: 'num', v: CONSTANTS[tok.v]! }
      if (tok.t === 'id' && isOp('[')) {
        const proto = tok.v
        if (!['ether', 'ip', 'ip6', 'tcp', 'udp', 'icmp'].includes(proto)) throw syntax(text, tok.pos, msg('err.packets.isNotSupportedEther', { proto }))
        next()
        const offTok = peek()
        const off = arith(0)
        if (off.k !== 'num') throw syntax(text, offTok.pos, msg('err.packets.theOffsetInsideMust'))
        let size: 1 | 2 | 4 = 1
        if (isOp(':')) {
          next()
          const st = next()
          if (st.t !== 'num' || !['1', '2', '4'].includes(st.v)) throw syntax(text, st.pos, msg('err.packets.theSizeAfterMust'))
          size = Number(st.v) as 1 | 2 | 4
        }
        expect(']')
        if (off.v > 0xffff) throw syntax(text, offTok.pos, msg('err.packets.offsetIsTooLarge', { v: off.v }))
        return { k: 'load', proto: proto as 'ip', offset: off.v, size }
      }
      return fail(tok, msg('err.packets.want.value'))
    } finally {
      depth--
    }
  }

  function primitive(): Expr {
    const first = peek()
    if (isId('less') || isId('greater')) {
      const which = next().v
      const n = next()
      if (n.t !== 'num') fail(n, msg('err.packets.want.length'))
      return { k: 'rel', op: which === 'less' ? '<=' : '>=', a: { k: 'len' }, b: { k: 'num', v: parseNumber(text, n) } }
    }
    const q: Qual = {}
    let explicit = false
    if (peek().t === 'id' && PROTOS.has(peek().v)) { q.proto = next().v as Proto; explicit = true }
    if (isId('src') || isId('dst')) {
      const d = next().v
      if ((isId('or') || isId('and')) && isId(d === 'src' ? 'dst' : 'src', 1)) {
        const joiner = next().v
        next()
        q.dir = `src ${joiner}` as Dir
      } else q.dir = d as Dir
      explicit = true
    }
    if (peek().t === 'id' && KINDS.has(peek().v)) { q.kind = next().v as Kind; explicit = true }
    const idTok = peek()
    const isValue = idTok.t === 'num' || (idTok.t === 'id' && !['and', 'or', 'not'].includes(idTok.v) && !PROTOS.has(idTok.v) && !KINDS.has(idTok.v) && idTok.v !== 'src' && idTok.v !== 'dst')
    if (!isValue) {
      if (q.proto && !q.dir && !q.kind) return { k: 'proto', proto: q.proto }
      return fail(idTok, explicit ? msg('err.packets.want.addressOrPort') : msg('err.packets.want.primitive'))
    }
    // a bare ID inherits the previous primitive's qualifiers (pcap-filter(7))
    const qual: Qual = explicit ? q : { ...last }
    last = qual
    next()
    const kind: Kind = qual.kind ?? 'host'
    const dir: Dir = qual.dir ?? 'src or dst'
    const proto = qual.proto
    if (kind === 'port' || kind === 'portrange') {
      if (proto && !['ip', 'ip6', 'tcp', 'udp', 'sctp'].includes(proto)) throw syntax(text, first.pos, msg('err.packets.cannotBeCombinedWith', { proto, kind }))
      const num = (tok: Token): number => {
        if (tok.t !== 'num') throw syntax(text, tok.pos, msg('err.packets.isNotAPort', { v: JSON.stringify(tok.v) }))
        const n = parseNumber(text, tok)
        if (n > 65535) throw syntax(text, tok.pos, msg('err.packets.portIsOutOf', { n }))
        return n
      }
      const lo = num(idTok)
      if (kind === 'port') return { k: 'port', proto, dir, lo, hi: lo, range: false }
      expect('-')
      const hiTok = next()
      let hi = num(hiTok)
      let l = lo
      if (hi < l) [l, hi] = [hi, l]
      return { k: 'port', proto, dir, lo: l, hi, range: true }
    }
    if (proto && !['ip', 'ip6', 'arp', 'rarp'].includes(proto)) throw syntax(text, first.pos, msg('err.packets.cannotBeCombinedWith', { proto, kind }))
    if (idTok.t === 'num') throw syntax(text, idTok.pos, msg('err.packets.isNotAnAddress2', { v: JSON.stringify(idTok.v) }))
    let prefixTok: Token | undefined
    let maskTok: Token | undefined
    if (kind === 'net' && isOp('/')) { next(); prefixTok = next(); if (prefixTok.t !== 'num') fail(prefixTok, msg('err.packets.want.prefix')) }
    else if (kind === 'net' && isId('mask')) { next(); maskTok = next() }
    const addr = parseAddress(text, idTok, kind, prefixTok)
    if (maskTok) {
      if (addr.family !== 4 || !isIPv4(maskTok.v)) throw syntax(text, maskTok.pos, msg('err.packets.maskTakesAnIpv4'))
      const m = ipv4Bytes(maskTok.v)
      const bits = ((m[0]! << 24) | (m[1]! << 16) | (m[2]! << 8) | m[3]!) >>> 0
      const len = 32 - Math.log2((~bits >>> 0) + 1)
      if (!Number.isInteger(len)) throw syntax(text, maskTok.pos, msg('err.packets.isNotAContiguous', { v: maskTok.v }))
      addr.prefix = len
    }
    if (kind === 'net' && maskBits(addr)) throw syntax(text, idTok.pos, msg('err.packets.hasHostBitsSet', { v: idTok.v, prefix: addr.prefix }))
    if (kind === 'host' && addr.prefix !== addr.bytes.length * 8) throw syntax(text, idTok.pos, msg('err.packets.aHostHasNo'))
    if (addr.family === 6 && proto && proto !== 'ip6') throw syntax(text, first.pos, msg('err.packets.cannotBeCombinedWith2', { proto }))
    if (addr.family === 4 && proto === 'ip6') throw syntax(text, first.pos, msg('err.packets.ip6CannotBeCombined'))
    if (addr.family === 6 && dir === 'src and dst') {
      // fine: both addresses compared
    }
    return { k: kind, proto, dir, addr }
  }

  if (toks.length === 1) return undefined
  const e = expr()
  const rest = peek()
  if (rest.t !== 'end') throw syntax(text, rest.pos, msg('err.packets.unexpected', { v: JSON.stringify(rest.v) }))
  return e
}
