/**
 * The kernel as judge: sockets planted in every holdable state (IPv4 and IPv6) in a private
 * network namespace; tcpdoctor's view must equal ss's, taken at the same moment, through every
 * path: netlink via setns (--netns), netlink inside the namespace (ip netns exec), /proc, snapshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { listSockets, countStates } from '../../src/kernel/source.js'
import { resolveNetns } from '../../src/kernel/netns.js'
import { attachOwners } from '../../src/kernel/owners.js'
import { formatEndpoint } from '../../src/model/endpoint-text.js'
import { ssName } from '../../src/model/state.js'
import type { Socket } from '../../src/model/socket.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'nft'], ['tool', 'python3'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const PLANT = join(import.meta.dirname, '../helpers/plant-states.py')
const BASE = 9100

let ns = ''
let plantPid = 0

const line = (s: Socket): string => `${ssName(s.state)} ${formatEndpoint(s.local, s.family)} ${formatEndpoint(s.remote, s.family)}`

function ssLines(args: string[] = []): string[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', ...args], { encoding: 'utf8' })
  return out.trim().split('\n').filter(Boolean).map((l) => { const f = l.trim().split(/\s+/); return `${f[0]} ${f[3]} ${f[4]}` }).sort()
}

/** "local peer" of each row: ss drops its State column when a filter selects one state. */
function ssPairs(args: string[]): string[] {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', ...args], { encoding: 'utf8' })
  return out.trim().split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/).slice(-2).join(' ')).sort()
}

function cli(args: string[], opts: { inside?: boolean; env?: Record<string, string> } = {}): { code: number; stdout: string; stderr: string } {
  const cmd = opts.inside ? ['ip', ['netns', 'exec', ns, process.execPath, BIN, ...args]] as const : [process.execPath, [BIN, ...args]] as const
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...opts.env } })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}

