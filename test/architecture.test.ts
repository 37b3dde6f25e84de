/**
 * Architecture rules (STYLE habit 14), checked on the source: only the CLI edge prints and exits;
 * only lab and tune run other programs; nothing imports the CLI; only kernel/ and net/ load the addon.
 */
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const root = join(import.meta.dirname, '..', 'src')
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.test-helper.ts') ? [p] : []
  })
}
/** Source without comments, so prose such as "process exit" does not count. */
const code = (p: string): string => readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '')
const all = files(root).map((p) => ({ rel: relative(root, p), text: code(p) }))

describe('architecture', () => {
  it('only src/cli prints or exits', () => {
    const bad = all.filter((f) => !f.rel.startsWith('cli/') && /\bprocess\.exit\s*\(|\bconsole\.(log|error|warn|info)\s*\(|process\.(stdout|stderr)\.write/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('only lab/ and tune/ run other programs (we read the kernel directly)', () => {
    const bad = all.filter((f) => !/^(lab|tune)\//.test(f.rel) && /node:child_process/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('nothing outside the CLI imports the CLI', () => {
    const bad = all.filter((f) => !f.rel.startsWith('cli/') && /from '(\.\.\/)+cli\//.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('the addon is loaded only through kernel/native.ts', () => {
    const bad = all.filter((f) => f.rel !== 'kernel/native.ts' && /node-gyp-build|\.node['"]/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
})
