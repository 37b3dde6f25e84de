/**
 * @module
 * The keepalive report: ESTABLISHED sockets with tcp_info and owners, the keepalive sysctls that
 * apply to them (the snapshot's own with --from, else the kernel's), and the audit.
 */
import { gatherSockets, type GatherOptions, type Gathered } from '../sockets/gather.js'
import { readSysctls } from '../kernel/sysctls.js'
import { tcpSysctls } from '../kernel/procfs/sysctl.js'
import { auditKeepalive, type KeepaliveAudit } from './audit.js'

export interface KeepaliveReport {
  gathered: Gathered
  audit: KeepaliveAudit
}

export function keepaliveReport(opts: Omit<GatherOptions, 'states' | 'info' | 'owners'>, audit: { minIdleMs: number }): KeepaliveReport {
  const gathered = gatherSockets({ ...opts, states: ['ESTABLISHED'], info: true, owners: true })
  const saved = gathered.snapshot?.sysctls as Parameters<typeof tcpSysctls>[0] | undefined
  const tcp = saved && typeof saved === 'object' && 'values' in saved ? tcpSysctls(saved) : readSysctls({ procRoot: opts.procRoot }).tcp
  return { gathered, audit: auditKeepalive(gathered.namespaces.flatMap((n) => n.sockets), tcp, audit) }
}
