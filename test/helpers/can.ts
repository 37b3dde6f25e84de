/**
 * @module
 * Capability checks for tests: root, network namespaces, the addon, Debian tools. A test that
 * lacks one skips with a printed reason; under CI=true a missing capability is a failure, so CI
 * runs everything.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { tryNative } from '../../src/kernel/native.js'

const isRoot = process.getuid?.() === 0

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

let netnsOk: boolean | undefined
function netnsWorks(): boolean {
  if (netnsOk === undefined) {
    if (!isRoot || !has('ip')) return (netnsOk = false)
    const name = `tdcan${process.pid}`
    try {
      execFileSync('ip', ['netns', 'add', name], { stdio: 'ignore' })
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
      netnsOk = true
    } catch {
      netnsOk = false
    }
  }
  return netnsOk
}

export const can = {
  root: () => isRoot,
  netns: netnsWorks,
  native: () => tryNative() !== undefined,
  tool: has,
}

/**
 * Returns a skip reason, or undefined when every need is met. Under CI=true it throws instead:
 * CI must run every test.
 */
export function need(...needs: (['root'] | ['netns'] | ['native'] | ['tool', string])[]): string | undefined {
  const missing: string[] = []
  for (const n of needs) {
    if (n[0] === 'root' && !can.root()) missing.push('root')
    if (n[0] === 'netns' && !can.netns()) missing.push('network namespaces (root + iproute2)')
    if (n[0] === 'native' && !can.native()) missing.push('the native addon (npm run build:native)')
    if (n[0] === 'tool' && !can.tool(n[1])) missing.push(`the ${n[1]} command`)
  }
  if (missing.length === 0) return undefined
  const reason = `needs ${missing.join(', ')}`
  if (process.env.CI === 'true') throw new Error(`CI=true and this test ${reason}: CI must run every test`)
  console.warn(`SKIP: ${reason}`)
  return reason
}
