/**
 * @module
 * ICMP echo packets: building a request, reading a reply, and reading the probe an ICMP error
 * quotes. Pure (bytes in, fields out); the kernel fills the checksum for ping sockets and for
 * ICMPv6, we fill it for raw IPv4.
 */

export const ECHO_REQUEST = { 4: 8, 6: 128 } as const
export const ECHO_REPLY = { 4: 0, 6: 129 } as const

function checksum(b: Buffer): number {
  let s = 0
  for (let i = 0; i + 1 < b.length; i += 2) s += b.readUInt16BE(i)
  if (b.length % 2) s += b[b.length - 1]! << 8
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16)
  return ~s & 0xffff
}

/** An echo request: 8-byte header and `size` bytes of payload (a repeating pattern). */
export function echoRequest(family: 4 | 6, id: number, seq: number, size: number): Buffer {
  const b = Buffer.alloc(8 + size)
  b[0] = ECHO_REQUEST[family]
  b.writeUInt16BE(id & 0xffff, 4)
  b.writeUInt16BE(seq & 0xffff, 6)
  for (let i = 0; i < size; i++) b[8 + i] = (i + 0x10) & 0xff
  if (family === 4) b.writeUInt16BE(checksum(b), 2)
  return b
}

export interface EchoReply {
  id: number
  seq: number
  /** TTL from the IPv4 header (raw sockets), else undefined */
  ttl?: number
  /** ICMP payload bytes */
  size: number
}

/**
 * Reads an echo reply. Raw IPv4 sockets deliver the IP header first; ping sockets and ICMPv6
 * deliver the ICMP message. Returns null for anything that is not a well-formed echo reply.
 */
export function parseEchoReply(family: 4 | 6, data: Buffer, raw: boolean): EchoReply | null {
  let off = 0
  let ttl: number | undefined
  if (family === 4 && raw) {
    if (data.length < 20 || data[0]! >> 4 !== 4) return null
    off = (data[0]! & 0x0f) * 4
    ttl = data[8]
  }
  if (data.length < off + 8 || data[off] !== ECHO_REPLY[family]) return null
  return { id: data.readUInt16BE(off + 4), seq: data.readUInt16BE(off + 6), ttl, size: data.length - off - 8 }
}

/** The id and seq of our echo request that an ICMP error quotes (error-queue payload). */
export function quotedEcho(family: 4 | 6, data: Buffer): { id: number; seq: number } | null {
  if (data.length < 8 || data[0] !== ECHO_REQUEST[family]) return null
  return { id: data.readUInt16BE(4), seq: data.readUInt16BE(6) }
}

/** What an ICMP error from the error queue says (origin 2 = ICMP, 3 = ICMPv6, 1 = local). */
export function classifyIcmpError(family: 4 | 6, origin: number, type: number, code: number): 'ttl' | 'port' | 'unreachable' | 'local' | 'other' {
  if (origin === 1) return 'local'
  if (family === 4 || origin === 2) {
    if (type === 11) return 'ttl'
    if (type === 3) return code === 3 ? 'port' : 'unreachable'
    return 'other'
  }
  if (type === 3) return 'ttl'
  if (type === 1) return code === 4 ? 'port' : 'unreachable'
  return 'other'
}

/** traceroute's annotation for an unreachable code: !N !H !P !X and so on. */
export function unreachableMark(family: 4 | 6, type: number, code: number): string {
  if (family === 4 && type === 3) return ({ 0: '!N', 1: '!H', 2: '!P', 4: '!F', 9: '!X', 10: '!X', 13: '!X' } as Record<number, string>)[code] ?? `!<${code}>`
  if (family === 6 && type === 1) return ({ 0: '!N', 1: '!X', 3: '!H', 4: '' } as Record<number, string>)[code] ?? `!<${code}>`
  return ''
}
