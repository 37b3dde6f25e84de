/**
 * @module
 * The MIB counters worth a look when TCP misbehaves, in the order `counters` shows them, and
 * the ones that are gauges rather than counters. Names are nstat's (group + field, as in
 * include/uapi/linux/snmp.h and net/ipv4/proc.c). Explanations are in i18n/messages/counters.ts
 * under `counter.<name>`.
 */

/** Counters shown by default, in this order; names the running kernel lacks are skipped. */
export const KEY_COUNTERS = [
  'TcpActiveOpens',
  'TcpPassiveOpens',
  'TcpAttemptFails',
  'TcpEstabResets',
  'TcpCurrEstab',
  'TcpInSegs',
  'TcpOutSegs',
  'TcpRetransSegs',
  'TcpInErrs',
  'TcpOutRsts',
  'TcpInCsumErrors',
  'TcpExtListenOverflows',
  'TcpExtListenDrops',
  'TcpExtSyncookiesSent',
  'TcpExtSyncookiesRecv',
  'TcpExtSyncookiesFailed',
  'TcpExtTCPReqQFullDoCookies',
  'TcpExtTCPReqQFullDrop',
  'TcpExtTCPTimeWaitOverflow',
  'TcpExtTW',
  'TcpExtTWRecycled',
  'TcpExtTWKilled',
  'TcpExtPAWSEstab',
  'TcpExtTCPAbortOnData',
  'TcpExtTCPAbortOnClose',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPAbortOnTimeout',
  'TcpExtTCPAbortOnLinger',
  'TcpExtTCPAbortFailed',
  'TcpExtTCPMemoryPressures',
  'TcpExtTCPMemoryPressuresChrono',
  'TcpExtTCPTimeouts',
  'TcpExtTCPSynRetrans',
  'TcpExtTCPLostRetransmit',
  'TcpExtTCPFastRetrans',
  'TcpExtTCPSlowStartRetrans',
  'TcpExtTCPLossProbes',
  'TcpExtTCPSpuriousRTOs',
  'TcpExtTCPBacklogDrop',
  'TcpExtTCPRcvQDrop',
  'TcpExtTCPZeroWindowDrop',
  'TcpExtTCPOFODrop',
  'TcpExtPruneCalled',
  'TcpExtRcvPruned',
  'TcpExtTCPKeepAlive',
  'TcpExtTCPChallengeACK',
  'TcpExtEmbryonicRsts',
  'TcpExtTCPOrigDataSent',
] as const

/** Values that go up and down (a level, not a count of events): no rate, delta is a change. */
export const GAUGES: ReadonlySet<string> = new Set([
  'TcpCurrEstab',
  'TcpRtoAlgorithm',
  'TcpRtoMin',
  'TcpRtoMax',
  'TcpMaxConn',
  'IpForwarding',
  'IpDefaultTTL',
])

/** Turns shell-style globs ("TcpExt*Listen*", "Tcp?utSegs") into one matcher; case-sensitive as nstat. */
export function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => true
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`))
  return (name) => res.some((re) => re.test(name))
}
