/**
 * @module
 * heartbeat(stream, { interval, timeout, role }): an application heartbeat for any byte stream
 * (net.Socket, tls.TLSSocket, a child's stdio duplex...). TCP keepalive proves only that the
 * peer's kernel answers; a heartbeat proves the peer application is alive, and works through
 * proxies that terminate TCP.
 *
 * Framing (both ends call heartbeat() on their stream; the returned Heartbeat is the stream the
 * application reads and writes from then on, the raw socket must not be read or written):
 *
 *   frame = type (1 byte) | length (uint32 big-endian) | payload (length bytes)
 *   type 0x44 'D'  application data, passed through unchanged (any bytes, any size; split at 16 MiB)
 *   type 0x48 'H'  a beat; payload = uint32 sequence number
 *
 * Because user bytes travel only inside 'D' frames, no user data can be mistaken for a beat and
 * no beat ever reaches the application: the framing never corrupts the data. A peer that is not
 * framing (another type byte, a length over 16 MiB) is TD_PEER_PROTOCOL.
 *
 * Roles: 'sender' sends a beat every `interval` ms; 'monitor' expects one (any frame counts,
 * data too) and, after `timeout` ms of silence, destroys the socket and the Heartbeat with a
 * TcpdoctorError TD_PEER_TIMEOUT; 'both' does both. Events: 'beat' (each beat sent or
 * received), 'miss' (an interval passed with nothing from the peer), 'timeout' (just before the
 * destroy). While the application does not read (backpressure) the deadline is suspended: we
 * cannot see beats we do not read. Every timer is cleared on close, end, destroy or stop(); the
 * timers are not unref()ed, so a leak would keep the process alive (the examples exit by themselves).
 *
 * Hand-written: no npm package frames a stream and runs a deadline on it for both ends
 * (websocket ping/pong is tied to WebSocket, and length-prefix framers carry no heartbeat).
 */
import { Duplex } from 'node:stream'
import { TcpdoctorError } from '../errors.js'
import { msg, type Msg } from '../i18n/index.js'

export type HeartbeatRole = 'sender' | 'monitor' | 'both'

export interface HeartbeatOptions {
  /** ms between beats (sender); the monitor counts one miss per interval of silence. */
  interval: number
  /** monitor: ms of silence from the peer before the socket is destroyed with TD_PEER_TIMEOUT. Must exceed interval. */
  timeout: number
  role: HeartbeatRole
}

export interface BeatEvent {
  direction: 'sent' | 'received'
  seq: number
  /** Date.now() when it was sent or received */
  at: number
}

export interface MissEvent {
  /** consecutive intervals without anything from the peer */
  missed: number
  /** ms since the last frame from the peer */
  silentMs: number
  timeoutMs: number
}

export interface HeartbeatStats {
  beatsSent: number
  beatsReceived: number
  misses: number
  /** Date.now() of the last frame from the peer (or of the start) */
  lastHeardAt: number
}

const TYPE_DATA = 0x44
const TYPE_BEAT = 0x48
const HEADER = 5
const MAX_FRAME = 16 << 20

function checkMs(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 0x7fffffff)
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.heartbeatMustBeA', { what, value: String(v) }))
  return v
}

