/**
 * `who :PORT` asks the BPF task_file iterator for just the target's socket inodes (a BPF hash map
 * the program looks up in the kernel), issue 9 "speed at every scale". Built for real in a private
 * namespace by test/e2e/who-bpf-filter.py: 20,000 sockets in 4 processes, plus a target listener
 * with 3 connections whose clients sit in another process. Oracle: `ss -tanp` on the same sockets,
 * with the iterator and with the /proc walk (TCPDOCTOR_NO_BPF=1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { tryNative } from '../../src/kernel/native.js'
import { readOwnerMap, readOwnerMapAsync } from '../../src/kernel/owners.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ss'], ['tool', 'python3'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const PLANT = join(import.meta.dirname, 'who-bpf-filter.py')
const TARGET = 9470
const HOLDERS = 4
const CONNS = 2500 // per holder: 5,000 sockets each, 20,000 in all

let ns = ''
let planted: { server: number; listenFd: number; client: number; holders: number[] }

const ssLines = (args: string[]): string[] => execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').filter(Boolean)

/** `ss -tanp` on the target's sockets: "local remote" -> sorted "pid/fd" of each holder. */
function ssOwners(): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const l of ssLines(['-p', '(', 'sport', '=', `:${TARGET}`, 'or', 'dport', '=', `:${TARGET}`, ')'])) {
    const f = l.trim().split(/\s+/)
    const owners = [...l.matchAll(/pid=(\d+),fd=(\d+)/g)].map((m) => `${m[1]}/${m[2]}`).sort()
    out.set(`${f[3]} ${f[4]}`, owners)
  }
  return out
}

