/**
 * @module
 * Runs every rule on a DiagnoseInput and ranks the findings: severity first, then how far past
 * its threshold each one is. runRules() is pure (fixtures in, report out); diagnose() collects
 * from the kernel (or a snapshot) and runs them (SPEC 4 `diagnose(options)`).
 */
import { debug } from '../debug.js'
import { TcpdoctorError, detailOf } from '../errors.js'
import { countList } from '../kernel/source.js'
import type { StateName } from '../model/state.js'
import { collectInput, type CollectOptions } from './collect.js'
import { defaultConfig, type DoctorConfig } from './config.js'
import type { DiagnoseInput } from './input.js'
import { rules } from './registry.js'
import { SEVERITY_RANK, type Finding, type FindingCode, type Severity } from './rule.js'
import { msg } from '../i18n/index.js'

export interface DiagnoseReport {
  findings: Finding[]
  /** Codes evaluated (all rules minus the disabled ones). */
  checked: FindingCode[]
  /** The worst severity found, or null when there is nothing to report. */
  worst: Severity | null
  takenAt: string
  hostname: string
  kernel: string
  intervalS: number
  samples: number
  /** Socket counts per state and namespace (the state line). */
  namespaces: { netns: string; source: string; total: number; states: Partial<Record<StateName, number>>; sysctlScope: string; counters: boolean }[]
  kernelLog: { readable: boolean; reason?: string; recentEvents: number; windowS: number }
  notes: string[]
}

/** Orders findings: critical before warning before info, then by magnitude, then code. */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.magnitude - a.magnitude || a.code.localeCompare(b.code) || a.netns.localeCompare(b.netns))
}

/** Runs the rules on an input. Pure; a rule that throws is a bug, reported as TD_INTERNAL. */
export function runRules(input: DiagnoseInput, config: DoctorConfig = defaultConfig()): DiagnoseReport {
  const findings: Finding[] = []
  const checked: FindingCode[] = []
  for (const rule of rules) {
    if (config.disable.includes(rule.code)) continue
    checked.push(rule.code)
    try {
      findings.push(...rule.evaluate(input, config))
    } catch (err) {
      debug('rule %s failed: %s', rule.code, (err as Error).stack)
      throw new TcpdoctorError('TD_INTERNAL', msg('err.doctor.ruleFailed', { code: rule.code, detail: detailOf(err) }), { cause: err })
    }
  }
  const ranked = rankFindings(findings)
  return {
    findings: ranked,
    checked,
    worst: ranked[0]?.severity ?? null,
    takenAt: input.takenAt,
    hostname: input.hostname,
    kernel: input.kernel,
    intervalS: input.intervalMs / 1000,
    samples: input.samples,
    namespaces: input.namespaces.map((ns) => {
      const c = countList(ns.sockets)
      return { netns: ns.netns, source: ns.source, total: c.total, states: c.states, sysctlScope: ns.sysctlScope, counters: ns.counters !== undefined }
    }),
    kernelLog: { readable: input.kernelLog.readable, ...(input.kernelLog.reason ? { reason: input.kernelLog.reason } : {}), recentEvents: input.kernelLog.events.length, windowS: input.kernelLog.windowS },
    notes: input.notes,
  }
}

/** Collects from the kernel (or opts.from) and diagnoses (SPEC 4). */
export async function diagnose(opts: CollectOptions & { config?: DoctorConfig } = {}): Promise<DiagnoseReport> {
  const config = opts.config ?? defaultConfig()
  const input = await collectInput({ ...opts, kernelLogWindowS: opts.kernelLogWindowS ?? config.kernelLogWindowS })
  return runRules(input, config)
}

/** Exit status of a report: 1 when any finding is a warning or worse. */
export function hasTrouble(report: DiagnoseReport): boolean {
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK.warning)
}
