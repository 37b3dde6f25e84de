/**
 * @module
 * One TCP connect-time probe, unprivileged: a non-blocking connect() with IP_RECVERR, one SYN
 * (TCP_SYNCNT 1 and we give up at the timeout). The answer classifies the path: a SYN/ACK
 * (open), an RST (refused), an ICMP error (unreachable, with who sent it), or nothing: the SYN
 * was dropped (filtered; the client sits in SYN_SENT, the article's "many SYN_SENT" case).
 */
import { connect } from 'node:net'
import { TcpdoctorError, errnoCode } from '../errors.js'
import { tryNative } from '../kernel/native.js'
import type { Target } from './address.js'
import { closeQuietly, probeNative, waitEvents } from './sockets.js'
import { msg } from '../i18n/index.js'

export interface TcpProbeResult {
  outcome: 'open' | 'refused' | 'filtered' | 'unreachable' | 'aborted'
  rtt: number | null
  from?: string
  detail?: string
  /** the ICMP error was time exceeded (a trace hop) */
  ttlExceeded?: boolean
}

/**
 * Without the addon: Node's own connect(). Same classification, but no TTL, no ICMP detail (who
 * answered) and the time is what the event loop saw. SPEC 2: what can work without the addon does.
 */
function nodeProbe(target: Target, port: number, o: { timeoutMs: number; signal?: AbortSignal }): Promise<TcpProbeResult> {
  return new Promise((resolve) => {
    const started = performance.now()
    const s = connect({ host: target.address, port, family: target.family })
    const done = (r: TcpProbeResult): void => {
      clearTimeout(timer)
      o.signal?.removeEventListener('abort', abort)
      s.destroy()
      resolve(r)
    }
    const abort = (): void => done({ outcome: 'aborted', rtt: null })
    const timer = setTimeout(() => done({ outcome: 'filtered', rtt: null, detail: 'no answer to the SYN (dropped on the way or by a firewall)' }), o.timeoutMs)
    o.signal?.addEventListener('abort', abort, { once: true })
    const ms = (): number => Math.round((performance.now() - started) * 1000) / 1000
    s.on('connect', () => done({ outcome: 'open', rtt: ms() }))
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done({ outcome: 'refused', rtt: ms() })
      else done({ outcome: 'unreachable', rtt: null, detail: err.code ?? err.message })
    })
  })
}

export async function tcpProbe(target: Target, port: number, o: { timeoutMs: number; ttl?: number; signal?: AbortSignal; netnsPath?: string }): Promise<TcpProbeResult> {
  if (!tryNative()?.probeConnect) {
    // A TTL or another namespace needs the addon: say so (TD_NATIVE_MISSING)
    if (o.ttl !== undefined || o.netnsPath !== undefined) probeNative()
    return nodeProbe(target, port, o)
  }
  const n = probeNative()
  let c: { fd: number; sent: number; error: string | null }
  try {
    c = n.probeConnect(target.family, target.bytes, port, o.ttl ?? 0, o.netnsPath)
  } catch (err) {
    throw new TcpdoctorError(errnoCode(err) === 'EMFILE' ? 'TD_IO' : 'TD_IO', msg('err.probe.tcpProbeSocket', { detail: (err as Error).message }), { cause: err })
  }
  try {
    if (c.error) {
      if (c.error === 'ENETUNREACH' || c.error === 'EHOSTUNREACH') return { outcome: 'unreachable', rtt: null, detail: `${c.error} (no route on this host)` }
      if (c.error === 'ECONNREFUSED') return { outcome: 'refused', rtt: 0 }
      return { outcome: 'unreachable', rtt: null, detail: c.error }
    }
    const deadline = performance.now() + o.timeoutMs
    let icmp: { from?: string; detail: string; ttl: boolean } | undefined
    for (;;) {
      const left = deadline - performance.now()
      if (o.signal?.aborted) return { outcome: 'aborted', rtt: null }
      if (left <= 0) return { outcome: 'filtered', rtt: null, detail: 'no answer to the SYN (dropped on the way or by a firewall)' }
      const events = await waitEvents(n, [c.fd], [1], left, o.signal)
      for (const e of events) {
        const rtt = Math.round(e.t - c.sent) / 1000
        if (e.kind === 2) icmp = { from: e.offender ?? undefined, detail: `ICMP type ${e.type} code ${e.code}`, ttl: (target.family === 4 && e.type === 11) || (target.family === 6 && e.type === 3) }
        // the kernel's handshake RTT (TCP_INFO) when it gave one: no thread wake-up in it
        if (e.kind === 3) return { outcome: 'open', rtt: e.info > 0 ? e.info / 1000 : rtt }
        if (e.kind === 4) {
          if (e.errno === 'ECONNREFUSED') return { outcome: 'refused', rtt }
          return { outcome: 'unreachable', rtt: icmp ? rtt : null, from: icmp?.from, detail: icmp ? `${e.errno}: ${icmp.detail}` : e.errno ?? undefined, ttlExceeded: icmp?.ttl }
        }
      }
    }
  } finally {
    closeQuietly(n, c.fd)
  }
}