function who(env: Record<string, string>): any {
  const r = spawnSync(process.execPath, [BIN, 'who', `:${TARGET}`, '--json', '--verbose', '--netns', ns], { encoding: 'utf8', env: { ...process.env, ...env, NO_COLOR: '1', LANG: 'C' }, maxBuffer: 64 << 20 })
  expect(r.status, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

const ep = (e: { address: string; port: number }): string => `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port === 0 ? '*' : e.port}` // ss writes port 0 as *

describe.skipIf(skip)('who :PORT with the iterator filtered in the kernel (20,000 sockets around the target)', () => {
  beforeAll(async () => {
    ns = makeNetns('tdwho')
    const child = spawnInNetns(ns, 'python3', [PLANT, String(TARGET), String(HOLDERS), String(CONNS)])
    planted = JSON.parse(await waitForLine(child, /^\{/, 120_000))
    await waitUntil(() => ssLines([]).length >= HOLDERS * CONNS * 2 + 7 || undefined, 'the planted sockets', 60_000)
  }, 180_000)
  afterAll(() => { if (ns) dropNetns(ns) })

  it.each([['the BPF iterator', {}], ['the /proc walk (TCPDOCTOR_NO_BPF=1)', { TCPDOCTOR_NO_BPF: '1' }]])('who :PORT --json names the owners, pids and fds ss -tanp names (%s)', (_name, env) => {
    const want = ssOwners()
    expect(want.size).toBe(7) // the listener, 3 accepted, 3 client ends
    const report = who(env)
    const got = new Map<string, string[]>()
    for (const s of report.sockets) got.set(`${ep(s.local)} ${ep(s.remote)}`, (s.process ?? []).filter((p: any) => !p.inferred).map((p: any) => `${p.pid}/${p.fd}`).sort())
    expect(got).toEqual(want)
    expect(report.processes.map((p: any) => p.pid)).toEqual([planted.server])
    expect(report.processes[0].states).toEqual({ LISTEN: 1, ESTABLISHED: 3 })
    expect(report.clients.map((p: any) => p.pid)).toEqual([planted.client])
    // None of the 20,000 other sockets' holders shows up.
    for (const h of planted.holders) expect(JSON.stringify(report)).not.toContain(`"pid": ${h},`)
  }, 60_000)

  it('the filtered iterator returns exactly the wanted inodes, with the pid and fd the walk sees', () => {
    const native = tryNative()!
    const all = native.fdWalk('/proc', 2, null).entries
    const rows: { pid: number; fd: number; inode: bigint }[] = []
    for (let o = 0; o + 16 <= all.length; o += 16) rows.push({ pid: all.readUInt32LE(o), fd: all.readUInt32LE(o + 4), inode: all.readBigUInt64LE(o + 8) })
    // Every 97th socket fd of the planted holders, the target listener, and an inode no socket has.
    const chosen = rows.filter((r, i) => planted.holders.includes(r.pid) && i % 97 === 0)
    const listener = BigInt(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${planted.server}/fd/${planted.listenFd}`))![1]!)
    expect(chosen.length).toBeGreaterThan(100)
    const wanted = BigUint64Array.from([...chosen.map((r) => r.inode), listener, 1n])
    let r
    try {
      r = native.fdIterBpf(wanted)
    } catch (err) {
      // No BTF or BPF iterators here: the contract is then the walk, which the test above checked.
      expect(process.env.CI).not.toBe('true')
      console.warn(`SKIP: bpf task_file iterator unavailable (${(err as Error).message})`)
      return
    }
    const got: string[] = []
    for (let o = 0; o + 16 <= r.entries.length; o += 16) got.push(`${r.entries.readUInt32LE(o)}/${r.entries.readUInt32LE(o + 4)}/${r.entries.readBigUInt64LE(o + 8)}`)
    // Every holder of a wanted inode, as the full walk sees them (a socket shared by several
    // processes -- a stdio socketpair -- has a holder in each).
    const want = new Set(wanted)
    const expected = [...new Set(rows.filter((x) => want.has(x.inode)).map((x) => `${x.pid}/${x.fd}/${x.inode}`))]
    expect(got.sort()).toEqual(expected.sort())
    // An empty set asks for nothing; readOwnerMap with a set takes the filtered path and agrees.
    expect(native.fdIterBpf(new BigUint64Array(0)).entries.length).toBe(0)
    const map = readOwnerMap('/proc', [Number(listener)])
    expect(map.via).toBe('bpf')
    expect(map.size).toBe(1)
    expect(map.holders(Number(listener))).toEqual([{ pid: planted.server, fd: planted.listenFd }])
  })

  it('the async iterator takes the same filter', async () => {
    const native = tryNative()!
    const listener = BigInt(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/${planted.server}/fd/${planted.listenFd}`))![1]!)
    let r
    try {
      r = await native.fdIterBpfAsync(BigUint64Array.from([listener]))
    } catch (err) {
      expect(process.env.CI).not.toBe('true')
      console.warn(`SKIP: bpf task_file iterator unavailable (${(err as Error).message})`)
      return
    }
    expect(r.entries.length).toBe(16)
    expect(r.entries.readUInt32LE(0)).toBe(planted.server)
    expect(r.entries.readUInt32LE(4)).toBe(planted.listenFd)
  })
})

describe.skipIf(need(['native']))('owner lookups that fail or find nothing', () => {
  it('a failed fd walk is a TcpdoctorError with a stable code, not the addon error', async () => {
    expect(() => readOwnerMap('/nonexistent-tdwho', [5])).toThrow(expect.objectContaining({ code: 'TD_NOT_FOUND' }))
    await expect(readOwnerMapAsync('/nonexistent-tdwho', [5])).rejects.toMatchObject({ code: 'TD_NOT_FOUND' })
  })
  it('an iterator that yields none of the wanted inodes is asked again, then the /proc walk decides (root)', () => {
    if (process.geteuid?.() !== 0) return expect(process.env.CI).not.toBe('true')
    // Inode 1 is no socket: the iterator returns nothing, twice, and the walk (which agrees) answers.
    const map = readOwnerMap('/proc', [1])
    expect(map.size).toBe(0)
    expect(['native', 'js']).toContain(map.via)
    // No wanted inode at all is not suspicious: nothing is asked for, nothing falls back.
    expect(readOwnerMap('/proc', []).size).toBe(0)
  })
})
