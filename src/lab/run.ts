/**
 * @module
 * Runs a lab scenario: checks privileges and tools, builds it, waits until the kernel shows
 * what it promises, and hands back its description and a stop(). The API diagnose tests use:
 *
 * @example
 * const lab = await startScenario('close-wait-leak', { count: 50 })
 * try { ... diagnose({ netns: lab.info.namespaces[1].name }) ... } finally { await lab.stop() }
 */
import { spawnSync } from 'node:child_process'
import { TcpdoctorError } from '../errors.js'
import { t, msg } from '../i18n/index.js'
import type { MessageKey } from '../i18n/index.js'
import { ssName, type StateName } from '../model/state.js'
import { Lab, staleNamespaces, dropNamespaceSync, removeStaleScriptDirs, type StateCounts } from './kit.js'
import { restoreStaleHostSysctls } from './host-sysctl.js'
import { findScenario, scenarioNames } from './registry.js'
import type { ScenarioInfo } from './scenario.js'

export interface StartOptions {
  /** Sockets to make (connections, SYNs, ports); default per scenario. */
  count?: number
  /** Aborting stops the scenario (and a start still under way). */
  signal?: AbortSignal
  /** How long to wait for the expected states (default 30 s). */
  timeoutMs?: number
}

export interface RunningScenario {
  info: ScenarioInfo
  /** Kills the scenario's processes and deletes its namespaces. Idempotent. */
  stop(): Promise<void>
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

/** Throws TD_PERMISSION unless root, TD_UNSUPPORTED unless ip, nft, sysctl and python3 exist. */
export function checkLabPrerequisites(): void {
  if (process.getuid?.() !== 0)
    throw new TcpdoctorError('TD_PERMISSION', msg('err.lab.labNeedsRootIt'), { hint: msg('hint.lab.runItWithSudo') })
  const missing = ['ip', 'nft', 'sysctl', 'python3'].filter((c) => !have(c))
  if (missing.length) throw new TcpdoctorError('TD_UNSUPPORTED', msg('err.lab.labNeeds', { missing: missing.join(', ') }), { hint: msg('hint.lab.installIproute2NftablesProcps') })
}

function addCounts(into: StateCounts, add: StateCounts): void {
  for (const [s, n] of Object.entries(add)) into[s as StateName] = (into[s as StateName] ?? 0) + (n ?? 0)
}

function genericLook(ns: string, states: StateCounts, findings: string[]): string[] {
  const out = [`tcpdoctor states --netns ${ns}`]
  const main = Object.keys(states).filter((s) => s !== 'LISTEN') as StateName[]
  for (const s of main) out.push(`tcpdoctor ls --netns ${ns} state ${s === 'ESTABLISHED' ? 'established' : ssName(s).toLowerCase()} -p`)
  if (findings.length) out.push(`tcpdoctor diagnose --netns ${ns}`)
  return out
}

/** Starts a scenario; resolves once what it promises is visible in the kernel. */
export async function startScenario(name: string, opts: StartOptions = {}): Promise<RunningScenario> {
  const scenario = findScenario(name)
  if (!scenario) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.lab.noLabScenario', { name }), { hint: msg('hint.lab.scenarios', { scenarioNames: scenarioNames.join(', ') }) })
  const count = opts.count ?? scenario.defaultCount
  if (!Number.isInteger(count) || count < 1 || count > 5000) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.lab.countMustBe1', { count: opts.count }))
  checkLabPrerequisites()
  const lab = new Lab()
  const onAbort = (): void => void lab.stop()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const stop = async (): Promise<void> => {
    opts.signal?.removeEventListener('abort', onAbort)
    await lab.stop()
  }
  try {
    if (opts.signal?.aborted) throw new TcpdoctorError('TD_IO', msg('err.lab.interrupted'))
    const setup = await scenario.setup(lab, count)
    const timeout = opts.timeoutMs ?? 30_000
    for (const e of setup.expect) await lab.waitStates(e.role, e.states, timeout, opts.signal)
    await setup.ready?.()
    const total: StateCounts = {}
    const findings = new Set<string>()
    const look: string[] = []
    const netns = setup.expect.map((e) => ({ ...e, name: lab.ns(e.role) }))
    for (const e of netns) {
      addCounts(total, e.states)
      for (const f of e.findings) findings.add(f)
      look.push(...genericLook(e.name, e.states, e.findings))
    }
    look.push(...(setup.look ?? []))
    const info: ScenarioInfo = {
      scenario: scenario.name,
      kind: scenario.kind,
      summary: t('en', `lab.s.${scenario.name}` as MessageKey),
      count,
      namespaces: [...lab.namespaces],
      processes: [...lab.processes],
      expect: { states: total, findings: [...findings], netns },
      look: [...new Set(look)],
      observed: lab.namespaces.map((n) => ({ ...n, states: lab.counts(n.role) })),
    }
    return { info, stop }
  } catch (err) {
    await stop()
    if (opts.signal?.aborted) throw new TcpdoctorError('TD_IO', msg('err.lab.interrupted'), { cause: err })
    throw err
  }
}

/** Deletes lab namespaces whose tcpdoctor process is gone (killed with SIGKILL). Returns their names. */
export function cleanupStale(): string[] {
  const stale = staleNamespaces()
  for (const n of stale) dropNamespaceSync(n)
  removeStaleScriptDirs()
  restoreStaleHostSysctls()
  return stale
}
