/**
 * @module
 * Opening probe sockets through the addon, with the unprivileged path first: the ICMP ping
 * socket when net.ipv4.ping_group_range admits our group, a raw socket with CAP_NET_RAW, else
 * TD_PERMISSION naming both. And the one wait loop every probe uses: poll() on a worker thread
 * in slices, so an abort (Ctrl-C) is seen within a slice.
 */
import { readFileSync } from 'node:fs'
import { TcpdoctorError, errnoCode } from '../errors.js'
import { loadNative, type Native, type ProbeEvent } from '../kernel/native.js'
import { resolveNetns } from '../kernel/netns.js'
import { msg } from '../i18n/index.js'

export type ProbeNative = Required<Pick<Native, 'probeSocket' | 'probeSend' | 'probeConnect' | 'probeWait' | 'closeFd'>>

/** The addon's probe functions, or TD_NATIVE_MISSING. */
export function probeNative(): ProbeNative {
  const n = loadNative()
  if (!n.probeSocket || !n.probeSend || !n.probeConnect || !n.probeWait)
    throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.probe.theNativeAddonWas'), { hint: msg('hint.probe.npmRunBuildNative') })
  return n as ProbeNative
}

export const ICMP_DGRAM = 0
export const ICMP_RAW = 1
export const UDP = 2

function pingGroupRange(): string {
  try {
    return readFileSync('/proc/sys/net/ipv4/ping_group_range', 'utf8').trim().replace(/\s+/, ' ')
  } catch {
    return 'unknown' // /proc/sys not mounted: the message says so
  }
}

/**
 * The file of the one namespace a probe runs in (--netns NAME|PATH|PID), or undefined for ours.
 * Probe sockets are created inside it by the addon and keep it for life, so every probe, reply
 * and ICMP error is that namespace's, as under `ip netns exec NAME`.
 */
export function probeNetnsPath(netns: string | undefined): string | undefined {
  if (netns === undefined) return undefined
  const targets = resolveNetns(netns)
  if (targets.length !== 1) throw new TcpdoctorError('TD_USAGE', msg('err.probe.oneNamespace', { netns, n: targets.length }))
  return targets[0]!.path
}

/** An ICMP socket: the ping socket when allowed, else raw. Says which. */
export function openIcmp(n: ProbeNative, family: 4 | 6, ttl: number, netnsPath?: string): { fd: number; mode: 'icmp' | 'raw' } {
  let first: unknown
  try {
    return { fd: n.probeSocket(family, ICMP_DGRAM, ttl, netnsPath), mode: 'icmp' }
  } catch (err) {
    first = err
  }
  try {
    return { fd: n.probeSocket(family, ICMP_RAW, ttl, netnsPath), mode: 'raw' }
  } catch (err) {
    const c1 = errnoCode(first)
    const c2 = errnoCode(err)
    if ((c1 === 'EACCES' || c1 === 'EPERM') && (c2 === 'EPERM' || c2 === 'EACCES')) {
      throw new TcpdoctorError('TD_PERMISSION', msg('err.probe.icmpNeedsThePing', { pingGroupRange: pingGroupRange(), gid: process.getgid?.() }), {
        cause: err,
        hint: msg('hint.probe.sysctlWNetIpv4'),
      })
    }
    if (c2 === 'EAFNOSUPPORT' || c1 === 'EAFNOSUPPORT') throw new TcpdoctorError('TD_UNSUPPORTED', msg('err.probe.ipvIsNotAvailable', { family, code: c2 ?? c1 }), { cause: err })
    throw new TcpdoctorError('TD_IO', msg('err.probe.cannotOpenAnIcmp', { detail: (err as Error).message }), { cause: err })
  }
}

/** Maps a send error to a coded error (no route, no permission) or rethrows. */
export function sendError(err: unknown, address: string): TcpdoctorError {
  const code = errnoCode(err)
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH' || code === 'EADDRNOTAVAIL')
    return new TcpdoctorError('TD_NO_ROUTE', msg('err.probe.noRouteTo', { address, code }), { cause: err, hint: msg('hint.probe.theKernelHasNo', { address }) })
  if (code === 'EACCES' || code === 'EPERM') return new TcpdoctorError('TD_PERMISSION', msg('err.probe.sendingToWasRefused', { address, code }), { cause: err })
  return new TcpdoctorError('TD_IO', msg('err.probe.sendingTo', { address, detail: (err as Error).message }), { cause: err })
}

/** Milliseconds on the clock the addon stamps with (CLOCK_REALTIME, µs). */
export const nowUs = (): number => Date.now() * 1000 + ((performance.now() * 1000) % 1000)

/** Waits up to ms for events on the fds (streams[i]: a connecting TCP socket); [] on abort. */
export async function waitEvents(n: ProbeNative, fds: number[], streams: number[], ms: number, signal?: AbortSignal): Promise<ProbeEvent[]> {
  if (signal?.aborted) return []
  const slice = Math.max(0, Math.min(Math.ceil(ms), 100))
  return n.probeWait(Int32Array.from(fds), Int32Array.from(streams), slice)
}

export function closeQuietly(n: ProbeNative, fd: number): void {
  try {
    n.closeFd(fd)
  } catch {
    // already closed: nothing to release
  }
}
