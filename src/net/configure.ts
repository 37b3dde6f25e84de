/**
 * @module
 * Keepalive and TCP_USER_TIMEOUT for every socket of a server or an http/https Agent, and for a
 * socket that is still connecting: configureSocket() applies now when the socket has its fd, else
 * on 'connect'; configureServer() on each 'connection' (for https/tls servers that is the raw TCP
 * socket, before the handshake); configureAgent() wraps agent.createConnection so every socket the
 * Agent opens is configured, and keepalive put back each time a keep-alive Agent pools a socket
 * (its keepSocketAlive() calls Node's setKeepAlive(true, keepAliveMsecs), which resets it).
 */
import type { Agent as HttpAgent } from 'node:http'
import type { Socket } from 'node:net'
import { TcpdoctorError } from '../errors.js'
import { tryNative } from '../kernel/native.js'
import { socketFd, socketPhase, sockoptNative } from './fd.js'
import { nodeHasKeepAliveIntervalCount, setKeepAlive, validateKeepAlive, type KeepAliveOptions, type KeepAliveSettings } from './keepalive.js'
import { setUserTimeout, validateUserTimeout } from './user-timeout.js'
import { msg } from '../i18n/index.js'

export interface SocketSettings {
  /** Keepalive timing (ms, as setKeepAlive takes it); false leaves keepalive alone. */
  keepAlive?: KeepAliveOptions | false
  /** TCP_USER_TIMEOUT in ms (setUserTimeout). */
  userTimeout?: number
  /** Called with what the kernel holds after each socket is configured. */
  onApplied?: (socket: Socket, applied: AppliedSettings) => void
  /**
   * Called when a socket could not be configured after it connected. Default: the socket is
   * destroyed with the error (it lacks the protection asked for; its 'error' event says why).
   */
  onError?: (error: TcpdoctorError, socket: Socket) => void
}

export interface AppliedSettings {
  keepAlive?: KeepAliveSettings
  /** TCP_USER_TIMEOUT read back, ms. */
  userTimeoutMs?: number
}

const configured = new WeakSet<Socket>()

/** Validates once, up front: bad values and a missing addon fail at configure time, not per socket. */
function check(settings: SocketSettings): void {
  if (settings === null || typeof settings !== 'object') throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.settingsMustBeAn'))
  if (settings.keepAlive) {
    validateKeepAlive(settings.keepAlive)
    if (!nodeHasKeepAliveIntervalCount() && !tryNative()) sockoptNative()
  }
  if (settings.userTimeout !== undefined) {
    validateUserTimeout(settings.userTimeout)
    sockoptNative() // no Node version sets TCP_USER_TIMEOUT: TD_NATIVE_MISSING now, not per socket
  }
}

function applyNow(socket: Socket, settings: SocketSettings): AppliedSettings {
  const applied: AppliedSettings = {}
  if (settings.keepAlive) applied.keepAlive = setKeepAlive(socket, settings.keepAlive)
  if (settings.userTimeout !== undefined) applied.userTimeoutMs = setUserTimeout(socket, settings.userTimeout)
  configured.add(socket)
  settings.onApplied?.(socket, applied)
  return applied
}

/**
 * Applies the settings to a connected socket now (returns what the kernel holds; typed errors
 * throw), or to a connecting one on its 'connect' event (returns undefined; failures go to
 * onError). A socket that closes before connecting is left alone. A destroyed socket is
 * TD_SOCKET_DESTROYED; a socket that never started connecting is TD_SOCKET_NOT_CONNECTED.
 */
export function configureSocket(socket: Socket, settings: SocketSettings): AppliedSettings | undefined {
  check(settings)
  if (socketFd(socket) !== undefined) return applyNow(socket, settings)
  const phase = socketPhase(socket)
  if (phase !== 'connecting') applyNow(socket, settings) // throws the typed error for this phase
  socket.once('connect', () => {
    if (configured.has(socket)) return
    try {
      applyNow(socket, settings)
    } catch (err) {
      const e = err instanceof TcpdoctorError ? err : new TcpdoctorError('TD_INTERNAL', msg('err.common.internal', { detail: String(err) }), { cause: err })
      if (settings.onError) settings.onError(e, socket)
      else socket.destroy(e)
    }
  })
  return undefined
}

