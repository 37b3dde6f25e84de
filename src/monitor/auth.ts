/**
 * @module
 * Who may read `serve`: anyone on loopback without --token; otherwise a bearer token (or basic
 * auth password) compared in constant time (crypto.timingSafeEqual over SHA-256 digests, so the
 * length does not leak either).
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface AuthOptions {
  host: string
  token?: string
  /** USER:PASSWORD, with TLS only. */
  basicAuth?: string
  tls: boolean
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest()

export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b))
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host)
}

/** Throws TD_USAGE when the bind would expose the server without protection. */
export function checkBind(o: AuthOptions): void {
  if (o.basicAuth !== undefined && !o.tls) throw new TcpdoctorError('TD_USAGE', msg('err.monitor.basicAuthNeedsTls'))
  if (o.basicAuth !== undefined && !/^[^:]+:.+$/.test(o.basicAuth)) throw new TcpdoctorError('TD_USAGE', msg('err.monitor.basicAuthMustBe'))
  if (o.token !== undefined && o.token.length < 16) throw new TcpdoctorError('TD_USAGE', msg('err.monitor.tokenMustBeAt'))
  if (!isLoopback(o.host) && o.token === undefined && !(o.tls && o.basicAuth !== undefined)) {
    throw new TcpdoctorError('TD_USAGE', msg('err.monitor.serveBindsBeyondLoopback', { host: o.host }))
  }
}

/** Whether a request's Authorization header passes. */
export function authorized(o: AuthOptions, header: string | undefined): boolean {
  if (o.token === undefined && o.basicAuth === undefined) return true
  const h = header ?? ''
  if (o.token !== undefined && h.startsWith('Bearer ') && safeEqual(h.slice(7), o.token)) return true
  if (o.basicAuth !== undefined && h.startsWith('Basic ')) {
    const given = Buffer.from(h.slice(6), 'base64').toString('utf8')
    if (safeEqual(given, o.basicAuth)) return true
  }
  return false
}
