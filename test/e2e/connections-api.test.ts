/**
 * GET /api/connections of `serve`, on a private namespace with sockets planted by python: the
 * rows equal `ss -tan` in that namespace for the same filter, owners are named, the limit says
 * how many it left out, a bad filter/limit/sort is a 400 with a stable code, and a burst of
 * requests is answered from one listing. Needs root and netns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns, spawnInNetns, waitForLine } from '../helpers/netns.js'
import { serve, type Served } from '../../src/monitor/server.js'

const skip = need(['root'], ['netns'], ['tool', 'python3'], ['tool', 'ss'])

const PLANT = `
import socket, sys
keep = []
l = socket.socket(); l.bind(("127.0.0.1", 7070)); l.listen(16); keep.append(l)
for _ in range(4):
    c = socket.create_connection(("127.0.0.1", 7070)); keep.append(c); keep.append(l.accept()[0])
print("READY", flush=True)
sys.stdin.readline()
`

interface Reply { total: number; filter: string; connections: { state: string; local: string; remote: string; process: string | null }[]; error?: { code: string } }

describe.skipIf(skip)('serve /api/connections', () => {
  let ns = ''
  let s: Served | undefined
  let plant: ChildProcess | undefined
  const get = async (q: string): Promise<{ status: number; body: Reply }> => {
    const r = await fetch(new URL(`/api/connections?${q}`, s!.url))
    return { status: r.status, body: (await r.json()) as Reply }
  }
  beforeAll(async () => {
    ns = makeNetns('tdcon')
    plant = spawnInNetns(ns, 'python3', ['-c', PLANT])
    await waitForLine(plant, /READY/)
    s = await serve({ host: '127.0.0.1', port: 0, intervalMs: 1000, netns: ns, findingsEvery: 0, ownersEvery: 0 })
  })
  afterAll(async () => {
    plant?.kill('SIGKILL')
    await s?.close()
    dropNetns(ns)
  })

  it('rows equal ss -tan for the same filter, with the owner', async () => {
    const { status, body } = await get(new URLSearchParams({ filter: 'dport = :7070 or sport = :7070' }).toString())
    expect(status).toBe(200)
    const ss = inNetns(ns, 'ss', ['-tanH', 'state', 'all', '( dport = :7070 or sport = :7070 )']).trim().split('\n').map((l) => l.split(/\s+/))
      .map((f) => `${f[0] === 'ESTAB' ? 'ESTABLISHED' : f[0]} ${f[3]} ${f[4]}`).sort()
    expect(ss).toHaveLength(9)
    expect(body.total).toBe(9)
    expect(body.connections.map((c) => `${c.state} ${c.local} ${c.remote}`).sort()).toEqual(ss)
    const listener = body.connections.find((c) => c.state === 'LISTEN')!
    expect(listener.process).toMatch(/^python3\[\d+\]$/)
  })

  it('a limit keeps the first N and the total counts all', async () => {
    const { body } = await get('filter=sport%20%3D%20%3A7070&limit=2')
    expect(body.connections).toHaveLength(2)
    expect(body.total).toBe(5) // the listener and 4 accepted ends
  })

  it('a bad filter, limit or sort is a 400 with its code', async () => {
    expect(await get('filter=sport%20%3D')).toMatchObject({ status: 400, body: { error: { code: 'TD_FILTER_SYNTAX' } } })
    expect(await get('limit=0')).toMatchObject({ status: 400, body: { error: { code: 'TD_INVALID_ARGUMENT' } } })
    expect(await get('limit=99999')).toMatchObject({ status: 400, body: { error: { code: 'TD_INVALID_ARGUMENT' } } })
    expect(await get('sort=nonsense')).toMatchObject({ status: 400, body: { error: { code: 'TD_INVALID_ARGUMENT' } } })
  })

  it('50 requests at once are answered from one listing (the same answer time)', async () => {
    const replies = await Promise.all(Array.from({ length: 50 }, () => fetch(new URL('/api/connections?filter=state%20established', s!.url)).then((r) => r.json() as Promise<{ at: number }>)))
    expect(new Set(replies.map((r) => r.at)).size).toBe(1)
  })
})
