/**
 * Shared by the diagnose e2e files: run the built CLI inside a namespace (ip netns exec, so
 * counters and sysctls are that namespace's own) and check a scenario's findings.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { expect } from 'vitest'
import { startScenario } from '../../src/lab/index.js'

export const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

export interface FindingJson { code: string; severity: string; title: string; evidence: Record<string, unknown>; fixes: string[]; netns: string; magnitude: number }
export interface ReportJson { findings: FindingJson[]; checked: string[]; namespaces: { netns: string; states: Record<string, number> }[]; notes: string[] }

export function runIn(ns: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

export async function diagnoseIn(ns: string, args: string[] = []): Promise<{ code: number; report: ReportJson; stderr: string }> {
  const r = await runIn(ns, ['diagnose', '--json', ...args])
  let report: ReportJson
  try {
    report = JSON.parse(r.stdout) as ReportJson
  } catch {
    throw new Error(`diagnose in ${ns} printed no JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`)
  }
  return { code: r.code, report, stderr: r.stderr }
}

export const serious = (r: ReportJson): string[] => [...new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.code))].sort()

export interface Check {
  role: string
  code: string
  /** A port the finding must name (local or remote, in title or evidence). */
  port?: number
  /** The process (comm) it must name. */
  process?: string
}

/** True findings a scenario does not list as expected (none left: the lab lists them all). */
export const TRUE_EXTRAS: Record<string, Record<string, string[]>> = {}

/**
 * Starts a scenario, runs diagnose in every namespace it lists an expectation for, and checks:
 * each expected code is there (warning or worse) naming the port and process, nothing else at
 * warning or worse, exit status 1 where something is expected (0 where nothing is).
 */
export async function checkScenario(name: string, checks: Check[]): Promise<void> {
  const lab = await startScenario(name)
  try {
    for (const e of lab.info.expect.netns) {
      const { code, report, stderr } = await diagnoseIn(e.name)
      const allowed = [...e.findings, ...(TRUE_EXTRAS[name]?.[e.role] ?? [])].sort()
      const got = serious(report)
      expect(got, `${name} ${e.role}: ${JSON.stringify(report.findings.map((f) => [f.code, f.severity, f.title]))}`).toEqual(expect.arrayContaining(e.findings))
      expect(got.filter((c) => !allowed.includes(c)), `${name} ${e.role}: unexpected findings`).toEqual([])
      expect(code, stderr).toBe(e.findings.length ? 1 : got.length ? 1 : 0)
      for (const c of checks.filter((x) => x.role === e.role)) {
        const f = report.findings.find((x) => x.code === c.code)!
        const text = JSON.stringify(f)
        if (c.port !== undefined) expect(text, `${c.code} names port ${c.port}`).toMatch(new RegExp(`\\b${c.port}\\b`))
        if (c.process !== undefined) expect(text, `${c.code} names ${c.process}`).toContain(c.process)
      }
    }
  } finally {
    await lab.stop()
  }
}
