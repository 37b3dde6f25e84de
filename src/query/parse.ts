/**
 * @module
 * Parses ss's filter language (iproute2 misc/ssfilter.y): `state`/`exclude` words, then an
 * expression of sport/dport/src/dst conditions joined by and/or/not and parentheses. As in ss,
 * and/or bind left to right with equal precedence (`a or b and c` is `(a or b) and c`), and two
 * conditions side by side mean "and". Pure: words in, a Filter out, TD_FILTER_SYNTAX on error.
 */
import { readFileSync } from 'node:fs'
import { isIPv4, isIPv6 } from 'node:net'
import { TcpdoctorError, detailOf } from '../errors.js'
import { parseAddressBytes } from '../model/address.js'
import { parseStates, STATE_NAMES, type StateName } from '../model/state.js'
import type { CompareOp, Filter, FilterNode, HostSpec } from './types.js'
import { msg, type Msg } from '../i18n/index.js'

const MAX_TOKENS = 10_000
const MAX_DEPTH = 200

function syntax(message: Msg, text: string): TcpdoctorError {
  return new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.query.filter', { text: JSON.stringify(text), message }), {
    hint: msg('hint.query.ssSyntaxEG'),
  })
}

/** Splits words on blanks and detaches parentheses, so "(dport = :80)" works as ss's "( dport = :80 )". */
export function tokenize(words: readonly string[]): string[] {
  const out: string[] = []
  for (const w of words) for (const part of w.split(/[\s]+/)) {
    if (!part) continue
    let p = part
    while (p.startsWith('(')) { out.push('('); p = p.slice(1) }
    const closing: string[] = []
    while (p.endsWith(')') && !/\[[^\]]*\)$/.test(p)) { closing.push(')'); p = p.slice(0, -1) }
    if (p) out.push(p)
    out.push(...closing)
  }
  return out
}

const OPS: Record<string, CompareOp> = {
  '=': '=', '==': '=', eq: '=', '!=': '!=', ne: '!=', neq: '!=', '>=': '>=', ge: '>=', geq: '>=',
  '<=': '<=', le: '<=', leq: '<=', '>': '>', gt: '>', '<': '<', lt: '<',
}

