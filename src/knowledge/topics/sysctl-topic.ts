/**
 * @module
 * Builds a sysctl topic: the id is the key's last component, and every spelling users paste
 * (net.ipv4.x, net/ipv4/x, /proc/sys/net/ipv4/x) is an alias.
 */
import type { Topic, TopicText, Outdated } from '../types.js'

export interface SysctlEntry {
  /** Full dotted key: net.ipv4.tcp_tw_reuse. */
  key: string
  seeAlso: readonly string[]
  refs?: readonly string[]
  aliases?: readonly string[]
  en: Omit<TopicText, 'title'>
  zh: Omit<TopicText, 'title'>
  outdated?: { en: Outdated; zh: Outdated }
}

export function sysctlTopic(e: SysctlEntry): Topic {
  const id = e.key.split('.').pop()!
  const slash = e.key.replace(/\./g, '/')
  return {
    id,
    kind: 'sysctl',
    aliases: [e.key, slash, `/proc/sys/${slash}`, ...(e.aliases ?? [])],
    seeAlso: e.seeAlso,
    refs: e.refs ?? ['Documentation/networking/ip-sysctl.rst'],
    en: { ...e.en, title: e.key },
    zh: { ...e.zh, title: e.key },
    outdated: e.outdated,
  }
}
