/**
 * @module
 * The data of a sysctl audit: what we know about each key, what was read, and findings.
 */
import type { MessageKey } from '../i18n/index.js'
import type { KernelVersion } from './kernel-version.js'

export type Severity = 'info' | 'warning' | 'critical'

export interface KeySpec {
  /** Dotted key: net.ipv4.tcp_tw_reuse. */
  key: string
  /** The knowledge topic that explains it. */
  topic: string
  /** global: exists only in the initial network namespace (tcp_mem, tcp_max_orphans). */
  scope: 'netns' | 'global'
  /** Kernel version that removed the key. */
  removedIn?: string
  /** Kernel version since which the key does nothing. */
  noopSince?: string
  /** Kernel defaults over time, oldest first; absent when the default depends on memory. */
  defaults?: readonly { since: string; value: string }[]
}

export interface SysctlValue {
  key: string
  /** Whitespace-normalized value; undefined when the key does not exist here. */
  value?: string
  /** Where it was read: this namespace, the initial one (global keys), or nowhere. */
  from: 'netns' | 'initial' | 'missing'
}

export interface ConfigLine {
  file: string
  line: number
  key: string
  value: string
}

export interface AuditInput {
  kernel: KernelVersion
  values: ReadonlyMap<string, SysctlValue>
  configs: readonly ConfigLine[]
  profile: ProfileName
  /** This process is not in the initial network namespace. */
  childNetns: boolean
  /** Keys of the configuration files that exist in /proc/sys here. */
  present: ReadonlySet<string>
}

export interface TuneFinding {
  code: 'REMOVED_KEY' | 'NO_EFFECT' | 'UNKNOWN_KEY' | 'CONFIG_CONFLICT' | 'DEFAULT_CHANGED' | 'RISKY_VALUE' | 'CONTRADICTION' | 'PROFILE' | 'GLOBAL_KEY'
  severity: Severity
  key: string
  current?: string
  recommended?: string
  /** file:line for findings about configuration files. */
  where?: string
  message: MessageKey
  vars: Record<string, string | number>
  /** A second sentence: why the recommended value is better. */
  reason?: MessageKey
  topic: string
}

export type ProfileName = 'default' | 'server' | 'client' | 'loadgen'

export interface Recommendation {
  key: string
  value: string
  current?: string
  reason: MessageKey
  vars: Record<string, string | number>
  topic: string
}

/** One audit group (audit/<group>.ts). */
export type Audit = (input: AuditInput) => TuneFinding[]
