/**
 * @module
 * Evaluates a filter expression on a socket in userspace, with the kernel's semantics
 * (net/ipv4/inet_diag.c inet_diag_bc_run): used on /proc, on snapshots, and as the oracle of
 * the bytecode compiler.
 */
import { parseAddressBytes } from '../model/address.js'
import type { Socket } from '../model/socket.js'
import type { FilterNode, HostSpec } from './types.js'

function prefixMatch(a: Uint8Array, aOff: number, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3
  for (let i = 0; i < whole; i++) if (a[aOff + i] !== b[i]) return false
  const rest = bits & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return ((a[aOff + whole]! ^ b[whole]!) & mask) === 0
}

const bytesCache = new Map<string, Uint8Array>()
function bytesOf(address: string): Uint8Array {
  let b = bytesCache.get(address)
  if (!b) {
    b = parseAddressBytes(address)
    if (bytesCache.size < 100_000) bytesCache.set(address, b)
  }
  return b
}

/** Host condition, as the kernel's INET_DIAG_BC_S_COND/D_COND. */
export function hostMatches(h: HostSpec, family: Socket['family'], address: string, port: number): boolean {
  if (h.port !== undefined && h.port !== port) return false
  if (h.prefixLength === 0 || !h.address) return true
  const a = bytesOf(address)
  if (h.family !== family) {
    // An IPv4 condition matches an IPv4-mapped IPv6 address, as in the kernel.
    if (family === 'inet6' && h.family === 'inet') {
      for (let i = 0; i < 10; i++) if (a[i] !== 0) return false
      if (a[10] !== 0xff || a[11] !== 0xff) return false
      return prefixMatch(a, 12, h.address, h.prefixLength)
    }
    return false
  }
  return prefixMatch(a, 0, h.address, h.prefixLength)
}

/** True when the socket satisfies the expression. */
export function matchFilter(node: FilterNode, s: Socket): boolean {
  switch (node.kind) {
    case 'true': return true
    case 'and': return matchFilter(node.left, s) && matchFilter(node.right, s)
    case 'or': return matchFilter(node.left, s) || matchFilter(node.right, s)
    case 'not': return !matchFilter(node.expr, s)
    case 'port': {
      const p = node.side === 'sport' ? s.local.port : s.remote.port
      switch (node.op) {
        case '=': return p === node.port
        case '!=': return p !== node.port
        case '<': return p < node.port
        case '>': return p > node.port
        case '<=': return p <= node.port
        case '>=': return p >= node.port
      }
      return false
    }
    case 'host': {
      const ep = node.side === 'src' ? s.local : s.remote
      const m = hostMatches(node.host, s.family, ep.address, ep.port)
      return node.op === '=' ? m : !m
    }
  }
}
