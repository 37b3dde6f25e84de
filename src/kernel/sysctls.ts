/**
 * @module
 * readSysctls() (SPEC 4): the TCP sysctls of the namespace tcpdoctor runs in, with the kernel
 * release, the keys that could not be read and why, and the common ones as numbers.
 * Another namespace's (opts.netns) are read on a thread inside it: /proc/sys has no per-pid view.
 */
import { readSysctls as readSysctlSet, tcpSysctls, type SysctlOptions, type SysctlSet, type TcpSysctls } from './procfs/sysctl.js'

export { retries2TimeoutMs, keepaliveDefaultMs } from './procfs/sysctl.js'

export interface Sysctls extends SysctlSet {
  tcp: TcpSysctls
}

/** Reads the TCP sysctls (SPEC 4 readSysctls). */
export function readSysctls(opts: SysctlOptions = {}): Sysctls {
  const set = readSysctlSet(opts)
  return { ...set, tcp: tcpSysctls(set) }
}

export type { SysctlSet, TcpSysctls }
