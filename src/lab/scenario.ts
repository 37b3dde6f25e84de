/**
 * @module
 * The shape of a lab scenario and of the document a running scenario describes itself with
 * (`tcpdoctor lab X --json`, `startScenario().info`).
 */
import type { Lab, LabProcess, StateCounts } from './kit.js'

/** What one namespace of a scenario should show once it is ready. */
export interface Expectation {
  role: string
  /** Minimum count per kernel state name (NEW_SYN_RECV counted as SYN_RECV, as ss does). */
  states: StateCounts
  /** diagnose finding codes (SPEC 5) this namespace should produce. */
  findings: string[]
}

/** What a scenario's setup returns once the trouble is under way. */
export interface ScenarioSetup {
  expect: Expectation[]
  /** Scenario-specific commands to look with (the generic ones are added by the runner). */
  look?: string[]
  /** Wait for this before declaring the scenario ready (counters rather than states). */
  ready?: () => Promise<void>
}

export interface Scenario {
  name: string
  /** 'state': one TCP state for learning; 'trouble': what a diagnose finding detects. */
  kind: 'state' | 'trouble'
  /** Sockets (connections, SYNs, ports) made when --count is not given. */
  defaultCount: number
  /** Builds namespaces, starts agents and rules, and makes the state happen for real. */
  setup(lab: Lab, count: number): Promise<ScenarioSetup>
}

/** The document `lab --json` prints and startScenario() returns (stable; extend, never rename). */
export interface ScenarioInfo {
  scenario: string
  kind: 'state' | 'trouble'
  summary: string
  count: number
  namespaces: { role: string; name: string }[]
  processes: LabProcess[]
  expect: {
    /** Minimum counts summed over every namespace. */
    states: StateCounts
    /** Every finding code expected somewhere. */
    findings: string[]
    /** The same per namespace: where to look for what. */
    netns: (Expectation & { name: string })[]
  }
  look: string[]
  /** What each namespace showed when the scenario became ready. */
  observed: { role: string; name: string; states: StateCounts }[]
}
