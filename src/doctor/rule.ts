/**
 * @module
 * The Rule type and the Finding it produces (SPEC 5, JSON per SPEC 3a). A rule is pure: a
 * DiagnoseInput and the config in, findings out; one rule per file under rules/, listed in
 * registry.ts. Rules speak in message keys and numbers; `finding()` turns that into localized
 * text, so every finding reads the same way in English and Chinese.
 */
import { t, type Lang, type MessageKey } from '../i18n/index.js'
import { FINDING_TOPICS, type FindingCode } from '../model/finding.js'
import type { DiagnoseInput } from './input.js'
import type { DoctorConfig } from './config.js'

export type { FindingCode }

export type Severity = 'info' | 'warning' | 'critical'

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

/** Evidence as data: counts, top offenders, counter deltas and rates, sysctl values, ages. */
export type Evidence = Record<string, unknown>

export interface Finding {
  code: FindingCode
  severity: Severity
  title: string
  summary: string
  /** Numbers and top offenders (stable field names per code, docs/commands/diagnose.md). */
  evidence: Evidence
  /** The evidence as human lines, most telling first. */
  details: string[]
  fixes: string[]
  /** A topic id for `tcpdoctor explain`. */
  explain: string
  netns: string
  /** How far past its threshold (1 = at it): ranks findings of the same severity. */
  magnitude: number
}

/** A message key with its values: the text is chosen when the finding is localized. */
export type Text = [key: string, vars?: Record<string, string | number>]

/** What a rule decides; `finding()` localizes it. */
export interface Draft {
  severity: Severity
  magnitude: number
  /** Values for the title and summary templates (doctor.<CODE>.title / .summary). */
  vars: Record<string, string | number>
  evidence: Evidence
  details: Text[]
  /** Fix message keys (doctor.<CODE>.fix.<name>) with values, best first. */
  fixes: Text[]
  /** A variant of the title and summary (doctor.<CODE>.title.<variant>), e.g. the client side of a finding. */
  variant?: string
}

export interface Rule {
  code: FindingCode
  /** The severity it usually reports (the draft may raise or lower it). */
  severity: Severity
  /** The knowledge topic of its findings. */
  explain: string
  evaluate(input: DiagnoseInput, config: DoctorConfig): Finding[]
}

function text(lang: Lang, [key, vars]: Text): string {
  return t(lang, key as MessageKey, vars ?? {})
}

/** Localizes a rule's draft into a Finding. */
export function finding(code: FindingCode, netns: string, d: Draft, lang: Lang): Finding {
  return {
    code,
    severity: d.severity,
    title: t(lang, `doctor.${code}.title${d.variant ? `.${d.variant}` : ''}` as MessageKey, d.vars),
    summary: t(lang, `doctor.${code}.summary${d.variant ? `.${d.variant}` : ''}` as MessageKey, d.vars),
    evidence: d.evidence,
    details: d.details.map((x) => text(lang, x)),
    fixes: d.fixes.map((x) => text(lang, x)),
    explain: FINDING_TOPICS[code],
    netns,
    magnitude: Math.round(d.magnitude * 100) / 100,
  }
}

/**
 * Builds a rule that judges each namespace on its own: `judge` returns the drafts for one
 * namespace (none when healthy).
 */
export function perNamespace(
  code: FindingCode,
  severity: Severity,
  judge: (ns: DiagnoseInput['namespaces'][number], config: DoctorConfig, input: DiagnoseInput) => Draft[],
): Rule {
  return {
    code,
    severity,
    explain: FINDING_TOPICS[code],
    evaluate(input, config) {
      if (config.disable.includes(code)) return []
      return input.namespaces.flatMap((ns) => judge(ns, config, input).map((d) => finding(code, ns.netns, d, config.lang)))
    },
  }
}
