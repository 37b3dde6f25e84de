/**
 * Owners as the kernel has them (issue 8 item 3), each case built for real in a private namespace
 * by test/e2e/owners-plant.py: wildcard and specific targets, IPv4 and IPv6 listeners on one port
 * in one process, dup() and fork(), an ownerless client socket, and an owner tcpdoctor may not read
 * (tcpdoctor run as uid 65534 against root's listener: the kernel denies /proc/PID/fd).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'], ['tool', 'setpriv'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const PLANT = join(import.meta.dirname, 'owners-plant.py')
const BASE = 9310

let ns = ''
let fds: { pid: number; child: number; a4: number; a6: number; b: number[]; c: number }

function cli(args: string[], asUid?: number): { code: number; stdout: string; stderr: string } {
  const cmd = asUid === undefined
    ? ([process.execPath, [BIN, ...args, '--netns', ns]] as const)
    : (['ip', ['netns', 'exec', ns, 'setpriv', `--reuid=${asUid}`, `--regid=${asUid}`, '--clear-groups', process.execPath, BIN, ...args]] as const)
  const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }
}
const json = (args: string[], asUid?: number): any => JSON.parse(cli([...args, '--json'], asUid).stdout)
const ss = (filter: string): string[] => execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', ...filter.split(' ')], { encoding: 'utf8' }).trim().split('\n').filter(Boolean)

describe.skipIf(skip)('owners built for real (who, sockets -p, states --by process)', () => {
  beforeAll(async () => {
    ns = makeNetns('tdow')
    const child = spawnInNetns(ns, 'python3', [PLANT, String(BASE)])
    const line = await waitForLine(child, /^\{/)
    fds = JSON.parse(line)
    await waitForLine(child, /READY/).catch(() => undefined)
    // The server-side TIME_WAITs (3) and the client's (1) are what the cases are about: wait for them.
    await waitUntil(() => ss('state time-wait').length >= 4, 'four TIME_WAIT sockets')
    await waitUntil(() => ss(`state time-wait dport = :${BASE + 2}`).length === 1, 'the client TIME_WAIT')
  })
  afterAll(() => { if (ns) dropNetns(ns) })

  it('who 127.0.0.1:P includes the TIME_WAIT that who :P attributes to the 0.0.0.0:P listener', () => {
    const all = json(['who', `:${BASE}`])
    const own = all.processes.find((p: any) => p.pid === fds.pid)
    expect(own.inferredStates.TIME_WAIT).toBe(3) // 127.0.0.1, 127.0.0.2 and [::1]
    const one = json(['who', `127.0.0.1:${BASE}`])
    const p = one.processes.find((x: any) => x.pid === fds.pid)
    expect(p?.inferredStates.TIME_WAIT).toBe(1) // 127.0.0.2's is another address
    expect(p.states.LISTEN).toBe(1) // the 0.0.0.0 listener serves 127.0.0.1; the V6ONLY one does not
    expect(one.unowned).toEqual({})
  })

  it('an inferred owner names the listener of the same family (IPv4 socket -> IPv4 listener fd)', () => {
    // The filter keeps the listeners: inference needs them (see the report on state-only filters).
    const socks = json(['sockets', '-p', `sport = :${BASE}`])
    const list = socks.sockets.filter((s: any) => s.state === 'TIME_WAIT')
    expect(list.length).toBe(3)
    for (const s of list) {
      expect(s.process).toHaveLength(1)
      expect(s.process[0].inferred).toBe(true)
      expect(s.process[0].fd).toBe(s.family === 'inet' ? fds.a4 : fds.a6)
    }
  })

  it('the raw table path (ls -p, human) names the same listener fd', () => {
    const out = cli(['sockets', '-p', '-H', `sport = :${BASE}`]).stdout
    const tw = out.split('\n').filter((l) => l.startsWith('TIME-WAIT'))
    expect(tw, out).toHaveLength(3)
    for (const l of tw) expect(l, out).toContain(`("python3",pid=${fds.pid},fd=${l.includes('[') ? fds.a6 : fds.a4},inferred)`)
  })

  it('a dup()ed and fork()ed listener is one socket with its holders, each process counting it once', () => {
    const r = json(['who', `:${BASE + 1}`])
    expect(r.localSockets).toBe(1)
    expect(r.processes.map((p: any) => p.pid).sort()).toEqual([fds.pid, fds.child].sort())
    for (const p of r.processes) expect(p.sockets).toBe(1) // the parent holds it through two fds
    const socks = json(['sockets', '-p', 'state', 'listening', `sport = :${BASE + 1}`])
    const list = socks.sockets
    expect(list).toHaveLength(1)
    expect(list[0].process.map((x: any) => `${x.pid}/${x.fd}`).sort()).toEqual([`${fds.pid}/${fds.b[0]}`, `${fds.pid}/${fds.b[1]}`, `${fds.child}/${fds.b[0]}`, `${fds.child}/${fds.b[1]}`].sort())
  })

  it('a client socket without an owner is kept and shown (not "remoteSockets": N, "clients": [])', () => {
    const r = json(['who', `:${BASE + 2}`])
    expect(r.remoteSockets).toBeGreaterThanOrEqual(1)
    expect(r.clientsUnowned.TIME_WAIT, JSON.stringify(r)).toBe(1)
    const text = cli(['who', `:${BASE + 2}`]).stdout
    expect(text, text).toMatch(/clients on this host[^\n]*\n(.*\n)*.*TIME-WAIT 1\s+without a process/)
  })

  it('an owner that cannot be read is "owner not visible (permission), uid N", not "no file descriptor"', () => {
    const r = json(['who', `:${BASE + 3}`], 65534)
    expect(r.processes).toEqual([])
    expect(r.unowned).toEqual({})
    expect(r.hidden).toEqual([{ uid: 0, user: 'root', states: { LISTEN: 1 }, sockets: 1 }])
    const text = cli(['who', `:${BASE + 3}`], 65534).stdout
    expect(text).toContain('owner not visible (permission), uid 0')
    expect(text).not.toContain('no file descriptor')
    // As root the same listener has its process.
    expect(json(['who', `:${BASE + 3}`]).processes.map((p: any) => p.pid)).toEqual([fds.pid])
  })

  it('states --by process: one row per process, each key one process', () => {
    const r = json(['states', '--by', 'process'])
    const keys: string[] = r.groups.map((g: any) => g.key)
    expect(new Set(keys).size).toBe(keys.length)
    for (const k of keys) expect(k).toMatch(/^(-|[^\[\],]+\[\d+\]~?)$/)
    expect(keys.some((k) => k.startsWith(`python3[${fds.pid}]`))).toBe(true)
  })
})
