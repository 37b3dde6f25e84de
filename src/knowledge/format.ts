/**
 * @module
 * Turns a topic into terminal text and into its JSON document. No decisions about what to
 * show beyond the topic itself.
 */
import type { Lang } from '../i18n/index.js'
import { t } from '../i18n/index.js'
import type { Topic } from './types.js'
import { wrapText } from './wrap.js'
import { TRANSITIONS, STATE_LABELS, type Transition } from './transitions.js'

export interface TopicDoc {
  id: string
  kind: Topic['kind']
  title: string
  summary: string
  body: string
  aliases: string[]
  seeAlso: readonly string[]
  refs: readonly string[]
  lang: Lang
  outdated?: { article: string; now: string }
  transitions?: { n: number; from: string; to: string; event: string; action: string }[]
}

/** The transitions into and out of a state topic. */
export function transitionsOf(topic: Topic): Transition[] {
  if (topic.kind !== 'state') return []
  return TRANSITIONS.filter((tr) => STATE_LABELS[tr.from].topic === topic.id || STATE_LABELS[tr.to].topic === topic.id)
}

/** The JSON document of `explain --json` (docs/commands/explain.md). */
export function topicDoc(topic: Topic, lang: Lang): TopicDoc {
  const text = topic[lang]
  const transitions = transitionsOf(topic).map((tr) => ({ n: tr.n, from: tr.from, to: tr.to, event: tr.event[lang], action: tr.action[lang] }))
  return {
    id: topic.id,
    kind: topic.kind,
    title: text.title,
    summary: text.summary,
    body: text.body,
    aliases: [...topic.aliases, ...(text.aliases ?? [])],
    seeAlso: topic.seeAlso,
    refs: topic.refs ?? [],
    lang,
    ...(topic.outdated ? { outdated: topic.outdated[lang] } : {}),
    ...(transitions.length ? { transitions } : {}),
  }
}

/** "Label: " in English, "标签:" in Chinese. */
export function labelled(lang: Lang, label: string, text: string): string {
  return lang === 'zh' ? `${label}\uff1a${text}` : `${label}: ${text}`
}

export interface FormatOptions {
  lang: Lang
  width: number
  /** Wraps a heading in colour when the terminal allows it. */
  bold?: (s: string) => string
}

/** The human page of a topic, wrapped to width cells. */
export function formatTopic(topic: Topic, opts: FormatOptions): string {
  const { lang, width } = opts
  const bold = opts.bold ?? ((s: string) => s)
  const doc = topicDoc(topic, lang)
  const out: string[] = []
  out.push(bold(wrapText(`${doc.title}  [${t(lang, `explain.kind.${topic.kind}`)}]`, width)))
  out.push('')
  out.push(wrapText(doc.summary, width))
  out.push('')
  out.push(wrapText(doc.body, width))
  if (doc.transitions) {
    out.push('', bold(t(lang, 'explain.transitions')))
    for (const tr of doc.transitions) {
      const line = `${String(tr.n).padStart(2)}  ${STATE_LABELS[tr.from as keyof typeof STATE_LABELS].label} -> ${STATE_LABELS[tr.to as keyof typeof STATE_LABELS].label}${lang === 'zh' ? `\uff1a${tr.event}\uff1b${tr.action}` : `: ${tr.event}; ${tr.action}`}`
      out.push(wrapText(line, width).replace(/\n/g, '\n      '))
    }
  }
  if (doc.outdated) {
    out.push('', bold(t(lang, 'explain.outdated')))
    out.push(wrapText(`- ${labelled(lang, t(lang, 'explain.article'), doc.outdated.article)}`, width))
    out.push(wrapText(`- ${labelled(lang, t(lang, 'explain.now'), doc.outdated.now)}`, width))
  }
  out.push('')
  if (doc.aliases.length) out.push(wrapText(labelled(lang, t(lang, 'explain.aliases'), doc.aliases.join(', ')), width))
  if (doc.seeAlso.length) out.push(wrapText(labelled(lang, t(lang, 'explain.seeAlso'), doc.seeAlso.join(', ')), width))
  if (doc.refs.length) out.push(wrapText(labelled(lang, t(lang, 'explain.refs'), doc.refs.join('; ')), width))
  return out.join('\n')
}
