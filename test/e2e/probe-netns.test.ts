/**
 * `ping --netns NS` and `trace --netns NS` run from the host give what the same commands give
 * under `ip netns exec NS` and what iputils ping / traceroute give there: the probe sockets are
 * created inside the namespace by the addon (a socket keeps its namespace for life). The chain
 * (test/helpers/topology.ts) exists only from the client namespace: from the host its
 * addresses have no route here, so a probe that silently ran in the host's namespace could not
 * list r1..r3 or reach the server. No probe leaves the test's own namespaces. Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { buildTopology, type Topology } from '../helpers/topology.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'ping'], ['tool', 'traceroute'], ['tool', 'python3'], ['tool', 'nft'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

let topo: Topology

/** tcpdoctor from the host's namespace (with --netns), or under `ip netns exec` (inside). */
function td(args: string[], inside = false): { json: any; stdout: string; stderr: string; status: number } {
  const r = inside
    ? topo.exec(topo.ns.client, process.execPath, [BIN, ...args], { allowFail: true, timeout: 50_000 })
    : (() => {
        const p = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 50_000 })
        return { stdout: p.stdout, stderr: p.stderr, status: p.status ?? -1 }
      })()
  let json: any
  try {
    json = JSON.parse(r.stdout)
  } catch {
    json = undefined
  }
  return { ...r, json }
}

const hopsOf = (j: any): (string | null)[] => j.hops.map((h: any) => h.address)

describe.skipIf(skip)('probes with --netns equal probes under ip netns exec, with ping and traceroute as oracles', () => {
  beforeAll(() => {
    topo = buildTopology({ tcp: true })
  })
  afterAll(() => topo?.destroy())

  it('trace --netns: the same hop list as under ip netns exec and as traceroute there (UDP, ICMP, TCP)', () => {
    for (const [ours, theirs] of [
      [[], ['-U']],
      [['-I'], ['-I']],
      [['-T', '-p', '8080'], ['-T', '-p', '8080']],
    ] as const) {
      const outside = td(['trace', '--json', '-W', '1', '--netns', topo.ns.client, ...ours, topo.server4])
      expect(outside.status, outside.stderr).toBe(0)
      const inside = td(['trace', '--json', '-W', '1', ...ours, topo.server4], true)
      expect(inside.status, inside.stderr).toBe(0)
      const oracle = topo.exec(topo.ns.client, 'traceroute', ['-n', '-q', '1', '-w', '1', ...theirs, topo.server4]).stdout
      const oracleHops = oracle.split('\n').slice(1).filter((l) => /^\s*\d+\s/.test(l)).map((l) => {
        const f = l.trim().split(/\s+/)
        return f[1] === '*' ? null : f[1]!
      })
      expect(outside.json.reached).toBe(true)
      expect(hopsOf(outside.json)).toEqual(hopsOf(inside.json))
      expect(hopsOf(outside.json)).toEqual(oracleHops)
      expect(hopsOf(outside.json)).toEqual(topo.hops4)
    }
  })

  it('ping --netns: every echo answered with the TTL iputils ping sees there; --tcp open and refused as inside', () => {
    const outside = td(['ping', '--json', '-c', '3', '-i', '0.2', '--netns', topo.ns.client, topo.server4])
    expect(outside.status, outside.stderr).toBe(0)
    const inside = td(['ping', '--json', '-c', '3', '-i', '0.2', topo.server4], true)
    const iputils = topo.exec(topo.ns.client, 'ping', ['-n', '-c', '3', '-i', '0.2', topo.server4]).stdout
    const ttl = Number(/ttl=(\d+)/.exec(iputils)![1])
    expect(outside.json).toMatchObject({ sent: 3, received: 3, ttl })
    expect(inside.json).toMatchObject({ sent: 3, received: 3, ttl })
    for (const [port, outcome] of [['8080', 'open'], ['81', 'refused']] as const) {
      const o = td(['ping', '--json', '-c', '1', '--tcp', port, '--netns', topo.ns.client, topo.server4])
      const i = td(['ping', '--json', '-c', '1', '--tcp', port, topo.server4], true)
      expect(o.json.probes[0].outcome, o.stderr).toBe(outcome)
      expect(i.json.probes[0].outcome).toBe(outcome)
    }
  })

  it('--netns names exactly one namespace, else a coded error (exit 2), never a probe from ours', () => {
    const all = td(['ping', '--json', '-c', '1', '--netns', 'all', topo.server4])
    expect(all.status).toBe(2)
    expect(all.json.error.code).toBe('TD_USAGE')
    const missing = td(['trace', '--json', '--netns', 'tdp-no-such-ns', topo.server4])
    expect(missing.status).toBe(2)
    expect(missing.json.error.code).toBe('TD_NOT_FOUND')
  })
})