let services: Map<string, number> | undefined
/** Port number of a service name from /etc/services (ss uses getservbyname). */
function servicePort(name: string): number | undefined {
  if (!services) {
    services = new Map()
    try {
      for (const line of readFileSync('/etc/services', 'utf8').split('\n')) {
        const m = /^([\w.+-]+)\s+(\d+)\/tcp\b([^#]*)/.exec(line)
        if (!m) continue
        const port = Number(m[2])
        if (!services.has(m[1]!)) services.set(m[1]!, port)
        for (const alias of m[3]!.trim().split(/\s+/)) if (alias && !services.has(alias)) services.set(alias, port)
      }
    } catch {
      // no /etc/services: only numeric ports work
    }
  }
  return services.get(name)
}

function parsePort(text: string, whole: string): number | undefined {
  if (text === '' || text === '*') return undefined
  if (/^\d+$/.test(text)) {
    const n = Number(text)
    if (n > 65535) throw syntax(msg('err.query.portIsAbove65535', { text }), whole)
    return n
  }
  const p = servicePort(text)
  if (p === undefined) throw syntax(msg('err.query.unknownPortOrService', { text: JSON.stringify(text) }), whole)
  return p
}

/** Parses a host condition: ADDR, ADDR/LEN, ADDR:PORT, [V6]:PORT, [V6/LEN]:PORT, *:PORT, :PORT. */
export function parseHost(tok: string, whole: string): HostSpec {
  let addr = tok
  let portText = ''
  if (tok.startsWith('[')) {
    const close = tok.indexOf(']')
    if (close < 0) throw syntax(msg('err.query.unclosedIn', { tok: JSON.stringify(tok) }), whole)
    addr = tok.slice(1, close)
    const rest = tok.slice(close + 1)
    if (rest !== '' && !rest.startsWith(':')) throw syntax(msg('err.query.unexpectedAfter', { rest: JSON.stringify(rest) }), whole)
    portText = rest.slice(1)
  } else if ((tok.match(/:/g) ?? []).length === 1) {
    const i = tok.indexOf(':')
    addr = tok.slice(0, i)
    portText = tok.slice(i + 1)
  }
  const port = parsePort(portText, whole)
  if (addr === '' || addr === '*') return { family: undefined, address: undefined, prefixLength: 0, port }
  let prefixText: string | undefined
  const slash = addr.indexOf('/')
  if (slash >= 0) { prefixText = addr.slice(slash + 1); addr = addr.slice(0, slash) }
  // ss accepts shortened IPv4 prefixes such as 10/8 and 192.168/16.
  if (/^\d+(\.\d+){0,2}$/.test(addr) && prefixText !== undefined) addr = [...addr.split('.'), '0', '0', '0'].slice(0, 4).join('.')
  const family = isIPv4(addr) ? 'inet' : isIPv6(addr) ? 'inet6' : undefined
  if (!family) throw syntax(msg('err.query.anInetPrefixIs', { tok: JSON.stringify(tok) }), whole)
  const max = family === 'inet' ? 32 : 128
  let prefixLength = max
  if (prefixText !== undefined) {
    if (!/^\d+$/.test(prefixText) || Number(prefixText) > max) throw syntax(msg('err.query.badPrefixLength', { prefixText }), whole)
    prefixLength = Number(prefixText)
  }
  return { family, address: parseAddressBytes(addr), prefixLength, port }
}

/** Parses filter words as ss does: `[state S | exclude S]... [EXPRESSION]`. */
export function parseFilter(words: readonly string[]): Filter {
  const toks = tokenize(words)
  const text = toks.join(' ')
  if (toks.length > MAX_TOKENS) throw syntax(msg('err.query.moreThanWords', { MAX_TOKENS }), text.slice(0, 80))
  let i = 0
  let states: Set<StateName> | undefined
  while (i < toks.length && (toks[i] === 'state' || toks[i] === 'exclude' || toks[i] === 'excl')) {
    const kw = toks[i++]!
    const name = toks[i++]
    if (name === undefined) throw syntax(msg('err.query.needsAStateName', { kw }), text)
    let list: StateName[]
    try {
      list = parseStates(name)
    } catch (err) {
      throw syntax(msg('err.query.states', { detail: detailOf(err) }), text)
    }
    if (kw === 'state') {
      states ??= new Set()
      for (const s of list) states.add(s)
    } else {
      states ??= new Set(STATE_NAMES.filter((s) => s !== 'BOUND_INACTIVE'))
      for (const s of list) states.delete(s)
    }
  }
  let depth = 0
  const peek = (): string | undefined => toks[i]
  const isJoin = (t: string | undefined): 'and' | 'or' | undefined =>
    t === 'and' || t === '&' || t === '&&' ? 'and' : t === 'or' || t === '|' || t === '||' ? 'or' : undefined

  const exprList = (): FilterNode => {
    let left = expr()
    for (;;) {
      const t = peek()
      if (t === undefined || t === ')') return left
      const j = isJoin(t)
      if (j) i++
      const right = expr()
      left = { kind: j === 'or' ? 'or' : 'and', left, right }
    }
  }
  const expr = (): FilterNode => {
    const t = toks[i++]
    if (t === undefined) throw syntax(msg('err.query.unexpectedEndOfFilter'), text)
    if (t === '(') {
      if (++depth > MAX_DEPTH) throw syntax(msg('err.query.parenthesesNestedDeeperThan', { MAX_DEPTH }), text.slice(0, 80))
      const inner = exprList()
      if (toks[i++] !== ')') throw syntax(msg('err.query.missing'), text)
      depth--
      return inner
    }
    if (t === '!' || t === 'not') {
      if (++depth > MAX_DEPTH) throw syntax(msg('err.query.notNestedDeeperThan', { MAX_DEPTH }), text.slice(0, 80))
      const e = expr()
      depth--
      return { kind: 'not', expr: e }
    }
    if (t === 'sport' || t === 'dport') {
      let op: CompareOp = '='
      const maybe = peek()
      if (maybe !== undefined && OPS[maybe]) { op = OPS[maybe]!; i++ }
      const v = toks[i++]
      if (v === undefined) throw syntax(msg('err.query.needsAPort', { t }), text)
      const port = parsePort(v.startsWith(':') ? v.slice(1) : v, text)
      if (port === undefined) return { kind: 'true' }
      return { kind: 'port', side: t, op, port }
    }
    if (t === 'src' || t === 'dst') {
      let op: '=' | '!=' = '='
      const maybe = peek()
      if (maybe !== undefined && OPS[maybe]) {
        const o = OPS[maybe]!
        if (o !== '=' && o !== '!=') throw syntax(msg('err.query.takesOrNot', { t, maybe }), text)
        op = o
        i++
      }
      const v = toks[i++]
      if (v === undefined) throw syntax(msg('err.query.needsAnAddress', { t }), text)
      return { kind: 'host', side: t, op, host: parseHost(v, text) }
    }
    if (t === 'state' || t === 'exclude') throw syntax(msg('err.query.stateAndExcludeGo'), text)
    if (t === 'dev' || t === 'fwmark' || t === 'cgroup' || t === 'autobound') throw syntax(msg('err.query.conditionsAreNotSupported', { t }), text)
    throw syntax(msg('err.query.unexpected', { t: JSON.stringify(t) }), text)
  }

  let expr0: FilterNode | undefined
  if (i < toks.length) {
    expr0 = exprList()
    if (i < toks.length) throw syntax(msg('err.query.unexpected2', { toks: JSON.stringify(toks[i]) }), text)
  }
  return { states: states ? STATE_NAMES.filter((s) => states!.has(s)) : undefined, expr: expr0, text }
}
