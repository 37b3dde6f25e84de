/**
 * @module
 * readSysctls() (SPEC 4): the TCP sysctls of the namespace tcpdoctor runs in, with the kernel
 * release, the keys that could not be read and why, and the common ones as numbers.
 * For another namespace, run inside it (`ip netns exec NAME ...`): /proc/sys has no per-pid view.
 */
import { readSysctls as readSysctlSet, tcpSysctls, type SysctlSet, type TcpSysctls } from '../kernel/procfs/sysctl.js'

export interface Sysctls extends SysctlSet {
  tcp: TcpSysctls
}

/** Reads the TCP sysctls (SPEC 4 readSysctls). */
export function readSysctls(opts: { procRoot?: string } = {}): Sysctls {
  const set = readSysctlSet(opts)
  return { ...set, tcp: tcpSysctls(set) }
}

/**
 * The time the kernel takes to give up on unacknowledged data with tcp_retries2 = retries
 * (net/ipv4/tcp_timer.c tcp_model_timeout(): exponential backoff from TCP_RTO_MIN = 200 ms up to
 * rto_max, then linear). 15 retries -> 924.6 s with the default 120 s maximum. Pure.
 */
export function retries2TimeoutMs(retries: number, rtoMaxMs = 120_000, rtoBaseMs = 200): number {
  const linearBackoffThresh = Math.floor(Math.log2(rtoMaxMs / rtoBaseMs))
  if (retries <= linearBackoffThresh) return ((2 << retries) - 1) * rtoBaseMs
  return ((2 << linearBackoffThresh) - 1) * rtoBaseMs + (retries - linearBackoffThresh) * rtoMaxMs
}

/** Keepalive's time to declare a silent peer dead with the sysctl defaults: time + intvl * probes, in ms. */
export function keepaliveDefaultMs(t: TcpSysctls): number | undefined {
  if (t.keepaliveTimeS === undefined || t.keepaliveIntvlS === undefined || t.keepaliveProbes === undefined) return undefined
  return (t.keepaliveTimeS + t.keepaliveIntvlS * t.keepaliveProbes) * 1000
}

export type { SysctlSet, TcpSysctls }
