/**
 * @module
 * Every sysctl tune knows: scope, removal, no-op and default history. Sources:
 * Documentation/networking/ip-sysctl.rst; commits 4396e46187ca (tcp_tw_recycle removed, 4.12),
 * 79e9fed46038 (tcp_tw_reuse=2, 4.19), 19f92a030ca6 (SOMAXCONN 4096, 5.4).
 */
import type { KernelVersion } from './kernel-version.js'
import { atLeast } from './kernel-version.js'
import type { KeySpec } from './types.js'

const v4 = (name: string, rest: Omit<KeySpec, 'key' | 'topic' | 'scope'> & { scope?: KeySpec['scope']; topic?: string } = {}): KeySpec => ({
  key: `net.ipv4.${name}`,
  topic: rest.topic ?? name,
  scope: rest.scope ?? 'netns',
  ...rest,
})
const fixed = (value: string) => [{ since: '2.6', value }]

export const KEYS: readonly KeySpec[] = [
  v4('tcp_tw_reuse', { defaults: [{ since: '2.6', value: '0' }, { since: '4.19', value: '2' }] }),
  v4('tcp_tw_reuse_delay', { defaults: fixed('1000') }),
  v4('tcp_tw_recycle', { removedIn: '4.12', defaults: fixed('0') }),
  v4('tcp_fin_timeout', { defaults: fixed('60') }),
  v4('tcp_max_tw_buckets'),
  // Read only: the size of the established hash, from which tw_buckets and orphans defaults derive.
  v4('tcp_ehash_entries', { topic: 'tcp_max_tw_buckets' }),
  v4('tcp_max_orphans', { scope: 'global' }),
  v4('tcp_orphan_retries', { defaults: fixed('0') }),
  v4('tcp_syncookies', { defaults: fixed('1') }),
  v4('tcp_max_syn_backlog'),
  { key: 'net.core.somaxconn', topic: 'somaxconn', scope: 'netns', defaults: [{ since: '2.6', value: '128' }, { since: '5.4', value: '4096' }] },
  v4('tcp_synack_retries', { defaults: fixed('5') }),
  v4('tcp_syn_retries', { defaults: fixed('6') }),
  v4('tcp_syn_linear_timeouts', { defaults: fixed('4') }),
  v4('tcp_keepalive_time', { defaults: fixed('7200') }),
  v4('tcp_keepalive_intvl', { defaults: fixed('75') }),
  v4('tcp_keepalive_probes', { defaults: fixed('9') }),
  v4('tcp_retries2', { defaults: fixed('15') }),
  v4('ip_local_port_range', { defaults: fixed('32768 60999') }),
  v4('ip_local_reserved_ports', { defaults: fixed('') }),
  v4('tcp_mem', { scope: 'global' }),
  v4('tcp_rmem'),
  v4('tcp_wmem'),
  v4('tcp_abort_on_overflow', { defaults: fixed('0') }),
  v4('tcp_timestamps', { defaults: fixed('1') }),
  v4('tcp_sack', { defaults: fixed('1') }),
  v4('tcp_window_scaling', { defaults: fixed('1') }),
  v4('tcp_fastopen', { defaults: fixed('1') }),
  v4('tcp_slow_start_after_idle', { defaults: fixed('1') }),
  v4('tcp_congestion_control'),
  v4('tcp_low_latency', { scope: 'global', noopSince: '4.14', defaults: fixed('0') }),
  v4('tcp_fack', { noopSince: '4.15', defaults: fixed('0') }),
]

const byKey = new Map(KEYS.map((k) => [k.key, k]))

/** The spec of a dotted key (net.ipv4.x or net.core.x). */
export function keySpec(key: string): KeySpec | undefined {
  return byKey.get(key)
}

/** Accepts tcp_tw_reuse, net.ipv4.tcp_tw_reuse or net/ipv4/tcp_tw_reuse; returns the dotted key. */
export function canonicalKey(text: string): string {
  const dotted = text.trim().replace(/^\/proc\/sys\//, '').replace(/\//g, '.')
  if (dotted.includes('.')) return dotted
  return KEYS.find((k) => k.key.endsWith(`.${dotted}`))?.key ?? `net.ipv4.${dotted}`
}

/** This kernel's default for a key, when it does not depend on memory. */
export function defaultFor(spec: KeySpec, kernel: KernelVersion): string | undefined {
  let value: string | undefined
  for (const d of spec.defaults ?? []) if (atLeast(kernel, d.since)) value = d.value
  return value
}

/** True when the running kernel no longer has the key. */
export function isRemoved(spec: KeySpec | undefined, kernel: KernelVersion): boolean {
  return !!spec?.removedIn && atLeast(kernel, spec.removedIn)
}
