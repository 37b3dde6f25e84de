/**
 * @module
 * What each profile recommends. Conservative: only values that fix a known problem for that
 * kind of host; everything else stays at the kernel default. default recommends this kernel's
 * defaults where the live value differs.
 */
import type { MessageKey } from '../i18n/index.js'
import type { ProfileName } from './types.js'

export interface ProfileRule {
  key: string
  /** min/max: numeric bound; eq: exact value; range: a port range at least as wide as want. */
  kind: 'min' | 'max' | 'eq' | 'range'
  want: string
  reason: MessageKey
  topic: string
}

const rule = (key: string, kind: ProfileRule['kind'], want: string, reason: MessageKey, topic = key.split('.').pop()!): ProfileRule => ({ key, kind, want, reason, topic })

export const PROFILES: Record<Exclude<ProfileName, 'default'>, readonly ProfileRule[]> = {
  server: [
    rule('net.core.somaxconn', 'min', '4096', 'tune.why.somaxconn'),
    rule('net.ipv4.tcp_max_syn_backlog', 'min', '4096', 'tune.why.synbacklog'),
    rule('net.ipv4.tcp_syncookies', 'eq', '1', 'tune.why.syncookies'),
    rule('net.ipv4.tcp_abort_on_overflow', 'eq', '0', 'tune.why.abort'),
    rule('net.ipv4.tcp_keepalive_time', 'max', '600', 'tune.why.keepalive.server'),
    rule('net.ipv4.tcp_keepalive_intvl', 'max', '30', 'tune.why.keepalive.server'),
    rule('net.ipv4.tcp_keepalive_probes', 'max', '5', 'tune.why.keepalive.server'),
  ],
  client: [
    rule('net.ipv4.ip_local_port_range', 'range', '32768 60999', 'tune.why.range'),
    rule('net.ipv4.tcp_timestamps', 'eq', '1', 'tune.why.timestamps'),
    rule('net.ipv4.tcp_keepalive_time', 'max', '300', 'tune.why.keepalive.client'),
    rule('net.ipv4.tcp_keepalive_intvl', 'max', '30', 'tune.why.keepalive.client'),
    rule('net.ipv4.tcp_keepalive_probes', 'max', '5', 'tune.why.keepalive.client'),
  ],
  loadgen: [
    rule('net.ipv4.ip_local_port_range', 'range', '1024 65535', 'tune.why.range'),
    rule('net.ipv4.tcp_timestamps', 'eq', '1', 'tune.why.timestamps'),
    rule('net.ipv4.tcp_tw_reuse', 'eq', '1', 'tune.why.twreuse'),
  ],
}

export const PROFILE_NAMES: readonly ProfileName[] = ['default', 'server', 'client', 'loadgen']

/** Keys whose default depends on memory or taste; the default profile never resets them. */
export const NOT_RESET_BY_DEFAULT = new Set(['net.ipv4.tcp_congestion_control', 'net.ipv4.ip_local_reserved_ports'])

/** Width of a port range "lo hi", or undefined when the text is not one. */
export function rangeSize(value: string | undefined): number | undefined {
  const m = /^(\d+)\s+(\d+)$/.exec(value ?? '')
  return m ? Number(m[2]) - Number(m[1]) + 1 : undefined
}

/** True when current satisfies the rule. */
export function satisfies(r: ProfileRule, current: string | undefined): boolean {
  if (current === undefined) return true // missing here: nothing to judge
  if (r.kind === 'eq') return current === r.want
  if (r.kind === 'range') return (rangeSize(current) ?? 0) >= (rangeSize(r.want) ?? 0)
  const n = Number(current)
  if (!Number.isFinite(n)) return true
  return r.kind === 'min' ? n >= Number(r.want) : n <= Number(r.want)
}
