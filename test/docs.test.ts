/**
 * The docs say what the program does: the lab table lists exactly the scenarios of `lab --list`
 * with their default counts; every command has a page under docs/commands/.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { scenarios } from '../src/lab/registry.js'
import { commands } from '../src/cli/commands/index.js'

const root = join(import.meta.dirname, '..')

describe('docs agree with the program', () => {
  it('docs/commands/lab.md lists every scenario with its default count, and no other', () => {
    const text = readFileSync(join(root, 'docs', 'commands', 'lab.md'), 'utf8')
    const rows = [...text.matchAll(/^\| `([a-z0-9-]+)` \| (\d+) \|/gm)].map((m) => [m[1], Number(m[2])])
    const want = scenarios.map((s) => [s.name, s.defaultCount])
    expect(rows.sort()).toEqual(want.sort())
  })
  it('every command has a page in docs/commands/', () => {
    const page: Record<string, string> = { diff: 'snapshot' } // diff is documented with snapshot
    for (const c of commands) expect(existsSync(join(root, 'docs', 'commands', `${page[c.name] ?? c.name}.md`)), `docs/commands/${c.name}.md`).toBe(true)
  })
})
