/**
 * @module
 * The message catalog: typed keys, English and Chinese. Each area keeps its messages in
 * i18n/messages/<area>.ts as `{ en: {...}, zh: {...} }`; the test i18n.test.ts checks that both
 * languages have every key and the same {placeholders}.
 */
import { common } from './messages/common.js'
import { sockets } from './messages/sockets.js'
import { counters } from './messages/counters.js'
import { keepalive } from './messages/keepalive.js'
import { lab } from './messages/lab.js'
import { knowledge } from './messages/knowledge.js'
import { tune } from './messages/tune.js'
import { doctor } from './messages/doctor.js'
import { probe } from './messages/probe.js'
import { capture } from './messages/capture.js'
import { notes } from './messages/notes.js'
import { packets } from './messages/packets.js'
import { watch } from './messages/watch.js'
import { monitor } from './messages/monitor.js'
import { errors } from './messages/errors.js'
import { helpCatalogs } from './messages/help/index.js'

/** Every area's catalog, listed by hand (no registration by import side effect). */
export const catalogs = [common, sockets, counters, lab, keepalive, knowledge, tune, doctor, probe, notes, packets, capture, watch, monitor, errors, ...helpCatalogs] as const

export type Lang = 'en' | 'zh'

type Union<T> = T extends readonly (infer U)[] ? U : never
type EnKeys<C> = C extends { en: infer E } ? keyof E : never
export type MessageKey = EnKeys<Union<typeof catalogs>> & string

const tables: Record<Lang, Map<string, string>> = { en: new Map(), zh: new Map() }
for (const c of catalogs) {
  for (const [k, v] of Object.entries(c.en)) tables.en.set(k, v)
  for (const [k, v] of Object.entries(c.zh)) tables.zh.set(k, v)
}

/** The environment, without needing Node's types (the web bundle type-checks this file through errors.ts). */
function processEnv(): Readonly<Record<string, string | undefined>> {
  return (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
}

/** The language from --lang, else LANG/LC_ALL/LC_MESSAGES (zh_* -> zh), else en. */
export function detectLang(flag: string | undefined, env: Readonly<Record<string, string | undefined>> = processEnv()): Lang {
  // POSIX: an empty LC_ALL or LC_MESSAGES counts as unset
  const pick = flag ?? (env.LC_ALL || env.LC_MESSAGES || env.LANG || '')
  return /^zh/i.test(pick) ? 'zh' : 'en'
}

/** The text of key in lang with {name} placeholders filled. Falls back to English. */
export function t(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const template = tables[lang].get(key) ?? tables.en.get(key) ?? key
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m))
}

/** Every key and both texts, for the catalog test. */
export function allMessages(): { key: string; en: string | undefined; zh: string | undefined }[] {
  const keys = new Set([...tables.en.keys(), ...tables.zh.keys()])
  return [...keys].map((key) => ({ key, en: tables.en.get(key), zh: tables.zh.get(key) }))
}

/** The values of a message's {placeholders}: text, numbers, or other messages (rendered in the same language). */
export type MsgVars = Readonly<Record<string, unknown>>

/** A message not yet rendered: a catalog key and its values, rendered later in the reader's language. */
export interface Msg {
  readonly key: MessageKey
  readonly vars: MsgVars
}

/** A localizable message: `msg('err.snapshot.missing', { file })`. */
export function msg(key: MessageKey, vars: MsgVars = {}): Msg {
  return { key, vars }
}

/** Text that is not ours but comes in both languages (a library's own translation): a value for a message. */
export interface InLangs {
  readonly inLangs: Readonly<Record<Lang, string>>
}

export function inLangs(texts: Record<Lang, string>): InLangs {
  return { inLangs: texts }
}

const isInLangs = (v: unknown): v is InLangs => typeof v === 'object' && v !== null && typeof (v as InLangs).inLangs === 'object'

export function isMsg(v: unknown): v is Msg {
  return typeof v === 'object' && v !== null && typeof (v as Msg).key === 'string' && typeof (v as Msg).vars === 'object'
}

/** Text that may be a message (ours, localizable) or a plain string (not ours: an OS or library text). */
export function textIn(lang: Lang, v: string | Msg): string {
  return typeof v === 'string' ? v : render(lang, v)
}

/** The text of a message in lang; values that are messages themselves are rendered in lang too. */
export function render(lang: Lang, m: Msg): string {
  const vars: Record<string, string> = {}
  for (const [k, v] of Object.entries(m.vars)) vars[k] = isMsg(v) ? render(lang, v) : isInLangs(v) ? v.inLangs[lang] : String(v)
  return t(lang, m.key, vars)
}
