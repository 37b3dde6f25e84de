/**
 * Two start-ups, one answer: bin/tcpdoctor (the V8 start-up snapshot, when built for this Node)
 * and bin/tcpdoctor.js (the ESM build) print the same for the same command, exit the same, and
 * the shell launcher falls back to the ESM start-up when the snapshot is not for this Node.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
const SH = join(root, 'bin', 'tcpdoctor')
const ESM = join(root, 'bin', 'tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }
const built = existsSync(join(root, 'dist', 'startup', 'tcpdoctor.blob'))
if (!built) {
  if (process.env.CI === 'true') throw new Error('CI=true and the start-up snapshot was not built (npm run build:ts)')
  console.warn('SKIP: the start-up snapshot is not built (npm run build:ts)')
}

function both(args: string[], extraEnv: Record<string, string> = {}) {
  const a = spawnSync(SH, args, { encoding: 'utf8', env: { ...env, ...extraEnv } })
  const b = spawnSync(process.execPath, [ESM, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } })
  return { a, b }
}

describe.skipIf(!built)('start-up snapshot and ESM start-up', () => {
  it('the launcher really uses the snapshot when the stamp matches', () => {
    const stamp = readFileSync(join(root, 'dist', 'startup', 'stamp'), 'utf8')
    expect(stamp.split('|')[2]).toBe(root)
    const r = spawnSync('sh', ['-x', SH, '--version'], { encoding: 'utf8', env })
    expect(r.stderr).toContain('--snapshot-blob')
    expect(r.status).toBe(0)
  })
  it.each([
    [['--version']],
    [['--help']],
    [['help', 'sockets']],
    [['explain', 'close-wait', '--lang', 'zh']],
    [['explain', 'no-such-topic', '--json']],
    [['diagram', '--json']],
    [['tune', '--proc-root', join(root, 'test', 'fixtures', 'proc', 'host-6.18'), '--json', '--sysctl-dir', '/nonexistent-tcpdoctor']],
    // (not an unknown --netns: its hint lists the namespaces there are, which parallel tests change)
    [['states', '--from', '/nonexistent-tcpdoctor/snap.json', '--json']],
    [['bogus-command']],
  ])('same output and exit code: %j', (args) => {
    const { a, b } = both(args)
    expect(a.stdout).toBe(b.stdout)
    expect(a.stderr).toBe(b.stderr)
    expect(a.status).toBe(b.status)
  })
  it('falls back to the ESM start-up when told to, or when the stamp is for another Node', () => {
    const r = spawnSync('sh', ['-x', SH, '--version'], { encoding: 'utf8', env: { ...env, TCPDOCTOR_NO_SNAPSHOT: '1' } })
    expect(r.stderr).not.toContain('--snapshot-blob')
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/)
  })
})
