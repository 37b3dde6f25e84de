/**
 * A filter that leaves the listeners out (`ls -p state time-wait`) still names the owner of
 * fd-less sockets: the listener is read for the inference, on the raw and the object path alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import type { ChildProcess } from 'node:child_process'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }
const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])

describe.skipIf(skip)('owners of fd-less sockets under a filter', () => {
  let ns = ''
  let child: ChildProcess
  beforeAll(async () => {
    ns = makeNetns('tdfo')
    child = spawnInNetns(ns, 'python3', ['-c', `
import socket, time
l = socket.socket(); l.bind(('127.0.0.1', 7700)); l.listen(8)
for i in range(3):
    c = socket.create_connection(('127.0.0.1', 7700)); s, _ = l.accept(); s.close(); c.recv(1); c.close()
print('READY', flush=True)
time.sleep(60)
`])
    await waitForLine(child, /READY/)
  })
  afterAll(() => dropNetns(ns))

  it('ls -p state time-wait infers the listener on both paths', () => {
    const ss = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', 'state', 'time-wait'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)
    expect(ss).toHaveLength(3)
    const fd = /fd=(\d+)/.exec(execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tlnpH'], { encoding: 'utf8' }))![1]
    for (const extra of [[], ['--sort', 'sport']]) {
      const r = spawnSync(process.execPath, [BIN, 'ls', '-p', '-H', '--netns', ns, 'state', 'time-wait', ...extra], { encoding: 'utf8', env })
      const rows = r.stdout.trim().split('\n')
      expect(rows, r.stderr).toHaveLength(3)
      for (const row of rows) expect(row).toContain(`("python3",pid=${child.pid},fd=${fd},inferred)`)
    }
    const who = JSON.parse(spawnSync(process.execPath, [BIN, 'ls', '-p', '--json', '--netns', ns, 'dport', '!=', ':1'], { encoding: 'utf8', env }).stdout) as { sockets: { state: string; process?: { pid: number; inferred?: boolean }[] }[] }
    for (const s of who.sockets.filter((x) => x.state === 'TIME_WAIT')) expect(s.process?.[0]).toMatchObject({ pid: child.pid, inferred: true })
  })
})
