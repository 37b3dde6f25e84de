/**
 * @module
 * The lab's public surface, for the CLI and for tests of other features (diagnose):
 * start a scenario, read what it promises, stop it.
 */
export { startScenario, cleanupStale, checkLabPrerequisites, type StartOptions, type RunningScenario } from './run.js'
export { scenarios, scenarioNames, findScenario } from './registry.js'
export type { Scenario, ScenarioInfo, Expectation } from './scenario.js'
export type { LabProcess, StateCounts } from './kit.js'