export interface Heartbeat {
  on(event: 'beat', listener: (beat: BeatEvent) => void): this
  on(event: 'miss', listener: (miss: MissEvent) => void): this
  on(event: 'timeout', listener: (error: TcpdoctorError) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once(event: 'beat', listener: (beat: BeatEvent) => void): this
  once(event: 'miss', listener: (miss: MissEvent) => void): this
  once(event: 'timeout', listener: (error: TcpdoctorError) => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
}

/** The framed stream returned by heartbeat(): read and write application data through it. */
export class Heartbeat extends Duplex {
  readonly role: HeartbeatRole
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly socket: Duplex
  private readonly sending: boolean
  private readonly monitoring: boolean
  private beatTimer: NodeJS.Timeout | undefined
  private missTimer: NodeJS.Timeout | undefined
  private deadline: NodeJS.Timeout | undefined
  private seq = 0
  private missed = 0
  private heardInInterval = false
  private suspended = false
  private readonly header = Buffer.alloc(HEADER)
  private headerFill = 0
  private bodyLeft = 0
  private bodyType = 0
  private beatBody: Buffer[] = []
  private readonly statsValue: HeartbeatStats
  private readonly detach: () => void

  constructor(socket: Duplex, options: HeartbeatOptions) {
    super({ allowHalfOpen: true })
    if (!socket || typeof (socket as Duplex).write !== 'function' || typeof (socket as Duplex).on !== 'function')
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.heartbeatExpectedADuplex'))
    if (!options || typeof options !== 'object') throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.heartbeatOptionsIntervalTimeout'))
    const { role } = options
    if (role !== 'sender' && role !== 'monitor' && role !== 'both')
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.heartbeatRoleMustBe', { role: String(role) }))
    this.intervalMs = checkMs(options.interval, 'interval')
    this.sending = role !== 'monitor'
    this.monitoring = role !== 'sender'
    this.timeoutMs = this.monitoring ? checkMs(options.timeout, 'timeout') : (options.timeout ?? 0)
    if (this.monitoring && this.timeoutMs <= this.intervalMs)
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.net.heartbeatTimeoutMsMust', { timeoutMs: this.timeoutMs, intervalMs: this.intervalMs }), {
        hint: msg('hint.net.aTimeoutOf2'),
      })
    if ((socket as Duplex).destroyed)
      throw new TcpdoctorError('TD_SOCKET_DESTROYED', msg('err.net.heartbeatTheSocketIs'))
    this.role = role
    this.socket = socket
    this.statsValue = { beatsSent: 0, beatsReceived: 0, misses: 0, lastHeardAt: Date.now() }

    const onData = (chunk: Buffer): void => this.onBytes(chunk)
    const onEnd = (): void => {
      this.stopMonitor() // the peer said goodbye: no more beats to expect
      this.push(null)
    }
    const onError = (err: Error): void => { this.destroy(err) }
    const onClose = (): void => {
      this.stopTimers()
      if (!this.destroyed) this.destroy()
    }
    socket.on('data', onData)
    socket.on('end', onEnd)
    socket.on('error', onError)
    socket.on('close', onClose)
    this.detach = () => {
      socket.removeListener('data', onData)
      socket.removeListener('end', onEnd)
      socket.removeListener('error', onError)
      socket.removeListener('close', onClose)
    }

    if (this.sending) {
      this.sendBeat()
      this.beatTimer = setInterval(() => this.sendBeat(), this.intervalMs)
    }
    if (this.monitoring) {
      this.deadline = setTimeout(() => this.onDeadline(), this.timeoutMs)
      this.missTimer = setInterval(() => this.onInterval(), this.intervalMs)
    }
  }

  /** Counters so far. */
  get stats(): HeartbeatStats {
    return { ...this.statsValue }
  }

  /** Stops sending and enforcing (the stream keeps working, framed). */
  stop(): void {
    this.stopTimers()
  }

  private stopMonitor(): void {
    if (this.deadline) clearTimeout(this.deadline)
    if (this.missTimer) clearInterval(this.missTimer)
    this.deadline = this.missTimer = undefined
  }

  private stopSender(): void {
    if (this.beatTimer) clearInterval(this.beatTimer)
    this.beatTimer = undefined
  }

  private stopTimers(): void {
    this.stopSender()
    this.stopMonitor()
  }

  private sendBeat(): void {
    const s = this.socket
    if (s.destroyed || s.writableEnded) return this.stopSender()
    const frame = Buffer.alloc(HEADER + 4)
    frame[0] = TYPE_BEAT
    frame.writeUInt32BE(4, 1)
    const seq = ++this.seq
    frame.writeUInt32BE(seq >>> 0, HEADER)
    s.write(frame)
    this.statsValue.beatsSent++
    this.emit('beat', { direction: 'sent', seq, at: Date.now() } satisfies BeatEvent)
  }

  private heard(): void {
    this.statsValue.lastHeardAt = Date.now()
    this.heardInInterval = true
    this.missed = 0
    this.deadline?.refresh()
  }

  private onInterval(): void {
    if (this.suspended) return
    if (this.heardInInterval) {
      this.heardInInterval = false
      return
    }
    this.missed++
    this.statsValue.misses++
    this.emit('miss', { missed: this.missed, silentMs: Date.now() - this.statsValue.lastHeardAt, timeoutMs: this.timeoutMs } satisfies MissEvent)
  }

