/**
 * The rules on recorded reality: every fixture in test/fixtures/doctor is a DiagnoseInput
 * captured inside a lab scenario's namespace (capture.mjs, caption in each file). Each must give
 * exactly the findings the lab promises for that namespace (warning and up), with the right port,
 * process and numbers; thresholds and --interval 0 change the outcome the documented way.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { runRules, rankFindings } from './diagnose.js'
import { defaultConfig, parseConfig } from './config.js'
import { rules } from './registry.js'
import type { DiagnoseInput } from './input.js'
import type { Finding } from './rule.js'
import { topicExists } from '../knowledge/lookup.js'
import { FINDING_TOPICS } from '../model/finding.js'

const DIR = join(import.meta.dirname, '../../test/fixtures/doctor')

interface Fixture { caption: string; scenario: string; role: string; expect: string[]; input: DiagnoseInput }

const fixtures = new Map<string, Fixture>(
  readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Fixture]),
)

function fixture(name: string): Fixture {
  const f = fixtures.get(name)
  if (!f) throw new Error(`no fixture ${name}`)
  return structuredClone(f)
}

const serious = (fs: Finding[]): string[] => [...new Set(fs.filter((f) => f.severity !== 'info').map((f) => f.code))].sort()
const one = (fs: Finding[], code: string): Finding => {
  const f = fs.find((x) => x.code === code)
  if (!f) throw new Error(`no ${code} in ${fs.map((x) => x.code).join(', ')}`)
  return f
}

/**
 * Findings that are true but the lab does not list: the namespace really holds the pile-up.
 * closing-pileup server: its FIN_WAIT2 sockets wait for a FIN the firewall drops, which from
 * inside is exactly a peer that never closes. close-wait-leak client: the lab lists no
 * expectation for it; it holds 100 orphaned FIN_WAIT2 sockets.
 */
const TRUE_EXTRAS: Record<string, string[]> = {
  'closing-pileup-server': ['FIN_WAIT_2_PILEUP'],
  'close-wait-leak-client': ['FIN_WAIT_2_PILEUP'],
}

describe('every captured scenario gives exactly its findings', () => {
  for (const [name, fx] of fixtures) {
    it(`${name}: ${fx.expect.join(', ') || 'nothing at warning or above'}`, () => {
      const r = runRules(fx.input)
      expect(serious(r.findings)).toEqual([...new Set([...fx.expect, ...(TRUE_EXTRAS[name] ?? [])])].sort())
    })
  }
})

