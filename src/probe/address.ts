/**
 * @module
 * Turning a HOST argument into one address and its bytes, with coded errors for names that do
 * not resolve and families that do not fit.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface Target {
  /** what the user typed */
  host: string
  address: string
  family: 4 | 6
  bytes: Buffer
}

/** The 4 or 16 bytes of a numeric address. */
export function addressBytes(address: string): Buffer {
  const f = isIP(address)
  if (f === 4) return Buffer.from(address.split('.').map(Number))
  if (f !== 6) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.notAnIpAddress', { address }))
  let text = address.split('%')[0]!
  const out = Buffer.alloc(16)
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const b = v4[1]!.split('.').map(Number)
    text = text.slice(0, -v4[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined]
  const h = head ? head.split(':') : []
  const tl = tail === undefined ? [] : tail ? tail.split(':') : []
  const groups = tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - tl.length).fill('0'), ...tl]
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2))
  return out
}

/** Resolves HOST (a name or an address) to one address of the wanted family. */
export async function resolveTarget(host: string, family?: 4 | 6): Promise<Target> {
  if (typeof host !== 'string' || host.length === 0 || host.length > 253 || /[\s/]/.test(host))
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.notAHostName', { host: JSON.stringify(host) }))
  const numeric = isIP(host)
  if (numeric) {
    if (family && numeric !== family) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.isAnIpvAddress', { host, numeric, family }))
    return { host, address: host, family: numeric as 4 | 6, bytes: addressBytes(host) }
  }
  try {
    const r = await lookup(host, { family: family ?? 0 })
    return { host, address: r.address, family: r.family as 4 | 6, bytes: addressBytes(r.address) }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new TcpdoctorError('TD_RESOLVE', family ? msg('err.probe.noResolveFamily', { host, family, code: code ?? 'error' }) : msg('err.probe.noResolve', { host, code: code ?? 'error' }), {
      cause: err,
      hint: msg('hint.probe.seeWhatResolvesIt', { host }),
    })
  }
}
