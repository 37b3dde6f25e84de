/**
 * `dns` against dig and getent on a namespace chain with dnsmasq on the server (10.9.3.2) and
 * a second nameserver address that drops DNS (10.9.3.3: timeouts). The client's /etc/hosts
 * (bound by ip netns exec from /etc/netns/NS/) holds a wrong entry for www.test. Per name:
 * each server's status and answers equal dig's, the application view equals getent ahosts,
 * and the explanations name the cause. Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { buildTopology, type Topology } from '../helpers/topology.js'

const skip = need(['root'], ['netns'], ['tool', 'dnsmasq'], ['tool', 'dig'], ['tool', 'getent'], ['tool', 'python3'], ['tool', 'nft'])
const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

describe.skipIf(skip)('dns: getaddrinfo and each nameserver, dig and getent as oracles', () => {
  let topo: Topology
  beforeAll(() => {
    topo = buildTopology({
      dns: {
        hosts: '10.9.3.2 www.test\n10.9.3.7 target.test\nfd09:3::7 target.test\n',
        records: ['--cname=alias.test,mid.test', '--cname=mid.test,target.test'],
        clientHosts: '127.0.0.1 localhost\n10.9.9.9 www.test\n',
        secondHosts: '10.9.3.99 www.test\n10.9.3.7 target.test\n',
      },
    })
  })
  afterAll(() => topo?.destroy())

  const td = (args: string[]): { json: any; status: number; stdout: string; stderr: string } => {
    const r = topo.exec(topo.ns.client, process.execPath, [BIN, 'dns', '--json', '-W', '1', ...args], { allowFail: true, timeout: 30_000 })
    return { ...r, json: JSON.parse(r.stdout) }
  }
  const dig = (server: string, name: string, type: string): { status: string; answers: string[]; cname: string[] } => {
    const out = topo.exec(topo.ns.client, 'dig', [`@${server}`, name, type, '+time=1', '+tries=1', '+noedns'], { allowFail: true }).stdout
    const status = /status: (\w+)/.exec(out)?.[1] ?? (/timed out|no servers could be reached/.test(out) ? 'TIMEOUT' : 'UNKNOWN')
    const lines = out.split('\n').filter((l) => !l.startsWith(';') && l.trim())
    return {
      status,
      answers: lines.filter((l) => l.split(/\s+/)[3] === type).map((l) => l.split(/\s+/)[4]!).sort(),
      cname: lines.filter((l) => l.split(/\s+/)[3] === 'CNAME').map((l) => l.split(/\s+/)[4]!.replace(/\.$/, '')),
    }
  }
  const getent = (name: string): string[] =>
    [...new Set(topo.exec(topo.ns.client, 'getent', ['ahosts', name], { allowFail: true }).stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]!))].sort()

  function agreesWithOracles(name: string, json: any): void {
    expect(json.app.addresses, 'application view = getent ahosts').toEqual(getent(name))
    for (const a of json.servers) {
      const d = dig(a.server, name, a.type)
      const ours = a.status === 'NODATA' ? 'NOERROR' : a.status === 'TIMEOUT' ? 'TIMEOUT' : a.rcode
      expect(ours, `${a.server} ${a.type}`).toBe(d.status)
      expect(a.addresses, `${a.server} ${a.type}`).toEqual(d.answers)
      if (a.rcode === 'NOERROR') expect(a.cname).toEqual(d.cname)
    }
  }

  it('a wrong /etc/hosts entry: the application gets it, DNS says otherwise, and the report says why', () => {
    const r = td(['www.test'])
    agreesWithOracles('www.test', r.json)
    expect(r.json.app.addresses).toEqual(['10.9.9.9'])
    expect(r.json.hosts[0]).toMatchObject({ file: '/etc/hosts', line: 2, address: '10.9.9.9' })
    const override = r.json.findings.find((f: any) => f.code === 'HOSTS_OVERRIDE')
    expect(override.vars.dns).toBe('10.9.3.2')
    expect(r.json.explanations.join('\n')).toMatch(/\/etc\/hosts \(line 2\).*nslookup and dig skip \/etc\/hosts/)
    expect(r.status).toBe(1)
  })

  it('a CNAME chain in order, A and AAAA, timings; the dropping server is a timeout', () => {
    const r = td(['alias.test'])
    agreesWithOracles('alias.test', r.json)
    const a = r.json.servers.find((s: any) => s.server === '10.9.3.2' && s.type === 'A')
    expect(a.cname).toEqual(['mid.test', 'target.test'])
    expect(a.addresses).toEqual(['10.9.3.7'])
    expect(a.ms).toBeGreaterThan(0)
    expect(r.json.servers.find((s: any) => s.server === '10.9.3.2' && s.type === 'AAAA').addresses).toEqual(['fd09:3::7'])
    expect(r.json.servers.filter((s: any) => s.server === '10.9.3.3').map((s: any) => s.status)).toEqual(['TIMEOUT', 'TIMEOUT'])
    expect(r.json.explanations.join('\n')).toMatch(/10\.9\.3\.3: timeout/)
  })

  it('NXDOMAIN, and a name the server will not resolve (dnsmasq with no upstream), as dig sees them', () => {
    const nx = td(['--server', '10.9.3.2', 'nope.test'])
    agreesWithOracles('nope.test', nx.json)
    expect(nx.json.servers[0].status).toBe('NXDOMAIN')
    expect(nx.json.explanations[0]).toMatch(/NXDOMAIN/)
    expect(nx.status).toBe(1)
    const broken = td(['--server', '10.9.3.2', '-4', 'outside.example'])
    const d = dig('10.9.3.2', 'outside.example', 'A')
    expect(broken.json.servers[0].rcode ?? 'TIMEOUT').toBe(d.status)
    expect(['SERVFAIL', 'REFUSED']).toContain(d.status)
    expect(broken.json.explanations.join('\n')).toMatch(new RegExp(d.status))
  })

  it('two nameservers that disagree: each answer as dig sees it, and the disagreement named', () => {
    const r = td(['--server', '10.9.3.2', '--server', '10.9.3.2:5353', '-4', 'www.test'])
    expect(r.json.servers.map((s: any) => s.addresses)).toEqual([['10.9.3.2'], ['10.9.3.99']])
    const d2 = topo.exec(topo.ns.client, 'dig', ['@10.9.3.2', '-p', '5353', '+short', 'www.test', 'A']).stdout.trim()
    expect(d2).toBe('10.9.3.99')
    expect(r.json.findings.map((f: any) => f.code)).toContain('SERVERS_DISAGREE')
    expect(r.json.explanations.join('\n')).toMatch(/nameservers disagree: 10\.9\.3\.2 A 10\.9\.3\.2; 10\.9\.3\.2:5353 A 10\.9\.3\.99/)
  })

  it('all sources agreeing is exit 0; bad input is a coded error', () => {
    const ok = td(['--server', '10.9.3.2', '-4', 'target.test'])
    expect(ok.json.ok).toBe(true)
    expect(ok.status).toBe(0)
    for (const [args, code] of [
      [['a..b'], 'TD_INVALID_ARGUMENT'],
      [['x'.repeat(64) + '.test'], 'TD_INVALID_ARGUMENT'],
      [['--server', 'not-an-ip', 'www.test'], 'TD_INVALID_ARGUMENT'],
      [['--server', '10.9.3.2:70000', 'www.test'], 'TD_INVALID_ARGUMENT'],
      [['--server', '10.9.3.2:0', 'www.test'], 'TD_INVALID_ARGUMENT'],
      [['10.9.3.2'], 'TD_INVALID_ARGUMENT'],
      [[], 'TD_USAGE'],
    ] as const) {
      const r = td([...args])
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.json.error.code, args.join(' ')).toBe(code)
    }
  })
})
