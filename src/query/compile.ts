/**
 * @module
 * Compiles a filter expression to INET_DIAG_REQ_BYTECODE (include/uapi/linux/inet_diag.h), the
 * program the kernel runs on each socket during the dump, as ss's ssfilter_bytecompile() does.
 * Convention of every fragment: success falls through to its end; failure jumps to end + 4.
 * The kernel accepts a socket when the program runs exactly off its end.
 */
import type { FilterNode, HostSpec } from './types.js'

// enum { INET_DIAG_BC_NOP, JMP, S_GE, S_LE, D_GE, D_LE, AUTO, S_COND, D_COND, DEV_COND, MARK_COND, S_EQ, D_EQ, CGROUP_COND }
const BC = { JMP: 1, S_GE: 2, S_LE: 3, D_GE: 4, D_LE: 5, S_COND: 7, D_COND: 8, S_EQ: 11, D_EQ: 12 } as const
const MAX_BYTECODE = 65535 - 4 // the rtattr length is 16 bits

/** A compiled fragment: ops as bytes. */
type Frag = Uint8Array

function op(code: number, yes: number, no: number): Uint8Array {
  const b = new Uint8Array(4)
  b[0] = code
  b[1] = yes
  b[2] = no & 0xff
  b[3] = no >> 8
  return b
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** Moves every failure jump of frag (target = its end + 4) to end + 4 + extra. */
function relocateFailures(frag: Frag, extra: number): Frag {
  const out = frag.slice()
  let o = 0
  while (o < out.length) {
    const yes = out[o + 1]!
    const no = out[o + 2]! | (out[o + 3]! << 8)
    if (o + no === frag.length + 4) {
      const n = no + extra
      out[o + 2] = n & 0xff
      out[o + 3] = n >> 8
    }
    o += yes
  }
  return out
}

function portOp(side: 'sport' | 'dport', kind: 'EQ' | 'GE' | 'LE', port: number): Frag {
  const code = side === 'sport' ? { EQ: BC.S_EQ, GE: BC.S_GE, LE: BC.S_LE }[kind] : { EQ: BC.D_EQ, GE: BC.D_GE, LE: BC.D_LE }[kind]
  return concat(op(code, 8, 12), op(0, 0, port))
}

function not(f: Frag): Frag {
  return concat(f, op(BC.JMP, 4, 8))
}

function hostOp(side: 'src' | 'dst', h: HostSpec): Frag {
  const addrLen = h.address ? h.address.length : 0
  const size = 4 + 8 + addrLen
  const cond = new Uint8Array(8 + addrLen)
  const dv = new DataView(cond.buffer)
  cond[0] = h.family === 'inet' ? 2 : h.family === 'inet6' ? 10 : 0
  cond[1] = h.address ? h.prefixLength : 0
  dv.setInt32(4, h.port ?? -1, true)
  if (h.address) cond.set(h.address, 8)
  return concat(op(side === 'src' ? BC.S_COND : BC.D_COND, size, size + 4), cond)
}

function compileNode(n: FilterNode): Frag | undefined {
  switch (n.kind) {
    case 'true': return new Uint8Array(0)
    case 'port':
      switch (n.op) {
        case '=': return portOp(n.side, 'EQ', n.port)
        case '!=': return not(portOp(n.side, 'EQ', n.port))
        case '>=': return portOp(n.side, 'GE', n.port)
        case '<=': return portOp(n.side, 'LE', n.port)
        case '>': return not(portOp(n.side, 'LE', n.port))
        case '<': return not(portOp(n.side, 'GE', n.port))
      }
      return undefined
    case 'host': {
      const f = hostOp(n.side, n.host)
      return n.op === '=' ? f : not(f)
    }
    case 'not': {
      const f = compileNode(n.expr)
      return f && not(f)
    }
    case 'and': {
      const a = compileNode(n.left)
      const b = compileNode(n.right)
      if (!a || !b) return undefined
      return concat(relocateFailures(a, b.length), b)
    }
    case 'or': {
      const a = compileNode(n.left)
      const b = compileNode(n.right)
      if (!a || !b) return undefined
      // a fails -> to b (right after the JMP); a succeeds -> the JMP skips b to the end.
      return concat(a, op(BC.JMP, 4, b.length + 4), b)
    }
  }
}

/**
 * The bytecode for an expression, or undefined when it cannot be expressed (too long for the
 * 16-bit attribute, or a jump beyond 16 bits); the caller then filters in userspace.
 */
export function compileBytecode(expr: FilterNode): Buffer | undefined {
  const f = compileNode(expr)
  if (!f || f.length === 0 || f.length > MAX_BYTECODE) return undefined
  // `yes` offsets are 8 bits: a host op with an IPv6 address is 28 bytes, well inside.
  return Buffer.from(f)
}

/**
 * Runs bytecode on a socket's fields the way the kernel does (inet_diag_bc_run). For tests:
 * lets the compiler be checked against match.ts without a kernel.
 */
export function runBytecode(bc: Uint8Array, s: { family: 'inet' | 'inet6'; sport: number; dport: number; src: Uint8Array; dst: Uint8Array }): boolean {
  const dv = new DataView(bc.buffer, bc.byteOffset, bc.byteLength)
  let pos = 0
  let len = bc.length
  let steps = 0
  while (len > 0) {
    if (++steps > 100_000) throw new Error('bytecode loop')
    const code = bc[pos]!
    const yesJump = bc[pos + 1]!
    const noJump = dv.getUint16(pos + 2, true)
    let yes = true
    const arg = (): number => dv.getUint16(pos + 6, true)
    switch (code) {
      case 0: break
      case BC.JMP: yes = false; break
      case BC.S_EQ: yes = s.sport === arg(); break
      case BC.S_GE: yes = s.sport >= arg(); break
      case BC.S_LE: yes = s.sport <= arg(); break
      case BC.D_EQ: yes = s.dport === arg(); break
      case BC.D_GE: yes = s.dport >= arg(); break
      case BC.D_LE: yes = s.dport <= arg(); break
      case BC.S_COND:
      case BC.D_COND: {
        const fam = bc[pos + 4]!
        const plen = bc[pos + 5]!
        const port = dv.getInt32(pos + 8, true)
        const addr = bc.subarray(pos + 12, pos + yesJump)
        const isSrc = code === BC.S_COND
        const p = isSrc ? s.sport : s.dport
        const a = isSrc ? s.src : s.dst
        if (port !== -1 && port !== p) { yes = false; break }
        if (plen === 0) break
        const famName = fam === 2 ? 'inet' : fam === 10 ? 'inet6' : undefined
        const bitsMatch = (off: number): boolean => {
          for (let b = 0; b < plen; b++) {
            const x = (a[off + (b >> 3)]! >> (7 - (b & 7))) & 1
            const y = (addr[b >> 3]! >> (7 - (b & 7))) & 1
            if (x !== y) return false
          }
          return true
        }
        if (famName !== undefined && famName !== s.family) {
          if (s.family === 'inet6' && famName === 'inet' && a.subarray(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff && bitsMatch(12)) break
          yes = false
          break
        }
        if (!bitsMatch(0)) yes = false
        break
      }
      default: throw new Error(`unknown op ${code}`)
    }
    const step = yes ? yesJump : noJump
    len -= step
    pos += step
  }
  return len === 0
}