describe('evidence names the offender', () => {
  it('CLOSE_WAIT_LEAK: tdlab-leaky on :8080, 100 sockets, its pid', () => {
    const f = one(runRules(fixture('close-wait-leak-server').input).findings, 'CLOSE_WAIT_LEAK')
    expect(f.evidence.count).toBe(100)
    expect(f.title).toMatch(/tdlab-leaky \(pid \d+\) on :8080: 100 sockets/)
    expect((f.evidence.processes as { command: string }[])[0]!.command).toBe('tdlab-leaky')
    expect(f.fixes.join(' ')).toMatch(/close\(\)/)
    expect(f.fixes.join(' ')).toMatch(/no sysctl/)
  })

  it('SYN_FLOOD: listener :8080, >= 128 SYN_RECV from 64 sources, cookies counted, backlog 128', () => {
    const f = one(runRules(fixture('syn-flood-server').input).findings, 'SYN_FLOOD')
    expect(f.evidence).toMatchObject({ sources: 64, listener: { port: 8080, backlog: 128 } })
    // The SYN queue holds up to the backlog (+1: the kernel's check is "greater than").
    expect(f.evidence.synRecv as number).toBeGreaterThanOrEqual(128)
    expect(f.severity).toBe('critical')
    const c = f.evidence.counters as Record<string, { total: number }>
    expect(c.TcpExtTCPReqQFullDoCookies!.total).toBeGreaterThan(0)
    expect(f.fixes.join(' ')).toMatch(/not a capacity fix/)
  })

  it('LISTEN_QUEUE_OVERFLOW: tdlab-slowapp :8080, queue 9 over backlog 8, says it is not a flood', () => {
    const f = one(runRules(fixture('listen-overflow-server').input).findings, 'LISTEN_QUEUE_OVERFLOW')
    expect(f.evidence).toMatchObject({ acceptQueue: 9, backlog: 8, listener: { port: 8080 } })
    expect(JSON.stringify(f.evidence.process)).toContain('tdlab-slowapp')
    expect(f.fixes.join(' ')).toMatch(/not a SYN flood/)
    expect(f.details.join(' ')).toMatch(/ListenOverflows \+\d+ in the interval/)
  })

  it('LISTEN_QUEUE_OVERFLOW on one sample prints no unknown delta or CPU ("+?", "CPU ?%")', () => {
    const fx = fixture('listen-overflow-server')
    const ns = fx.input.namespaces.find((n) => n.counters?.first)!
    delete ns.counters!.first
    for (const a of Object.values(ns.processActivity ?? {})) delete a.cpuPercent
    const f = one(runRules(fx.input).findings, 'LISTEN_QUEUE_OVERFLOW')
    const text = f.details.join(' ')
    expect(text).toMatch(/one sample: no interval to compare/)
    expect(text).not.toMatch(/\?/)
  })

  it('SYN_SENT_UNREACHABLE names 198.51.100.10:443 and tdlab-app; listen-overflow client SYN_SENT are not', () => {
    const f = one(runRules(fixture('syn-sent-unreachable-client').input).findings, 'SYN_SENT_UNREACHABLE')
    expect(f.evidence).toMatchObject({ count: 50, destination: { address: '198.51.100.10', port: 443 } })
    expect(f.title).toContain('tdlab-app')
    expect(runRules(fixture('listen-overflow-client').input).findings.map((x) => x.code)).not.toContain('SYN_SENT_UNREACHABLE')
  })

  it('OUTBOUND_SCAN_SUSPECTED: tdlab-scanner, 200 targets on 20 hosts, 10 ports each', () => {
    const f = one(runRules(fixture('outbound-scan-client').input).findings, 'OUTBOUND_SCAN_SUSPECTED')
    expect(f.evidence).toMatchObject({ targets: 200, hosts: 20, maxPortsPerHost: 10 })
    expect(f.title).toContain('tdlab-scanner')
  })

  it('HALF_OPEN_SUSPECTED: 5 silent connections of tdlab-app on :8080, retransmitting', () => {
    const f = one(runRules(fixture('half-open-server').input).findings, 'HALF_OPEN_SUSPECTED')
    expect(f.evidence.count).toBe(5)
    expect(f.title).toContain(':8080')
    expect(f.title).toContain('tdlab-app')
    expect(f.evidence.maxRetransmits as number).toBeGreaterThanOrEqual(2)
  })

  it('pile-ups: FIN_WAIT1 / FIN_WAIT2 / CLOSING / LAST_ACK with ports, peers and sysctls', () => {
    const fw1 = one(runRules(fixture('orphans-client').input).findings, 'FIN_WAIT_1_PILEUP')
    expect(fw1.evidence).toMatchObject({ count: 100, orphans: 100, tcp_orphan_retries: 15 })
    const fw2 = one(runRules(fixture('fin-wait-2-pileup-client').input).findings, 'FIN_WAIT_2_PILEUP')
    expect(fw2.evidence).toMatchObject({ count: 100, withFd: 100 })
    expect(fw2.fixes.join(' ')).toMatch(/does not shorten TIME_WAIT/)
    const closing = one(runRules(fixture('closing-pileup-client').input).findings, 'CLOSING_PILEUP')
    expect(closing.evidence.count).toBe(100)
    const la = one(runRules(fixture('last-ack-pileup-server').input).findings, 'LAST_ACK_PILEUP')
    expect(la.evidence).toMatchObject({ count: 100, orphans: 100 })
    expect((la.evidence.ports as { port: number }[])[0]!.port).toBe(8080)
    // Orphans without data (LAST_ACK) are not ORPHAN_SOCKETS_HIGH; orphans holding data are.
    const orph = one(runRules(fixture('orphans-client').input).findings, 'ORPHAN_SOCKETS_HIGH')
    expect(orph.evidence.withUnsentData).toBe(100)
  })

  it('TIME_WAIT_PORT_EXHAUSTION and EPHEMERAL_RANGE_NARROW: 100-port range to 10.199.0.2:8080, with the myths corrected', () => {
    const fs = runRules(fixture('time-wait-exhaustion-client').input).findings
    const tw = one(fs, 'TIME_WAIT_PORT_EXHAUSTION')
    expect(tw.evidence).toMatchObject({ usablePorts: 100, destination: { address: '10.199.0.2', port: 8080 } })
    expect(tw.fixes.join(' ')).toMatch(/tcp_tw_recycle.*4\.12/)
    expect(tw.fixes.join(' ')).toMatch(/tcp_fin_timeout does not shorten TIME_WAIT/)
    expect(tw.fixes.join(' ')).not.toMatch(/tcp_tw_recycle=1/)
    const narrow = one(runRules(fixture('port-exhaustion-client').input).findings, 'EPHEMERAL_RANGE_NARROW')
    expect(narrow.evidence).toMatchObject({ portRange: [40000, 40099], usablePorts: 100, fraction: 1 })
    expect(JSON.stringify(narrow.evidence.busiest)).toContain('tdlab-client')
  })

  it('TIME_WAIT_BUCKET_OVERFLOW: 50 buckets, overflows counted, advice never to lower the limit', () => {
    const f = one(runRules(fixture('time-wait-bucket-overflow-client').input).findings, 'TIME_WAIT_BUCKET_OVERFLOW')
    expect(f.evidence).toMatchObject({ tcp_max_tw_buckets: 50, lowered: true })
    expect((f.evidence.counters as Record<string, { delta: number }>).TcpExtTCPTimeWaitOverflow!.delta).toBeGreaterThan(0)
    expect(f.fixes[0]).toMatch(/raise it back/)
    // SYSCTL_RISK leaves the lowered tcp_max_tw_buckets to this finding.
    const risk = runRules(fixture('time-wait-bucket-overflow-client').input).findings.find((x) => x.code === 'SYSCTL_RISK')
    expect(JSON.stringify(risk?.evidence ?? {})).not.toContain('tcp_max_tw_buckets')
  })

  it('RETRANSMISSION_HIGH: client to 10.199.0.2:8080 over the interval; RESETS_HIGH on both sides', () => {
    const f = one(runRules(fixture('retransmissions-client').input).findings, 'RETRANSMISSION_HIGH')
    expect(f.evidence.window).toBe('interval')
    expect(f.evidence.ratio as number).toBeGreaterThan(0.02)
    expect(JSON.stringify(f.evidence.destinations)).toContain('10.199.0.2:8080')
    for (const side of ['client', 'server']) {
      const r = one(runRules(fixture(`resets-${side}`).input).findings, 'RESETS_HIGH')
      expect(r.evidence.perSecond as number).toBeGreaterThanOrEqual(10)
    }
  })

  it('RESETS_HIGH names who resets from the kernel\'s count (lab resets, both sides); without it names nobody', () => {
    const server = one(runRules(fixture('resets-server').input).findings, 'RESETS_HIGH')
    const groups = (f: typeof server): { kind: string; service: string; reason: string | null }[] => (f.evidence.kernelResets as { groups: { kind: string; service: string; reason: string | null }[] }).groups
    expect(groups(server)).toContainEqual(expect.objectContaining({ kind: 'refused', service: '10.199.0.1 -> :8081', reason: 'NO_SOCKET' }))
    expect(server.details[0]).toMatch(/^refused: 10\.199\.0\.1 -> :8081 \(NO_SOCKET\) \d+$/)
    expect(server.fixes[0]).toContain('10.199.0.1 connects to port 8081, where nothing listens')
    const client = one(runRules(fixture('resets-client').input).findings, 'RESETS_HIGH')
    expect(groups(client)).toContainEqual(expect.objectContaining({ kind: 'disconnect', service: '10.199.0.2:8080', reason: 'TCP_STATE', owner: expect.objectContaining({ command: 'tdlab-client', via: 'task' }) }))
    expect(client.title).toContain('most 10.199.0.2:8080 (TCP_STATE)')
    const zh = one(runRules(fixture('resets-client').input, defaultConfig('zh')).findings, 'RESETS_HIGH')
    expect(zh.details[0]).toMatch(/^SO_LINGER 0 的 close\(\) 或断开而中止: 10\.199\.0\.2:8080 \(TCP_STATE\) \d+, tdlab-client \(pid \d+\)$/)
    // The same input without the kernel's count: the counters alone, nobody named.
    const input = fixture('resets-server').input
    const bare = { ...input, namespaces: input.namespaces.map(({ kernelResets: _k, ...n }) => n) }
    const plain = one(runRules(bare).findings, 'RESETS_HIGH')
    expect(plain.evidence.kernelResets).toBeUndefined()
    expect(plain.title).not.toContain('most')
    expect(plain.details.join('\n')).not.toContain('10.199.0.1')
  })

  it('UNEXPECTED_LISTENER: tdlab-backdoor on :31337 without an allowlist; allowlisted, quiet; with an allowlist, 8080 is reported', () => {
    const input = fixture('unexpected-listener-server').input
    const f = one(runRules(input).findings, 'UNEXPECTED_LISTENER')
    expect(f.evidence).toMatchObject({ port: 31337, reason: 'suspicious port' })
    expect(f.title).toContain('tdlab-backdoor')
    const allowed = parseConfig({ expectedListeners: [{ port: 31337, process: 'tdlab-backdoor' }] })
    expect(runRules(input, allowed).findings.map((x) => x.code)).not.toContain('UNEXPECTED_LISTENER')
    const strict = parseConfig({ expectedListeners: [{ port: 22 }] })
    const onCw = runRules(fixture('close-wait-leak-server').input, strict).findings.filter((x) => x.code === 'UNEXPECTED_LISTENER')
    expect(onCw.map((x) => x.evidence.port)).toEqual([8080])
  })
})

