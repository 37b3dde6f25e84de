/**
 * @module
 * The shape of a knowledge topic: one subject (a state, a flag, a sysctl, an errno, a concept)
 * with English and Chinese text. Pure data; topics/*.ts hold the entries, lookup.ts finds them.
 */

export type TopicKind = 'state' | 'transition' | 'flag' | 'flags' | 'concept' | 'errno' | 'sysctl'

export interface TopicText {
  title: string
  /** One or two sentences: what it is and what to do. */
  summary: string
  /** Paragraphs separated by a blank line; lines starting with "- " are bullets, "$ " commands. */
  body: string
  /** Names users type in this language (关闭等待). */
  aliases?: readonly string[]
}

export interface Outdated {
  /** What the seed article says. */
  article: string
  /** What holds on modern Linux, and why. */
  now: string
}

export interface Topic {
  /** kebab-case for concepts and states (close-wait), the kernel spelling for sysctls (tcp_tw_reuse). */
  id: string
  kind: TopicKind
  /** Language-neutral spellings: CLOSE_WAIT, net.ipv4.tcp_tw_reuse, "Cannot assign requested address". */
  aliases: readonly string[]
  seeAlso: readonly string[]
  /** Primary sources: RFC numbers, kernel documentation. */
  refs?: readonly string[]
  en: TopicText
  zh: TopicText
  /** Where the seed article's advice no longer holds (ANCHORS d). */
  outdated?: { en: Outdated; zh: Outdated }
}

/** A helper that keeps the literal types loose but checks the shape. */
export function topic(t: Topic): Topic {
  return t
}