describe.skipIf(skip)('socket view against ss in a planted namespace', () => {
  beforeAll(async () => {
    ns = makeNetns('tdsv')
    const child = spawnInNetns(ns, 'python3', [PLANT, String(BASE)])
    await waitForLine(child, /READY/)
    plantPid = child.pid!
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('lists exactly what ss lists, via setns into the namespace', () => {
    const [target] = resolveNetns(ns)
    const before = ssLines()
    const ours = listSockets({ netns: target }).sockets.map(line).sort()
    const after = ssLines()
    expect(before).toEqual(after) // the planted states are stable
    expect(ours).toEqual(before)
    // Every state the issue asks for is really there, in both families.
    for (const st of ['LISTEN', 'ESTAB', 'SYN-SENT', 'SYN-RECV', 'TIME-WAIT', 'CLOSE-WAIT', 'FIN-WAIT-2', 'LAST-ACK'])
      for (const fam of ['127.0.0.1', '[::1]']) expect(ours.some((l) => l.startsWith(`${st} `) && l.includes(fam)), `${st} ${fam}`).toBe(true)
  })

  it('lists the same from /proc (the fallback) and from inside the namespace', () => {
    const [target] = resolveNetns(ns)
    const viaProc = listSockets({ netns: target, source: 'procfs' })
    expect(viaProc.source).toBe('procfs')
    expect(viaProc.sockets.map(line).sort()).toEqual(ssLines())
    const r = cli(['ls', '--json'], { inside: true })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { source: string; sockets: Socket[] }
    expect(doc.source).toBe('netlink')
    expect(doc.sockets.map(line).sort()).toEqual(ssLines())
  })

  it('without the addon, falls back to /proc inside the namespace and says so', () => {
    const r = cli(['states', '--json'], { inside: true, env: { TCPDOCTOR_NO_NATIVE: '1' } })
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { source: string; total: number; notes: string[] }
    expect(doc.source).toBe('procfs')
    expect(doc.total).toBe(ssLines().length)
    expect(doc.notes.join(' ')).toMatch(/netlink unavailable.*TCPDOCTOR_NO_NATIVE/)
    const human = cli(['ls', '-p', 'state', 'close-wait'], { inside: true, env: { TCPDOCTOR_NO_NATIVE: '1' } })
    expect(human.stdout).toMatch(/users:\(\("python3"/)
    expect(human.stderr).toMatch(/read \/proc instead/)
  })

  it('as an unprivileged user: every socket, no owners for other users, and a note that says so', () => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'ls', '-p', '--json'], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { sockets: Socket[]; notes: string[] }
    expect(doc.sockets.map(line).sort()).toEqual(ssLines())
    expect(doc.sockets.every((s) => !s.process)).toBe(true)
    expect(doc.notes.join(' ')).toMatch(/\d+ processes could not be read \(permission\)/)
  })

  it('counts states as ss does, on both sources and in the CLI', () => {
    const expected: Record<string, number> = {}
    const names: Record<string, string> = { ESTAB: 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'LAST-ACK': 'LAST_ACK', LISTEN: 'LISTEN' }
    for (const l of ssLines()) { const k = names[l.split(' ')[0]!]!; expected[k] = (expected[k] ?? 0) + 1 }
    const [target] = resolveNetns(ns)
    expect(countStates({ netns: target }).states).toEqual(expected)
    expect(countStates({ netns: target, source: 'procfs' }).states).toEqual(expected)
    const r = cli(['states', '--json', '--netns', ns])
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { source: string; total: number; states: Record<string, number> }
    expect(doc).toMatchObject({ source: 'netlink', states: expected, total: Object.values(expected).reduce((a, b) => a + b, 0) })
  })

  // Filter expressions checked against ss on the same namespace: kernel bytecode and the
  // userspace matcher (the /proc path) must both give ss's answer. Not here on purpose:
  // `not dst [::]`, where ss disagrees with its own kernel bytecode (docs/filter.md).
  const filters = [
    'state established', 'state listening', 'state connected', 'state synchronized', 'state bucket', 'state big',
    'exclude listening', 'state time-wait state close-wait', 'state syn-recv', 'state fin-wait-2 state last-ack',
    `sport = :${BASE + 1}`, `dport = :${BASE + 1}`, `sport != :${BASE + 1}`, `sport > :${BASE + 3}`, `sport < :${BASE + 3}`,
    `sport >= :${BASE + 3}`, `sport <= :${BASE + 3}`, `dport gt :${BASE + 2}`, `sport eq :${BASE + 1}`, `dport le :${BASE + 2}`,
    'src 127.0.0.1', 'dst [::1]', 'src 127.0.0.0/8', `src 127.0.0.1:${BASE + 1}`, `src [::1]:${BASE + 2}`, `dst *:${BASE + 4}`,
    `( sport = :${BASE + 1} or sport = :${BASE + 2} )`, `sport = :${BASE + 2} or dport = :${BASE + 2} and src [::1]`,
    `not sport = :${BASE}`, `! ( dport = :${BASE + 5} or dport = :${BASE + 6} )`, `state established dport = :${BASE + 1}`,
    `state established ( dport = :${BASE + 1} or sport = :${BASE + 1} )`, `src 127.0.0.1 and dst 127.0.0.1:${BASE + 4}`,
    'src 10.0.0.0/8', 'not dst 127.0.0.1', 'state all not dst [::1]', `exclude time-wait sport >= :${BASE}`,
  ]
  it.each(filters)('filter %s selects what ss selects', (expr) => {
    const words = expr.split(' ')
    const norm = (out: string): string[] => out.trim().split('\n').filter(Boolean).map((l) => { const f = l.trim().split(/\s+/); return `${f[3]} ${f[4]}` }).sort()
    // ss and tcpdoctor read one after the other: on a loaded machine a planted handshake may move
    // in between, so a reading counts when it equals ss's just before or just after it.
    for (const source of [[], ['--source', 'procfs']]) {
      let got: string[] = []
      let oracles: string[][] = []
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = ssPairs(words)
        const r = cli(['ls', '-H', '--netns', ns, ...source, ...words])
        expect(r.code, r.stderr).toBe(0)
        got = norm(r.stdout)
        oracles = [before, ssPairs(words)]
        if (oracles.some((o) => JSON.stringify(o) === JSON.stringify(got))) break
      }
      expect(oracles.map((o) => JSON.stringify(o))).toContain(JSON.stringify(got))
    }
  })

  it('the raw table path and the object path print the same rows', () => {
    // Plain tables go through RawSockets (no object per socket); --sort forces decoded objects.
    const raw = cli(['ls', '-p', '-e', '-H', '--netns', ns])
    const objects = cli(['ls', '-p', '-e', '-H', '--sort', 'inode', '--netns', ns])
    expect(raw.code, raw.stderr).toBe(0)
    const rows = (out: string): string[] => out.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' ')).sort()
    expect(rows(raw.stdout)).toEqual(rows(objects.stdout))
    expect(rows(raw.stdout).length).toBe(ssLines().length)
  })

  it('names the owners ss -tanp names, and infers the owner of orphaned LAST_ACK sockets', () => {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanpH'], { encoding: 'utf8' })
    const ssOwners = new Map<string, string>()
    for (const l of out.trim().split('\n')) {
      const f = l.trim().split(/\s+/)
      const users = [...l.matchAll(/pid=(\d+),fd=(\d+)/g)].map((m) => `${m[1]}/${m[2]}`).sort().join(',')
      ssOwners.set(`${f[0]} ${f[3]} ${f[4]}`, users)
    }
    const [target] = resolveNetns(ns)
    const sockets = listSockets({ netns: target }).sockets
    attachOwners(sockets)
    for (const s of sockets) {
      const direct = (s.process ?? []).filter((p) => !p.inferred).map((p) => `${p.pid}/${p.fd}`).sort().join(',')
      expect(direct, line(s)).toBe(ssOwners.get(line(s)) ?? '')
    }
    const lastAck = sockets.filter((s) => s.state === 'LAST_ACK')
    expect(lastAck.length).toBe(2)
    for (const s of lastAck) expect(s.process?.[0]).toMatchObject({ command: 'python3', inferred: true })
    // The python planter itself is the direct owner of the listeners.
    const pids = new Set(sockets.filter((s) => s.state === 'LISTEN').flatMap((s) => s.process?.map((p) => p.pid) ?? []))
    expect(pids.size).toBe(1)
    expect(plantPid).toBeGreaterThan(0)
  })

  it('--age: time in state over samples (no eBPF); sockets planted before the first sample are "at least"', () => {
    const r = cli(['ls', '--json', '--age', '--samples', '3', '--interval', '0.4', '--netns', ns, 'state', 'close-wait'])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { sockets: Socket[] }
    expect(doc.sockets).toHaveLength(2)
    for (const s of doc.sockets) {
      expect(s.age).toMatchObject({ atLeast: true, changes: [] })
      expect(s.age!.ms).toBeGreaterThanOrEqual(700)
      expect(s.process?.[0]?.command).toBe('python3')
    }
    const human = cli(['ls', '--age', '--samples', '2', '--interval', '0.2', '--netns', ns, 'state', 'close-wait'])
    expect(human.stdout).toMatch(/age:>=0\.\ds users:\(\("python3"/)
    const sorted = JSON.parse(cli(['ls', '--json', '--sort', 'age', '--samples', '2', '--interval', '0.2', '--netns', ns]).stdout) as { sockets: Socket[] }
    const ages = sorted.sockets.map((s) => s.age!.ms)
    expect(ages).toEqual([...ages].sort((a, b) => b - a))
  })

  it('who :PORT shows the holder with direct and inferred sockets, and exits 1 on an empty port', () => {
    const r = cli(['who', `:${BASE + 4}`, '--json', '--netns', ns])
    expect(r.code, r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as { processes: { command: string; states: Record<string, number>; inferredStates: Record<string, number> }[]; clients: unknown[] }
    expect(doc.processes).toHaveLength(1)
    expect(doc.processes[0]).toMatchObject({ command: 'python3', states: { LISTEN: 2 }, inferredStates: { LAST_ACK: 2 } })
    const none = cli(['who', '1', '--netns', ns])
    expect(none.code).toBe(1)
    const human = cli(['who', String(BASE + 2), '--netns', ns])
    expect(human.stdout).toMatch(/python3/)
    expect(human.stdout).toMatch(/CLOSE-WAIT 2/)
  })

  it('states --by port/process/netns groups correctly', () => {
    const r = cli(['states', '--by', 'port', '--json', '--netns', ns])
    const doc = JSON.parse(r.stdout) as { groups: { key: string; states: Record<string, number> }[] }
    const g = new Map(doc.groups.map((x) => [x.key, x.states]))
    // Server side under the listening port; the client side of the same connections under ->:PORT.
    expect(g.get(`:${BASE + 2}`)).toEqual({ LISTEN: 2, CLOSE_WAIT: 2 })
    expect(g.get(`->:${BASE + 2}`)).toEqual({ FIN_WAIT2: 2 })
    expect(g.get(`->:${BASE + 5}`)).toEqual({ SYN_SENT: 2 })
    const p = JSON.parse(cli(['states', '--by', 'process', '--json', '--netns', ns]).stdout) as { groups: { key: string; total: number }[] }
    expect(p.groups[0]!.key).toMatch(/^python3\[\d+\]$/)
    const all = JSON.parse(cli(['states', '--json', '--netns', 'all']).stdout) as { netns: string; total: number }[]
    expect(all.find((d) => d.netns === ns)?.total).toBe(ssLines().length)
  })

  it('snapshot and replay: every command gives the same answer from the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdsnap-'))
    const file = join(dir, 'snap.json')
    expect(cli(['snapshot', '-o', file, '--netns', ns]).code).toBe(0)
    const live = JSON.parse(cli(['states', '--json', '--netns', ns]).stdout) as { states: unknown }
    const replay = JSON.parse(cli(['states', '--json', '--from', file]).stdout) as { source: string; states: unknown }
    expect(replay.states).toEqual(live.states)
    expect(replay.source).toBe('snapshot')
    const ls = JSON.parse(cli(['ls', '--json', '--from', file, 'state', 'close-wait']).stdout) as { sockets: Socket[] }
    expect(ls.sockets).toHaveLength(2)
    expect(ls.sockets[0]!.process?.[0]?.command).toBe('python3')
    const who = cli(['who', `:${BASE + 4}`, '--json', '--from', file])
    expect(JSON.parse(who.stdout).processes[0].inferredStates).toEqual({ LAST_ACK: 2 })
    writeFileSync(join(dir, 'bad.json'), '{"format":"nope"}')
    const bad = cli(['states', '--json', '--from', join(dir, 'bad.json')])
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout).error.code).toBe('TD_SNAPSHOT_FORMAT')
  })

  it('diff of two snapshots shows the listener that appeared between them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tddiff-'))
    expect(cli(['snapshot', '-o', join(dir, 'a.json'), '--netns', ns, '--interval', '0']).code).toBe(0)
    const extra = spawnInNetns(ns, 'python3', ['-c', "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',9199))\ns.listen()\nprint('LISTENING',flush=True)\ntime.sleep(60)"])
    try {
      await waitForLine(extra, /LISTENING/)
      expect(cli(['snapshot', '-o', join(dir, 'b.json'), '--netns', ns, '--interval', '0']).code).toBe(0)
    } finally {
      extra.kill('SIGKILL')
    }
    const r = cli(['diff', join(dir, 'a.json'), join(dir, 'b.json'), '--json'])
    expect(r.code, r.stderr).toBe(0)
    const d = JSON.parse(r.stdout) as { states: { state: string; delta: number }[]; appeared: number; examples: { appeared: { local: string; to: string }[] } }
    expect(d.states.find((x) => x.state === 'LISTEN')?.delta).toBe(1)
    expect(d.examples.appeared).toContainEqual(expect.objectContaining({ local: '127.0.0.1:9199', to: 'LISTEN' }))
    const human = cli(['diff', join(dir, 'a.json'), join(dir, 'b.json')])
    expect(human.stdout).toMatch(/LISTEN\s+14\s+15\s+\+1/)
    expect(cli(['diff', join(dir, 'a.json')]).code).toBe(2)
    rmSync(dir, { recursive: true, force: true })
  })

  it('reports bad input with a code and exit 2, never a stack trace', () => {
    const cases: [string[], string][] = [
      [['ls', '--json', 'sport', '='], 'TD_FILTER_SYNTAX'],
      [['states', '--json', '--netns', 'no-such-ns-here'], 'TD_NOT_FOUND'],
      [['states', '--json', '--by', 'color'], 'TD_USAGE'],
      [['who', '--json', '99999'], 'TD_INVALID_ARGUMENT'],
      [['nosuchcommand', '--json'], 'TD_USAGE'],
      [['ls', '--json', '--bogus'], 'TD_USAGE'],
      [['states', '--json', '--from', '/nonexistent/snap.json'], 'TD_NOT_FOUND'],
    ]
    for (const [args, code] of cases) {
      const r = cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(JSON.parse(r.stdout).error.code, args.join(' ')).toBe(code)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    const human = cli(['ls', 'dst', 'example.com'])
    expect(human.code).toBe(2)
    expect(human.stderr).toMatch(/TD_FILTER_SYNTAX/)
    expect(human.stderr).not.toMatch(/\n\s+at /)
  })
})
