/**
 * states --by netns --netns all: one table with a row per namespace, each row equal to what ss
 * counts inside that namespace, and the host namespace labelled "host" even though /proc/1/ns/net
 * may be unreadable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }
const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])

describe.skipIf(skip)('states --by netns', () => {
  const nss: string[] = []
  beforeAll(async () => {
    for (const [i, n] of [[0, 2], [1, 5]] as const) {
      const ns = makeNetns(`tdbyns${i}`)
      nss.push(ns)
      const child = spawnInNetns(ns, 'python3', ['-c', `
import socket, time
ls = []
for p in range(7600, 7600 + ${n}):
    l = socket.socket(); l.bind(('127.0.0.1', p)); l.listen(4); ls.append(l)
print('READY', flush=True)
time.sleep(120)
`])
      await waitForLine(child, /READY/)
    }
  })
  afterAll(() => { for (const ns of nss) dropNetns(ns) })

  it('one document, a row per namespace, each equal to ss inside it', () => {
    const r = spawnSync(process.execPath, [BIN, 'states', '--by', 'netns', '--netns', 'all', '--json'], { encoding: 'utf8', env })
    expect(r.status, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { total: number; groups: { key: string; total: number; states: Record<string, number> }[] }
    expect(Array.isArray(doc)).toBe(false)
    for (const ns of nss) {
      const ss = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length
      const row = doc.groups.find((g) => g.key === ns)
      expect(row, ns).toBeDefined()
      expect(row!.total).toBe(ss)
      expect(row!.states.LISTEN).toBe(ss)
    }
    expect(doc.groups.some((g) => g.key === 'host')).toBe(true)
    const human = spawnSync(process.execPath, [BIN, 'states', '--by', 'netns', '--netns', 'all'], { encoding: 'utf8', env })
    expect(human.stdout.match(/TCP sockets by state/g)).toHaveLength(1)
    for (const ns of nss) expect(human.stdout).toMatch(new RegExp(`^${ns}\\s`, 'm'))
  })
})
