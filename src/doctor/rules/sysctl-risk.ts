/**
 * @module
 * SYSCTL_RISK: TCP sysctls of this namespace that are risky on the running kernel. Judged only
 * where tcpdoctor runs inside the namespace (/proc/sys shows the reader's namespace), once per
 * namespace, one item per key. Warnings: tcp_tw_recycle still set (kernels < 4.12; breaks clients
 * behind NAT), syncookies off, somaxconn or tcp_max_syn_backlog tiny, window scaling off,
 * tcp_max_tw_buckets / tcp_max_orphans lowered (DoS guards: never lower them). Info: retry counts
 * and timeouts far from the defaults. Keys another finding already reports are left to it (the
 * port range: EPHEMERAL_RANGE_NARROW; an overflowing tcp_max_tw_buckets: TIME_WAIT_BUCKET_OVERFLOW).
 */
import { ownSysctls } from '../input.js'
import { perNamespace, SEVERITY_RANK, type Severity, type Text } from '../rule.js'
import { twOverflowing } from './time-wait-bucket-overflow.js'

interface Item { key: string; value: string; severity: Severity; why: string; vars?: Record<string, string | number> }

export const sysctlRisk = perNamespace('SYSCTL_RISK', 'warning', (ns, config, input) => {
  const t = config.thresholds.SYSCTL_RISK
  const own = ownSysctls(ns)
  if (!own) return []
  const v = own.values
  const num = (k: string): number | undefined => (v[k] !== undefined && /^-?\d+$/.test(v[k]!) ? Number(v[k]) : undefined)
  const items: Item[] = []
  const add = (key: string, severity: Severity, why: string, vars: Record<string, string | number> = {}): void => void items.push({ key, value: v[key] ?? '', severity, why, vars })
  const lowBuckets = config.thresholds.TIME_WAIT_BUCKET_OVERFLOW.lowBuckets
  if ((num('net.ipv4.tcp_tw_recycle') ?? 0) !== 0) add('net.ipv4.tcp_tw_recycle', 'critical', 'twRecycle')
  if (num('net.ipv4.tcp_syncookies') === 0) add('net.ipv4.tcp_syncookies', 'warning', 'syncookiesOff')
  const somaxconn = num('net.core.somaxconn')
  if (somaxconn !== undefined && somaxconn < t.minSomaxconn) add('net.core.somaxconn', 'warning', 'somaxconn', { min: t.minSomaxconn })
  const synBacklog = num('net.ipv4.tcp_max_syn_backlog')
  if (synBacklog !== undefined && synBacklog < t.minSynBacklog) add('net.ipv4.tcp_max_syn_backlog', 'warning', 'synBacklog', { min: t.minSynBacklog })
  if (num('net.ipv4.tcp_window_scaling') === 0) add('net.ipv4.tcp_window_scaling', 'warning', 'windowScaling')
  const tw = num('net.ipv4.tcp_max_tw_buckets')
  const recentTw = input.kernelLog.events.some((e) => e.kind === 'time_wait_overflow')
  if (tw !== undefined && tw < lowBuckets && !twOverflowing(ns, config, recentTw)) add('net.ipv4.tcp_max_tw_buckets', 'warning', 'twBuckets', { min: lowBuckets })
  const orphans = num('net.ipv4.tcp_max_orphans')
  if (orphans !== undefined && orphans < lowBuckets) add('net.ipv4.tcp_max_orphans', 'warning', 'maxOrphans', { min: lowBuckets })
  if (num('net.ipv4.tcp_sack') === 0) add('net.ipv4.tcp_sack', 'info', 'sack')
  if (num('net.ipv4.tcp_timestamps') === 0) add('net.ipv4.tcp_timestamps', 'info', 'timestamps')
  if (num('net.ipv4.tcp_abort_on_overflow') === 1) add('net.ipv4.tcp_abort_on_overflow', 'info', 'abortOnOverflow')
  const ka = num('net.ipv4.tcp_keepalive_time')
  if (ka !== undefined && ka > t.maxKeepaliveTimeS) add('net.ipv4.tcp_keepalive_time', 'info', 'keepalive', { max: t.maxKeepaliveTimeS })
  const retries: [string, number][] = [['net.ipv4.tcp_syn_retries', 6], ['net.ipv4.tcp_synack_retries', 5], ['net.ipv4.tcp_orphan_retries', 8], ['net.ipv4.tcp_retries2', 15], ['net.ipv4.tcp_fin_timeout', 60]]
  for (const [key, dflt] of retries) {
    const n = num(key)
    if (n !== undefined && n > dflt * 2) add(key, 'info', 'retries', { dflt })
  }
  if (items.length === 0) return []
  items.sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity])
  const worst = items[0]!.severity
  const serious = items.filter((i) => i.severity !== 'info')
  return [{
    severity: worst,
    magnitude: serious.length || items.length / 10,
    vars: { count: items.length, keys: items.slice(0, 3).map((i) => `${i.key.replace(/^net\.(ipv4|core)\./, '')}=${i.value}`).join(', '), kernel: own.kernel },
    evidence: { kernel: own.kernel, items: items.map((i) => ({ key: i.key, value: i.value, severity: i.severity, reason: i.why })) },
    details: items.map((i) => [`doctor.risk.${i.why}`, { key: i.key, value: i.value, severity: i.severity, ...i.vars }]),
    fixes: [...items.filter((i) => i.severity !== 'info').slice(0, 4).map((i): Text => [`doctor.riskfix.${i.why}`, { key: i.key, value: i.value, ...i.vars }]), ['doctor.SYSCTL_RISK.fix.tune']],
  }]
})