function onSocket(socket: Socket, settings: SocketSettings): void {
  if (configured.has(socket)) return
  try {
    configureSocket(socket, settings)
  } catch (err) {
    const e = err instanceof TcpdoctorError ? err : new TcpdoctorError('TD_INTERNAL', msg('err.common.internal', { detail: String(err) }), { cause: err })
    if (settings.onError) settings.onError(e, socket)
    else socket.destroy(e)
  }
}

/** The part of net.Server / http.Server / https.Server / tls.Server we use. */
interface ConnectionEmitter {
  on(event: 'connection', listener: (socket: Socket) => void): unknown
  removeListener(event: 'connection', listener: (socket: Socket) => void): unknown
}

/**
 * Configures every socket the server accepts (net, http, https and tls servers alike), in a
 * 'connection' listener that runs before any request is parsed. Returns a function that stops it.
 * @example
 * const server = http.createServer(handler)
 * configureServer(server, { keepAlive: { idle: 30_000, interval: 5000, count: 3 }, userTimeout: 45_000 })
 */
export function configureServer<S extends ConnectionEmitter>(server: S, settings: SocketSettings): () => void {
  check(settings)
  const listener = (socket: Socket): void => onSocket(socket, settings)
  // after the server's own listener (added at construction): http.Server({ keepAlive: true })
  // calls socket.setKeepAlive(true, keepAliveInitialDelay) there, which would undo ours
  server.on('connection', listener)
  return () => { server.removeListener('connection', listener) }
}

type CreateConnection = (this: unknown, options: unknown, callback?: (err: Error | null, socket?: Socket) => void) => Socket | undefined

/**
 * Configures every socket an http.Agent or https.Agent opens (wraps agent.createConnection; a
 * TLS socket is configured when its TCP connection is up, before the handshake). Returns the
 * agent, so it can be used inline: `http.get(url, { agent: configureAgent(new http.Agent({
 * keepAlive: true }), { keepAlive: { idle: 10_000 } }) })`.
 */
export function configureAgent<A extends HttpAgent>(agent: A, settings: SocketSettings): A {
  check(settings)
  const holder = agent as unknown as { createConnection: CreateConnection }
  const original = holder.createConnection
  if (typeof original !== 'function') throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.configureagentTheAgentHas'))
  holder.createConnection = function (this: unknown, options: unknown, callback?: (err: Error | null, socket?: Socket) => void): Socket | undefined {
    const cb = typeof callback === 'function'
      ? (err: Error | null, socket?: Socket): void => {
          if (socket) onSocket(socket, settings)
          callback(err, socket)
        }
      : callback
    const socket = original.call(this, options, cb)
    if (socket) onSocket(socket, settings)
    return socket
  }
  // A keep-alive Agent calls socket.setKeepAlive(true, keepAliveMsecs) each time a socket goes
  // back to the pool (Agent.prototype.keepSocketAlive), which resets idle to 1 s and interval and
  // count to libuv's 1 s x 10: put ours back after it.
  const keep = agent as unknown as { keepSocketAlive?: (socket: Socket) => boolean }
  const originalKeep = keep.keepSocketAlive
  if (typeof originalKeep === 'function' && settings.keepAlive) {
    const ka = settings.keepAlive
    keep.keepSocketAlive = function (this: unknown, socket: Socket): boolean {
      const kept = originalKeep.call(this, socket)
      if (kept && socketFd(socket) !== undefined) {
        try {
          setKeepAlive(socket, ka)
        } catch (err) {
          const e = err instanceof TcpdoctorError ? err : new TcpdoctorError('TD_INTERNAL', msg('err.common.internal', { detail: String(err) }), { cause: err })
          if (settings.onError) settings.onError(e, socket)
          else return false // the Agent destroys a socket it may not keep
        }
      }
      return kept
    }
  }
  return agent
}