describe('thresholds and sampling', () => {
  it('raising a threshold past the count silences the rule; lowering one below a healthy count does not invent data', () => {
    const input = fixture('close-wait-leak-server').input
    expect(serious(runRules(input, parseConfig({ thresholds: { CLOSE_WAIT_LEAK: { minCount: 101 } } })).findings)).toEqual([])
    const critical = one(runRules(input, parseConfig({ thresholds: { CLOSE_WAIT_LEAK: { criticalCount: 100 } } })).findings, 'CLOSE_WAIT_LEAK')
    expect(critical.severity).toBe('critical')
  })

  it('disable removes a code from checked and findings', () => {
    const r = runRules(fixture('close-wait-leak-server').input, parseConfig({ disable: ['CLOSE_WAIT_LEAK'] }))
    expect(r.checked).not.toContain('CLOSE_WAIT_LEAK')
    expect(r.findings.map((f) => f.code)).not.toContain('CLOSE_WAIT_LEAK')
    expect(r.checked).toHaveLength(rules.length - 1)
  })

  it('bad config is a TD_INVALID_ARGUMENT naming the key', () => {
    expect(() => parseConfig({ thresholds: { NOPE: {} } })).toThrow(/unknown finding code NOPE/)
    expect(() => parseConfig({ thresholds: { CLOSE_WAIT_LEAK: { minCnt: 1 } } })).toThrow(/unknown threshold minCnt/)
    expect(() => parseConfig({ thresholds: { CLOSE_WAIT_LEAK: { minCount: -1 } } })).toThrow(/>= 0/)
    expect(() => parseConfig({ expectedListeners: [{ port: 70000 }] })).toThrow(/port/)
    expect(() => parseConfig([])).toThrow(/object/)
  })

  it('--interval 0 (one sample): state rules still judge, rate rules stay silent', () => {
    const one1 = (name: string): DiagnoseInput => {
      const input = fixture(name).input
      input.samples = 1
      input.intervalMs = 0
      for (const ns of input.namespaces) {
        delete ns.earlier
        if (ns.counters) {
          delete ns.counters.first
          ns.counters.intervalMs = 0
        }
      }
      return input
    }
    expect(serious(runRules(one1('close-wait-leak-server')).findings)).toEqual(['CLOSE_WAIT_LEAK'])
    expect(serious(runRules(one1('resets-server')).findings)).toEqual([])
    // Lifetime tcp_info still shows the loss of the streaming connections.
    expect(serious(runRules(one1('retransmissions-client')).findings)).toEqual(['RETRANSMISSION_HIGH'])
  })

  it('ranks critical before warning, then by magnitude, across namespaces', () => {
    const parts = ['close-wait-leak-server', 'syn-flood-server', 'unexpected-listener-server', 'time-wait-exhaustion-client']
    const input = fixture(parts[0]!).input
    input.namespaces = parts.map((p, i) => ({ ...fixture(p).input.namespaces[0]!, netns: `ns${i}` }))
    const r = runRules(input)
    const sev = r.findings.map((f) => ['info', 'warning', 'critical'].indexOf(f.severity))
    expect(sev).toEqual([...sev].sort((a, b) => b - a))
    expect(serious(r.findings)).toEqual(['CLOSE_WAIT_LEAK', 'EPHEMERAL_RANGE_NARROW', 'SYN_FLOOD', 'TIME_WAIT_PORT_EXHAUSTION', 'UNEXPECTED_LISTENER'])
    expect(rankFindings(r.findings)).toEqual(r.findings)
    expect(r.findings[0]!.severity).toBe('critical')
  })
})

