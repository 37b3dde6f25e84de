/**
 * diagnose --capture: refused connects made for real in a private namespace raise RESETS_HIGH
 * from the counters, and the SYN/FIN/RST capture over the same window names the port and the
 * client. Needs root, netns, the addon and a built dist/.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns } from '../helpers/netns.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const skip = need(['root'], ['netns'], ['native'])

const REFUSER = `
import socket, time
end = time.time() + 5
while time.time() < end:
    try: socket.create_connection(("127.0.0.1", 47020)).close()
    except OSError: pass
    time.sleep(0.002)
`

describe.skipIf(skip)('diagnose --capture', () => {
  let ns = ''
  beforeAll(() => { ns = makeNetns('tdcap') })
  afterAll(() => dropNetns(ns))

  it('RESETS_HIGH names the refused port and its client from the packets', async () => {
    const gen = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', REFUSER], { stdio: 'ignore' })
    const done = new Promise((r) => gen.on('exit', r))
    await new Promise((r) => setTimeout(r, 300))
    const r = spawnSync('node', [BIN, 'diagnose', '--netns', ns, '--interval', '2', '--capture', '2', '--json'], { encoding: 'utf8', timeout: 30_000 })
    gen.kill()
    await done
    const report = JSON.parse(r.stdout) as { findings: { code: string; evidence: { capture?: { refused: { target: string; count: number; clients: string[] }[] } } }[]; notes: string[] }
    const resets = report.findings.find((f) => f.code === 'RESETS_HIGH')
    expect(resets, r.stdout.slice(0, 500)).toBeDefined()
    const refused = resets!.evidence.capture!.refused
    expect(refused[0]).toMatchObject({ target: '127.0.0.1:47020', clients: ['127.0.0.1'] })
    expect(refused[0]!.count).toBeGreaterThan(100)
    expect(report.notes.join('\n')).toMatch(/refused connects.*127\.0\.0\.1:47020/)
  })

  it('--capture with --netns all is a usage error', () => {
    const r = spawnSync('node', [BIN, 'diagnose', '--netns', 'all', '--capture', '1', '--json'], { encoding: 'utf8' })
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'TD_USAGE' } })
  })
})