  private onDeadline(): void {
    if (this.suspended || this.destroyed) return
    const silentMs = Date.now() - this.statsValue.lastHeardAt
    const err = new TcpdoctorError('TD_PEER_TIMEOUT', msg('err.net.heartbeatNothingFromThe', { silentMs, timeoutMs: this.timeoutMs }), {
      hint: msg('hint.net.thePeerVanishedThe'),
    })
    this.stopTimers()
    this.emit('timeout', err)
    this.socket.destroy(err)
    this.destroy(err)
  }

  private protocolError(what: Msg): void {
    const err = new TcpdoctorError('TD_PEER_PROTOCOL', msg('err.net.heartbeatThePeerSent', { what }))
    this.socket.destroy(err)
    this.destroy(err)
  }

  /** Frame parser: header bytes may arrive split; data payloads stream out as they arrive. */
  private onBytes(chunk: Buffer): void {
    let off = 0
    while (off < chunk.length && !this.destroyed) {
      if (this.bodyLeft === 0 && this.headerFill < HEADER) {
        const n = Math.min(HEADER - this.headerFill, chunk.length - off)
        chunk.copy(this.header, this.headerFill, off, off + n)
        this.headerFill += n
        off += n
        if (this.headerFill < HEADER) break
        const type = this.header[0]!
        const len = this.header.readUInt32BE(1)
        if (type !== TYPE_DATA && type !== TYPE_BEAT) return this.protocolError(msg('err.net.frameUnknownType', { type: type.toString(16).padStart(2, '0') }))
        if (len > MAX_FRAME || (type === TYPE_BEAT && len !== 4)) return this.protocolError(msg('err.net.frameOfBytes', { len }))
        this.bodyType = type
        this.bodyLeft = len
        this.headerFill = 0
        this.heard()
        if (len === 0) continue
      }
      const n = Math.min(this.bodyLeft, chunk.length - off)
      const piece = chunk.subarray(off, off + n)
      off += n
      this.bodyLeft -= n
      if (this.bodyType === TYPE_DATA) {
        if (!this.push(piece)) this.suspend()
      } else {
        this.beatBody.push(piece)
        if (this.bodyLeft === 0) {
          const seq = Buffer.concat(this.beatBody).readUInt32BE(0)
          this.beatBody = []
          this.statsValue.beatsReceived++
          this.heard()
          this.emit('beat', { direction: 'received', seq, at: Date.now() } satisfies BeatEvent)
        }
      }
    }
  }

  /** The application stopped reading: stop reading the socket, and with it the deadline. */
  private suspend(): void {
    this.suspended = true
    this.socket.pause()
  }

  override _read(): void {
    if (this.suspended) {
      this.suspended = false
      this.heard() // a full timeout from now: what we did not read we could not judge
    }
    this.socket.resume()
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const s = this.socket
    if (s.destroyed) return cb(new TcpdoctorError('TD_SOCKET_DESTROYED', msg('err.net.heartbeatWriteAfterThe')))
    let ok = true
    for (let off = 0; off < chunk.length || (off === 0 && chunk.length === 0); ) {
      const n = Math.min(MAX_FRAME, chunk.length - off)
      const header = Buffer.alloc(HEADER)
      header[0] = TYPE_DATA
      header.writeUInt32BE(n, 1)
      s.write(header)
      ok = s.write(chunk.subarray(off, off + n))
      off += n
      if (n === 0) break
    }
    if (ok) return cb()
    const done = (): void => {
      s.removeListener('drain', done)
      s.removeListener('close', done)
      cb()
    }
    s.once('drain', done)
    s.once('close', done)
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.stopSender() // no beats after our end of the stream
    this.socket.end(cb)
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.stopTimers()
    this.detach()
    // keep the socket's late 'error' (e.g. ECONNRESET after our destroy) from crashing the process
    this.socket.on('error', () => {})
    if (!this.socket.destroyed) this.socket.destroy(err ?? undefined)
    cb(err)
  }
}

/**
 * Starts an application heartbeat on a connected byte stream and returns the framed stream to
 * use instead of it. Both ends must call it (typically client 'sender', server 'monitor').
 * @example
 * const hb = heartbeat(socket, { interval: 5000, timeout: 15_000, role: 'monitor' })
 * hb.on('miss', (m) => log(`peer silent ${m.silentMs} ms`))
 * hb.on('error', (err) => { if (err.code === 'TD_PEER_TIMEOUT') log('peer is gone') })
 * hb.on('data', (chunk) => ...)   // the peer's data, unchanged
 */
export function heartbeat(socket: Duplex, options: HeartbeatOptions): Heartbeat {
  return new Heartbeat(socket, options)
}