describe('TCP_MEMORY_PRESSURE on a recorded host sample', () => {
  // tcp_mem is global: no namespace can be pushed into pressure without the host. The rule is
  // judged on a real sample of the initial namespace with tcp_mem moved around the memory used.
  const host = (): DiagnoseInput => fixture('host-idle').input
  const withMem = (mem: [number, number, number]): DiagnoseInput => {
    const input = host()
    input.namespaces[0]!.sysctls!.tcp.tcpMem = mem
    return input
  }

  it('idle host: no finding', () => {
    expect(runRules(host()).findings.filter((f) => f.code === 'TCP_MEMORY_PRESSURE')).toEqual([])
  })

  it('memory past tcp_mem[1] is a warning, past tcp_mem[2] critical; the numbers are the sample\'s', () => {
    const pages = host().namespaces[0]!.counters!.sockstat.memPages
    const w = one(runRules(withMem([1, Math.max(1, pages - 1), pages * 10])).findings, 'TCP_MEMORY_PRESSURE')
    expect(w.severity).toBe('warning')
    expect(w.evidence.memPages).toBe(pages)
    const c = one(runRules(withMem([1, 1, Math.max(1, pages - 1)])).findings, 'TCP_MEMORY_PRESSURE')
    expect(c.severity).toBe('critical')
  })

  it('TCPAbortOnMemory growing is critical even where tcp_mem cannot be read', () => {
    const input = host()
    const ns = input.namespaces[0]!
    ns.sysctlScope = 'runner'
    ns.counters!.second.TcpExtTCPAbortOnMemory = (ns.counters!.first!.TcpExtTCPAbortOnMemory ?? 0) + 3
    expect(one(runRules(input).findings, 'TCP_MEMORY_PRESSURE').severity).toBe('critical')
  })
})

