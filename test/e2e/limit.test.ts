/**
 * --limit never hides how much it left out: the JSON total counts every socket (equal to ss on
 * the same namespace), and both listing paths say how many were not shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }
const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])

describe.skipIf(skip)('sockets --limit', () => {
  let ns = ''
  beforeAll(async () => {
    ns = makeNetns('tdlim')
    const child = spawnInNetns(ns, 'python3', ['-c', `
import socket, time
ls = []
for p in range(7500, 7506):
    l = socket.socket(); l.bind(('127.0.0.1', p)); l.listen(4); ls.append(l)
print('READY', flush=True)
time.sleep(120)
`])
    await waitForLine(child, /READY/)
  })
  afterAll(() => dropNetns(ns))

  it('counts all in JSON and notes the rest on both paths', () => {
    const ssRows = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).length
    expect(ssRows).toBe(6)
    const j = spawnSync(process.execPath, [BIN, 'ls', '--netns', ns, '--limit', '2', '--json'], { encoding: 'utf8', env })
    const doc = JSON.parse(j.stdout)
    expect(doc.total).toBe(ssRows)
    expect(doc.sockets).toHaveLength(2)
    expect(doc.omitted).toBe(4)
    for (const extra of [[], ['--sort', 'sport']]) {
      const h = spawnSync(process.execPath, [BIN, 'ls', '--netns', ns, '--limit', '2', '-H', ...extra], { encoding: 'utf8', env })
      expect(h.stdout.trim().split('\n')).toHaveLength(2)
      expect(h.stderr).toContain('2 of 6 sockets shown (--limit): 4 left out')
    }
  })
})
