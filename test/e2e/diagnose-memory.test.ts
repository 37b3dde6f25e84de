/**
 * TCP_MEMORY_PRESSURE made for real: tcp_mem is host-global (no copy per namespace), so the lab
 * scenario lowers the host's pressure line for a few seconds and restores it. It runs under CI
 * (a throwaway machine) or with TCPDOCTOR_LAB_HOST_SYSCTLS=1; elsewhere it skips and says why.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { startScenario } from '../../src/lab/index.js'
import { HOST_SYSCTL_OPT_IN } from '../../src/lab/host-sysctl.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const allowed = process.env.CI === 'true' || process.env[HOST_SYSCTL_OPT_IN] === '1'
if (!allowed) console.warn(`SKIP: diagnose-memory changes the host-global net.ipv4.tcp_mem for a few seconds; set ${HOST_SYSCTL_OPT_IN}=1 (CI does)`)
const skip = !allowed || need(['root'], ['netns'], ['native'], ['tool', 'python3'], ['tool', 'nft'])
const tcpMem = (): string => readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim()

describe.skipIf(skip)('TCP_MEMORY_PRESSURE, made for real', () => {
  it('lab tcp-memory-pressure -> diagnose in the host namespace names it; tcp_mem is restored', async () => {
    process.env[HOST_SYSCTL_OPT_IN] = '1'
    const before = tcpMem()
    const lab = await startScenario('tcp-memory-pressure')
    try {
      expect(tcpMem()).not.toBe(before)
      const r = spawnSync(process.execPath, [BIN, 'diagnose', '--json', '--interval', '0.5'], { encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(1)
      const doc = JSON.parse(r.stdout) as { findings: { code: string; severity: string; evidence: { memPages: number; tcp_mem: number[] } }[] }
      const f = doc.findings.find((x) => x.code === 'TCP_MEMORY_PRESSURE')
      expect(f, JSON.stringify(doc.findings.map((x) => x.code))).toBeDefined()
      expect(f!.severity).toBe('warning') // the hard limit (tcp_mem[2]) was left alone: nothing aborted
      expect(f!.evidence.memPages).toBeGreaterThanOrEqual(f!.evidence.tcp_mem[1]!)
      // The kernel really is in memory pressure: its global flag, the "press" column of TCP.
      const tcpRow = readFileSync('/proc/net/protocols', 'utf8').split('\n').find((l) => l.startsWith('TCP '))!
      expect(tcpRow.trim().split(/\s+/)[4]).toBe('yes')
    } finally {
      await lab.stop()
    }
    expect(tcpMem()).toBe(before)
    expect(readdirSync('/run').filter((e) => e.startsWith('tcpdoctor-lab-sysctl-'))).toEqual([])
  })
  it('refuses without the opt-in, changing nothing', async () => {
    const before = tcpMem()
    delete process.env[HOST_SYSCTL_OPT_IN]
    await expect(startScenario('tcp-memory-pressure')).rejects.toMatchObject({ code: 'TD_PERMISSION' })
    expect(tcpMem()).toBe(before)
  })
})
