/**
 * @module
 * IP address text from bytes, and back. Written by hand: Node formats addresses only for
 * sockets it owns, and the dump loop needs a formatter over a byte offset with no allocation
 * for repeated IPv4 addresses.
 */
import { isIPv4, isIPv6 } from 'node:net'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

const v4cache = new Map<number, string>()

/** Dotted quad of the 4 bytes at off (network order). */
export function formatIPv4(buf: Uint8Array, off: number): string {
  const key = ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0
  let s = v4cache.get(key)
  if (s === undefined) {
    s = `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`
    if (v4cache.size < 65536) v4cache.set(key, s)
  }
  return s
}

/** RFC 5952 text of the 16 bytes at off: longest zero run compressed, ::ffff:a.b.c.d for mapped. */
export function formatIPv6(buf: Uint8Array, off: number): string {
  const words: number[] = []
  for (let i = 0; i < 8; i++) words.push((buf[off + 2 * i]! << 8) | buf[off + 2 * i + 1]!)
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff)
    return `::ffff:${formatIPv4(buf, off + 12)}`
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && words[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = words.map((w) => w.toString(16))
  if (bestStart < 0) return hex.join(':')
  const head = hex.slice(0, bestStart).join(':')
  const tail = hex.slice(bestStart + bestLen).join(':')
  return `${head}::${tail}`
}

/** Bytes of an IPv4 or IPv6 address text (4 or 16 bytes, network order). */
export function parseAddressBytes(text: string): Uint8Array {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number))
  if (isIPv6(text)) {
    // A trailing dotted quad (::ffff:10.0.0.1) is two 16-bit words.
    const t = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a: string, b: string, c: string, d: string) =>
      `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
    const [left, right] = t.includes('::') ? (t.split('::') as [string, string]) : [t, undefined]
    const words = (part: string | undefined): number[] => (part ? part.split(':').map((x) => parseInt(x, 16)) : [])
    const lw = words(left)
    const rw = words(right)
    const all = right === undefined ? lw : [...lw, ...new Array<number>(8 - lw.length - rw.length).fill(0), ...rw]
    if (all.length !== 8) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.model.badIpv6Address', { text }))
    const out = new Uint8Array(16)
    all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff })
    return out
  }
  throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.model.notAnIpAddress', { text }))
}
