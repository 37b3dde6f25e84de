/**
 * @module
 * Finds a topic from whatever the user typed: any case, `-`/`_`/space/`+` ignored, flag
 * combinations in any order, sysctl paths, error messages, Chinese names, transitions
 * ("LISTEN -> SYN_RECV"). A miss returns suggestions by edit distance.
 */
import type { Lang } from '../i18n/index.js'
import type { Topic, TopicText } from './types.js'
import { TOPICS } from './topics/index.js'
import { TRANSITIONS, STATE_LABELS, type Transition } from './transitions.js'
import { parseStates } from '../model/state.js'

const FLAG_ORDER = ['cwr', 'ece', 'urg', 'ack', 'psh', 'rst', 'syn', 'fin', 'ns']

/** The comparison form of a query or alias: lower case, prefixes and separators removed. */
export function normalizeQuery(text: string): string {
  let s = text.trim().toLowerCase()
  s = s.replace(/^\/proc\/sys\//, '').replace(/^net[./](ipv4|core|ipv6)[./]/, '')
  const words = s.split(/[\s+\-_/,.|]+/).filter(Boolean)
  // Flag combinations in any order: "ack+syn" = "syn ack".
  if (words.length > 1 && words.every((w) => FLAG_ORDER.includes(w))) words.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b))
  return words.join('').replace(/["'“”‘’():]/g, '')
}

const byId = new Map<string, Topic>(TOPICS.map((t) => [t.id, t]))
const index = new Map<string, Topic>()
for (const t of TOPICS) {
  const keys = [t.id, ...t.aliases, t.en.title, t.zh.title, ...(t.en.aliases ?? []), ...(t.zh.aliases ?? [])]
  for (const k of keys) {
    const n = normalizeQuery(k)
    if (n && !index.has(n)) index.set(n, t)
  }
}

/** Every normalized key that points at more than one topic (the test keeps this empty). */
export function aliasCollisions(): string[] {
  const seen = new Map<string, string>()
  const out: string[] = []
  for (const t of TOPICS) {
    const keys = new Set([t.id, ...t.aliases, ...(t.en.aliases ?? []), ...(t.zh.aliases ?? [])].map(normalizeQuery))
    for (const k of keys) {
      const other = seen.get(k)
      if (other && other !== t.id) out.push(`${k}: ${other} and ${t.id}`)
      seen.set(k, t.id)
    }
  }
  return out
}

export function allTopics(): readonly Topic[] {
  return TOPICS
}

/** True when id names a topic exactly (the ids findings use). */
export function topicExists(id: string): boolean {
  return byId.has(id)
}

export function topicById(id: string): Topic | undefined {
  return byId.get(id)
}

function transitionTopic(tr: Transition): Topic {
  const from = STATE_LABELS[tr.from]
  const to = STATE_LABELS[tr.to]
  const text = (lang: Lang): TopicText => ({
    title: lang === 'zh' ? `${from.label} -> ${to.label}\uff08迁移 ${tr.n}\uff09` : `${from.label} -> ${to.label} (transition ${tr.n})`,
    summary: lang === 'zh' ? `${tr.event.zh}\uff1b动作\uff1a${tr.action.zh}。` : `${tr.event.en}; action: ${tr.action.en}.`,
    body: lang === 'zh'
      ? `RFC 9293 状态图中从 ${from.label}\uff08${from.zh}\uff09到 ${to.label}\uff08${to.zh}\uff09的迁移。事件\uff1a${tr.event.zh}。动作\uff1a${tr.action.zh}。`
      : `The transition from ${from.label} to ${to.label} in RFC 9293's state diagram. Event: ${tr.event.en}. Action: ${tr.action.en}.`,
  })
  return {
    id: `transition-${tr.n}`,
    kind: 'transition',
    aliases: [],
    seeAlso: [from.topic, to.topic, 'transitions'],
    refs: ['RFC 9293 3.3.2'],
    en: text('en'),
    zh: text('zh'),
  }
}

/** "LISTEN -> SYN_RECV", "listen to syn-rcvd", "transition-4". */
function findTransition(query: string): Topic | undefined {
  const num = /^transition[-\s]?(\d+)$/i.exec(query.trim())
  if (num) {
    const tr = TRANSITIONS.find((t) => t.n === Number(num[1]))
    return tr && transitionTopic(tr)
  }
  const parts = query.split(/\s*(?:->|→|=>|\bto\b)\s*/i)
  if (parts.length !== 2) return undefined
  try {
    const from = parseStates(parts[0]!)
    const to = parseStates(parts[1]!)
    const tr = TRANSITIONS.find((t) => from.includes(t.from) && to.includes(t.to))
    return tr && transitionTopic(tr)
  } catch {
    return undefined // not two state names: an ordinary query
  }
}

/** Every transition as a topic (for --list and tests). */
export function transitionTopics(): Topic[] {
  return TRANSITIONS.map(transitionTopic)
}

export type LookupResult = { found: Topic } | { found?: undefined; suggestions: string[] }

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length]!
}

/** Finds the topic for a query, or up to five suggestions. */
export function findTopic(query: string): LookupResult {
  const tr = findTransition(query)
  if (tr) return { found: tr }
  const n = normalizeQuery(query)
  if (!n) return { suggestions: [] }
  const exact = index.get(n)
  if (exact) return { found: exact }
  // A unique partial match: "assign requested" finds "Cannot assign requested address".
  if (n.length >= 4) {
    const hits = new Set<Topic>()
    for (const [k, t] of index) if (k.includes(n)) hits.add(t)
    if (hits.size === 1) return { found: [...hits][0]! }
  }
  const scored = new Map<string, number>()
  for (const [k, t] of index) {
    const d = distance(n, k)
    const limit = Math.max(2, Math.floor(Math.min(n.length, k.length) / 3))
    if (d <= limit && d < (scored.get(t.id) ?? Infinity)) scored.set(t.id, d)
    else if (n.length >= 3 && k.includes(n) && !scored.has(t.id)) scored.set(t.id, limit)
  }
  const suggestions = [...scored].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([id]) => id)
  return { suggestions }
}