describe('SYSCTL_RISK on recorded values', () => {
  it('syncookies off and tiny queues are warnings; lab retry counts only info; other namespaces are not judged', () => {
    const input = fixture('close-wait-leak-server').input
    const v = input.namespaces[0]!.sysctls!.values
    v['net.ipv4.tcp_syncookies'] = '0'
    v['net.core.somaxconn'] = '16'
    const f = one(runRules(input).findings, 'SYSCTL_RISK')
    expect(f.severity).toBe('warning')
    expect((f.evidence.items as { key: string; severity: string }[]).filter((i) => i.severity === 'warning').map((i) => i.key).sort()).toEqual(['net.core.somaxconn', 'net.ipv4.tcp_syncookies'])
    input.namespaces[0]!.sysctlScope = 'runner'
    expect(runRules(input).findings.map((x) => x.code)).not.toContain('SYSCTL_RISK')
  })
})

describe('text and topics', () => {
  it('every rule explains with a topic the knowledge base has', () => {
    for (const r of rules) {
      expect(topicExists(r.explain), r.code).toBe(true)
      expect(r.explain).toBe(FINDING_TOPICS[r.code])
    }
    expect(rules.map((r) => r.code).sort()).toEqual(Object.keys(FINDING_TOPICS).sort())
  })

  it('findings read in Chinese with the same numbers', () => {
    const zh = one(runRules(fixture('close-wait-leak-server').input, defaultConfig('zh')).findings, 'CLOSE_WAIT_LEAK')
    expect(zh.title).toMatch(/泄漏 CLOSE_WAIT: 100 个套接字/)
    expect(zh.fixes.join('')).toMatch(/close\(\)/)
    expect(zh.details.every((d) => !/\{\w+\}/.test(d))).toBe(true)
  })

  it('no finding text keeps an unfilled placeholder or an unknown message key', () => {
    for (const fx of fixtures.values())
      for (const f of runRules(fx.input).findings)
        for (const text of [f.title, f.summary, ...f.details, ...f.fixes]) {
          expect(text, `${f.code}: ${text}`).not.toMatch(/\{[a-zA-Z]+\}|^doctor\./)
        }
  })
})
