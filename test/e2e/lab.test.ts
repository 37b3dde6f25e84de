/**
 * Every lab scenario, judged by the kernel: start it, count states with `ss -tanH` inside each
 * namespace, check tcpdoctor's listSockets agrees, stop it, and check that no namespace and no
 * process is left. Scenarios run two at a time. Also: Ctrl-C / SIGTERM on `lab X --keep`
 * leaves nothing behind, and a non-root user gets TD_PERMISSION.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { startScenario } from '../../src/lab/run.js'
import { scenarioNames } from '../../src/lab/registry.js'
import type { ScenarioInfo } from '../../src/lab/scenario.js'
import { listSockets, countList } from '../../src/kernel/source.js'
import { resolveNetns } from '../../src/kernel/netns.js'
import { TCP_STATES, type StateName } from '../../src/model/state.js'

const skip = need(['root'], ['netns'], ['tool', 'ss'], ['tool', 'nft'], ['tool', 'python3'], ['tool', 'sysctl'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

const fromSs = new Map<string, StateName>(TCP_STATES.filter((s) => s.kernel !== 'NEW_SYN_RECV').map((s) => [s.ss, s.kernel]))

function ssCounts(ns: string): Partial<Record<StateName, number>> {
  const out = execFileSync('ip', ['netns', 'exec', ns, 'ss', '-tanH'], { encoding: 'utf8' })
  const counts: Partial<Record<StateName, number>> = {}
  for (const line of out.split('\n')) {
    const st = fromSs.get(line.trim().split(/\s+/)[0] ?? '')
    if (st) counts[st] = (counts[st] ?? 0) + 1
  }
  return counts
}

function ourCounts(ns: string): Partial<Record<StateName, number>> {
  return countList(listSockets({ netns: resolveNetns(ns)[0]! }).sockets).states
}

function labNamespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('tdlab-'))
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function expectGone(info: ScenarioInfo): void {
  const left = labNamespaces()
  for (const n of info.namespaces) expect(left, `namespace ${n.name} left behind`).not.toContain(n.name)
  for (const p of info.processes) expect(alive(p.pid), `process ${p.command} (${p.pid}) left behind`).toBe(false)
}

/** Checks a running scenario: ss inside each namespace meets the minimums, and we agree with ss. */
function checkAgainstSs(info: ScenarioInfo): void {
  for (const e of info.expect.netns) {
    for (let attempt = 0; ; attempt++) {
      const before = ssCounts(e.name)
      const ours = ourCounts(e.name)
      const after = ssCounts(e.name)
      for (const [state, min] of Object.entries(e.states) as [StateName, number][]) {
        expect(before[state] ?? 0, `${info.scenario} ${e.role} ${state} (ss)`).toBeGreaterThanOrEqual(min)
        expect(ours[state] ?? 0, `${info.scenario} ${e.role} ${state} (tcpdoctor)`).toBeGreaterThanOrEqual(min)
      }
      // Where ss saw the same table twice, tcpdoctor's dump in between must equal it.
      const stable = (Object.keys(e.states) as StateName[]).filter((s) => before[s] === after[s])
      const differs = stable.filter((s) => ours[s] !== before[s])
      if (differs.length === 0 || attempt === 3) {
        expect(differs, `${info.scenario} ${e.role}: ss ${JSON.stringify(before)} vs tcpdoctor ${JSON.stringify(ours)}`).toEqual([])
        break
      }
    }
  }
}

// Two scenarios at a time: enough to finish quickly, few enough for a 2-core machine.
let running = 0
const queue: (() => void)[] = []
async function lane<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((r) => queue.push(r))
  running++
  try {
    return await fn()
  } finally {
    running--
    queue.shift()?.()
  }
}

describe.skipIf(skip)('lab scenarios against ss', () => {
  // tcp-memory-pressure changes the host-global tcp_mem: it runs alone, in diagnose-memory.test.ts.
  for (const name of scenarioNames.filter((n) => n !== 'tcp-memory-pressure')) {
    it.concurrent(name, async () => {
      await lane(async () => {
        const t0 = Date.now()
        const lab = await startScenario(name)
        try {
          expect(lab.info.scenario).toBe(name)
          expect(lab.info.namespaces.every((n) => n.name.startsWith(`tdlab-${process.pid}-`))).toBe(true)
          expect(lab.info.processes.length).toBeGreaterThan(0)
          checkAgainstSs(lab.info)
        } finally {
          await lab.stop()
        }
        expectGone(lab.info)
        console.info(`lab ${name}: ${Date.now() - t0} ms`)
      })
    })
  }
})

