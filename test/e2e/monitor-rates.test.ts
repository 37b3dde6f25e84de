/**
 * serve's findings include the rate findings: each doctor run measures its counter window from
 * the previous run (RollingWindow), so RESETS_HIGH, which needs two counter samples, shows up in
 * /metrics as tcpdoctor_finding while refused connects really happen in the served namespace
 * (python connects over and over to a closed port: the kernel answers each SYN with an RST), and
 * leaves once they stop. Needs root and netns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { serve, type Served } from '../../src/monitor/server.js'

const skip = need(['root'], ['netns'], ['tool', 'python3'])

// ~200 refused connects a second to a port nothing listens on
const REFUSE = `
import socket, time
while True:
    s = socket.socket()
    try: s.connect(("127.0.0.1", 9))
    except OSError: pass
    s.close()
    time.sleep(0.005)
`

async function metrics(url: string): Promise<string> {
  const r = await fetch(new URL('/metrics', url))
  return r.text()
}

/** Polls /metrics until test() holds for its text (waitUntil takes a synchronous check). */
async function metricsUntil(url: string, test: (text: string) => boolean, what: string, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms
  for (;;) {
    const text = await metrics(url)
    if (test(text)) return text
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; last /metrics findings: ${text.split('\n').filter((l) => l.startsWith('tcpdoctor_finding')).join('; ') || 'none'}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

describe.skipIf(skip)('serve: rate findings from one doctor run to the next', () => {
  let ns = ''
  let s: Served | undefined
  let refuser: ChildProcess | undefined
  beforeAll(async () => {
    ns = makeNetns('tdmrt')
    s = await serve({ host: '127.0.0.1', port: 0, intervalMs: 300, netns: ns, findingsEvery: 2, ownersEvery: 0 })
  })
  afterAll(async () => {
    refuser?.kill('SIGKILL')
    await s?.close()
    dropNetns(ns)
  })

  it('RESETS_HIGH appears in /metrics while connects are refused, and goes once they stop', async () => {
    // a quiet namespace first: two doctor runs, no finding
    await waitUntil(() => s!.latest() !== undefined, 'a first sample', 10_000)
    await new Promise((r) => setTimeout(r, 1500))
    expect(await metrics(s!.url)).not.toMatch(/tcpdoctor_finding\{[^}]*code="RESETS_HIGH"/)
    refuser = spawnInNetns(ns, 'python3', ['-c', REFUSE])
    const firing = (t: string): boolean => /tcpdoctor_finding\{[^}]*code="RESETS_HIGH"[^}]*\} 1/.test(t)
    const text = await metricsUntil(s!.url, firing, 'RESETS_HIGH in /metrics')
    expect(text).toMatch(new RegExp(`tcpdoctor_finding\\{[^}]*netns="${ns}"[^}]*code="RESETS_HIGH"|tcpdoctor_finding\\{[^}]*code="RESETS_HIGH"[^}]*netns="${ns}"`))
    refuser.kill('SIGKILL')
    await metricsUntil(s!.url, (t) => !firing(t), 'RESETS_HIGH to clear')
  }, 60_000)
})
