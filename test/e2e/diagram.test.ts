/**
 * `tcpdoctor diagram` end to end: 100 columns in both languages, --json, --svg, and --live
 * counts checked against ss in a private network namespace (and through a snapshot).
 * Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import stringWidth from 'string-width'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'diagram', ...args], { encoding: 'utf8', env })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('tcpdoctor diagram', () => {
  it.each([[[]], [['--lang', 'zh']], [['--path', 'client']], [['--path', 'server', '--highlight', 'close-wait', '--lang', 'zh']]])('fits 100 columns: %o', (args) => {
    const r = run(args)
    expect(r.code).toBe(0)
    for (const line of r.out.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(100)
    for (const label of ['CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT']) expect(r.out).toContain(label)
  })

  it('prints the article\'s routes', () => {
    expect(run(['--path', 'client']).out).toContain('CLOSED -> SYN_SENT -> ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED')
    expect(run(['--path', 'server']).out).toContain('CLOSED -> LISTEN -> SYN_RCVD -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED')
  })

  it('gives nodes and edges as JSON', () => {
    const doc = JSON.parse(run(['--json', '--path', 'client', '--highlight', 'TIME_WAIT']).out)
    expect(doc.nodes).toHaveLength(11)
    expect(doc.edges).toHaveLength(21)
    expect(doc.nodes.map((n: { id: string }) => n.id)).toContain('FIN_WAIT1')
    expect(doc.path.states).toEqual(['CLOSE', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE'])
    expect(doc.highlight).toBe('TIME_WAIT')
    expect(doc.counts).toBeUndefined()
  })

  it('writes an SVG file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tdsvg-')), 'states.svg')
    const r = run(['--svg', file, '--lang', 'zh', '--path', 'server'])
    expect(r.code).toBe(0)
    const svg = readFileSync(file, 'utf8')
    expect(svg).toMatch(/^<svg /)
    expect(svg).toContain('已建立')
    expect(svg.match(/<polyline /g)).toHaveLength(21)
  })

  it('rejects a state that is not on the diagram, and a bad path', () => {
    expect(run(['--highlight', 'bound-inactive']).code).toBe(2)
    expect(run(['--path', 'sideways']).code).toBe(2)
  })
})

const skip = need(['root'], ['netns'], ['tool', 'ss'], ['tool', 'python3'])

describe.skipIf(skip)('tcpdoctor diagram --live in a private namespace', () => {
  let ns = ''
  let dir = ''
  const HOLD = `
import socket, time
l = socket.socket(); l.bind(('127.0.0.1', 7400)); l.listen(8)
cs = [socket.create_connection(('127.0.0.1', 7400)) for i in range(3)]
ss = [l.accept()[0] for i in range(3)]
ss[0].close()   # the peer of cs[0] goes to CLOSE_WAIT, this one to FIN_WAIT2
print('READY', flush=True)
time.sleep(120)
`
  beforeAll(async () => {
    ns = makeNetns('tddg')
    dir = mkdtempSync(join(tmpdir(), 'tddiag-'))
    const child = spawnInNetns(ns, 'python3', ['-c', HOLD])
    await waitForLine(child, /READY/)
  })
  afterAll(() => {
    dropNetns(ns)
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  function ssCounts(): Record<string, number> {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' })
    const map: Record<string, string> = { ESTAB: 'ESTABLISHED', LISTEN: 'LISTEN', 'CLOSE-WAIT': 'CLOSE_WAIT', 'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT' }
    const counts: Record<string, number> = {}
    for (const line of out.trim().split('\n').filter(Boolean)) {
      const st = map[line.split(/\s+/)[0]!] ?? line.split(/\s+/)[0]!
      counts[st] = (counts[st] ?? 0) + 1
    }
    return counts
  }

  it('shows the same counts as ss, through --netns and inside the namespace', async () => {
    // close() returns before the peer's ACK moves the closer to FIN_WAIT2: wait for the kernel.
    const planted = { LISTEN: 1, ESTABLISHED: 4, CLOSE_WAIT: 1, FIN_WAIT2: 1 }
    const want = await waitUntil(() => {
      const c = ssCounts()
      return Object.entries(planted).every(([k, v]) => c[k] === v) ? c : undefined
    }, `ss to show ${JSON.stringify(planted)}`)
    const outside = JSON.parse(run(['--live', '--json', '--netns', ns]).out)
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'diagram', '--live', '--json'], { encoding: 'utf8', env })
    const inside = JSON.parse(r.stdout)
    for (const doc of [outside, inside]) {
      for (const [state, n] of Object.entries(want)) expect(doc.counts[state], state).toBe(n)
      expect(doc.nodes.find((x: { id: string }) => x.id === 'CLOSE_WAIT').count).toBe(1)
    }
    const human = run(['--live', '--netns', ns])
    expect(human.out).toMatch(/CLOSE_WAIT\s*│\s*\n.*│\s+1\s+│/)
  })

  it('replays a snapshot with --from', () => {
    const file = join(dir, 'snap.json')
    const s = spawnSync(process.execPath, [BIN, 'snapshot', '-o', file, '--netns', ns], { encoding: 'utf8', env })
    expect(s.status, s.stderr).toBe(0)
    const doc = JSON.parse(run(['--json', '--from', file]).out)
    expect(doc.counts).toMatchObject({ LISTEN: 1, ESTABLISHED: 4, CLOSE_WAIT: 1, FIN_WAIT2: 1 })
    expect(doc.source).toBe('snapshot')
  })
})