describe.skipIf(skip)('lab --keep ends cleanly on a signal', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} removes every namespace and process`, async () => {
      const child = spawn(process.execPath, [BIN, 'lab', 'close-wait', '--keep', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
      let text = ''
      const info = await new Promise<ScenarioInfo>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no JSON document within 20 s: ${text}`)), 20_000)
        child.stdout.on('data', (d: Buffer) => {
          text += d.toString()
          try {
            const doc = JSON.parse(text) as ScenarioInfo
            clearTimeout(timer)
            resolve(doc)
          } catch {
            // not complete yet
          }
        })
        child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${text}`)))
      })
      expect(info.expect.states.CLOSE_WAIT).toBe(3)
      for (const n of info.namespaces) expect(labNamespaces()).toContain(n.name)
      expect(ssCounts(info.namespaces.find((n) => n.role === 'server')!.name).CLOSE_WAIT).toBe(3)
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
      child.kill(sig)
      expect(await exited).toBe(0)
      expectGone(info)
    })
  }
})

function gone(pid: number): boolean {
  try {
    return /State:\s+Z/.test(readFileSync(`/proc/${pid}/status`, 'utf8')) // a zombie holds nothing
  } catch {
    return true
  }
}

describe.skipIf(skip)('lab after SIGKILL', () => {
  it('helpers exit by themselves and --cleanup removes the namespaces', async () => {
    const child = spawn(process.execPath, [BIN, 'lab', 'simultaneous-close', '--keep', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let text = ''
    const info = await new Promise<ScenarioInfo>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        text += d.toString()
        try {
          resolve(JSON.parse(text) as ScenarioInfo)
        } catch {
          // not complete yet
        }
      })
      child.on('exit', (code) => reject(new Error(`exited ${code} before ready: ${text}`)))
    })
    const exited = new Promise((r) => child.on('exit', r))
    child.kill('SIGKILL')
    await exited
    const deadline = Date.now() + 5000
    while (!info.processes.every((p) => gone(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    for (const p of info.processes) expect(gone(p.pid), `${p.command} outlived its lab`).toBe(true)
    expect(labNamespaces()).toEqual(expect.arrayContaining(info.namespaces.map((n) => n.name)))
    const r = spawnSync(process.execPath, [BIN, 'lab', '--cleanup', '--json'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect((JSON.parse(r.stdout) as { removed: string[] }).removed).toEqual(expect.arrayContaining(info.namespaces.map((n) => n.name)))
    for (const n of info.namespaces) expect(labNamespaces()).not.toContain(n.name)
  })
})

describe.skipIf(skip)('lab command', () => {
  it('lists the scenarios as JSON without root', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'lab', '--json'], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    const doc = JSON.parse(r.stdout) as { scenarios: { name: string }[] }
    expect(doc.scenarios.map((s) => s.name)).toEqual([...scenarioNames])
  })

  it('says TD_PERMISSION (exit 2) to a non-root user', () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'lab', 'listen', '--json'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('TD_PERMISSION')
    expect(labNamespaces().filter((n) => n.startsWith(`tdlab-${r.pid}-`))).toEqual([])
  })

  it('rejects an unknown scenario with TD_INVALID_ARGUMENT', () => {
    const r = spawnSync(process.execPath, [BIN, 'lab', 'no-such-state', '--json'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('TD_INVALID_ARGUMENT')
  })

  it('prints the ready screen and removes everything after --hold', () => {
    const r = spawnSync(process.execPath, [BIN, 'lab', 'time-wait', '--hold', '0.2', '--count', '5'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', LANG: 'C' } })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/lab time-wait is ready/)
    expect(r.stdout).toMatch(/TIME-WAIT 5/)
    expect(r.stderr).toMatch(/stopped/)
    expect(labNamespaces().filter((n) => n.startsWith(`tdlab-${r.pid}-`))).toEqual([])
  })
})
