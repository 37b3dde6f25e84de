/**
 * `tcpdoctor tune` end to end. Read-only runs on this host; every write happens inside a
 * private network namespace (net.ipv4.* and net.core.somaxconn are per namespace, so the host is
 * never touched) and is checked with sysctl(8) in that namespace; persist/revert use a temporary
 * --sysctl-dir. Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns } from '../helpers/netns.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', NO_COLOR: '1' }
const made: string[] = []
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), p))
  made.push(d)
  return d
}
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true })
})

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'tune', ...args], { encoding: 'utf8', env })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('tcpdoctor tune (read only)', () => {
  it('audits this host and changes nothing', () => {
    const before = readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8')
    const r = run(['--json', '--profile', 'server', '--sysctl-dir', tmp('tdsd-')])
    expect([0, 1]).toContain(r.code)
    const doc = JSON.parse(r.out)
    expect(doc.kernel).toMatch(/^\d+\.\d+/)
    expect(doc.dryRun).toBe(true)
    expect(doc.sysctls['net.ipv4.tcp_fin_timeout'].value).toBe(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8').trim())
    expect(doc.fragment).toMatch(/^# Written by tcpdoctor tune/)
    expect(readFileSync('/proc/sys/net/ipv4/tcp_keepalive_time', 'utf8')).toBe(before)
  })

  it('reports tcp_tw_recycle in a sysctl.d file as removed, with file and line', () => {
    const dir = tmp('tdsd-')
    writeFileSync(join(dir, '50-blog.conf'), 'net.ipv4.tcp_syncookies = 1\nnet.ipv4.tcp_tw_recycle = 1\n')
    const doc = JSON.parse(run(['--json', '--sysctl-dir', dir]).out)
    const f = doc.findings.find((x: { code: string }) => x.code === 'REMOVED_KEY')
    expect(f).toMatchObject({ key: 'net.ipv4.tcp_tw_recycle', where: `${join(dir, '50-blog.conf')}:2`, explain: 'tcp_tw_recycle' })
    expect(f.message).toMatch(/4\.12/)
    const human = run(['--sysctl-dir', dir, '--fragment', '--lang', 'zh'])
    expect(human.code).toBe(1)
    expect(human.out).toMatch(/已在\s*Linux\s*4\.12\s*删除/) // wherever the line wraps
    expect(human.out).toContain('tcpdoctor explain tcp_tw_recycle')
  })

  it('prints a commented sysctl.d fragment for a profile', () => {
    const r = run(['--profile', 'loadgen', '--fragment', '--sysctl-dir', tmp('tdsd-')])
    expect(r.out).toMatch(/^# .*explain ip_local_port_range/m)
    expect(r.out).toMatch(/^net\.ipv4\.ip_local_port_range = 1024 65535$/m)
  })

  it('rejects bad profiles and refuses removed keys', () => {
    expect(run(['--profile', 'gamer']).code).toBe(2)
    const r = run(['--apply', '--only', 'tcp_tw_recycle', '--json', '--proc-root', tmp('tdproc-'), '--sysctl-dir', tmp('tdsd-')])
    expect(r.code).toBe(2)
  })
})

const skip = need(['root'], ['netns'], ['tool', 'sysctl'])

describe.skipIf(skip)('tcpdoctor tune --apply in a private network namespace', () => {
  let ns = ''
  const sysctl = (key: string): string => execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-n', key], { encoding: 'utf8' }).trim().split(/\s+/).join(' ')
  const hostValue = (key: string): string => readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim().split(/\s+/).join(' ')
  function inNs(args: string[]) {
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'tune', ...args], { encoding: 'utf8', env })
    return { code: r.status, out: r.stdout, err: r.stderr }
  }
  beforeAll(() => {
    ns = makeNetns('tdtune')
  })
  afterAll(() => dropNetns(ns))

  it('changes nothing without --apply', () => {
    const dir = tmp('tdsd-')
    const r = inNs(['--profile', 'loadgen', '--persist', '--sysctl-dir', dir])
    expect(r.out).toContain('would write')
    expect(sysctl('net.ipv4.ip_local_port_range')).toBe('32768 60999')
    expect(existsSync(join(dir, '90-tcpdoctor.conf'))).toBe(false)
  })

  it('writes the profile values, prints before and after, and leaves the host alone', () => {
    const hostRange = hostValue('net.ipv4.ip_local_port_range')
    const hostReuse = hostValue('net.ipv4.tcp_tw_reuse')
    const r = inNs(['--profile', 'loadgen', '--apply', '--sysctl-dir', tmp('tdsd-')])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toMatch(/net\.ipv4\.ip_local_port_range\s+32768 60999\s+1024 65535/)
    expect(r.out).toMatch(/net\.ipv4\.tcp_tw_reuse\s+2\s+1/)
    expect(sysctl('net.ipv4.ip_local_port_range')).toBe('1024 65535')
    expect(sysctl('net.ipv4.tcp_tw_reuse')).toBe('1')
    expect(hostValue('net.ipv4.ip_local_port_range')).toBe(hostRange)
    expect(hostValue('net.ipv4.tcp_tw_reuse')).toBe(hostReuse)
    // Applied: a second audit has nothing left to recommend.
    const again = JSON.parse(inNs(['--profile', 'loadgen', '--json', '--sysctl-dir', tmp('tdsd-')]).out)
    expect(again.recommendations).toEqual([])
  })

  it('writes only --only keys, and only keys the profile recommends', () => {
    const r = inNs(['--profile', 'server', '--apply', '--only', 'tcp_keepalive_time', '--json', '--sysctl-dir', tmp('tdsd-')])
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out).applied).toEqual([{ key: 'net.ipv4.tcp_keepalive_time', before: '7200', after: '600' }])
    expect(sysctl('net.ipv4.tcp_keepalive_time')).toBe('600')
    expect(sysctl('net.ipv4.tcp_keepalive_intvl')).toBe('75')
    expect(inNs(['--profile', 'server', '--apply', '--only', 'tcp_fin_timeout', '--sysctl-dir', tmp('tdsd-')]).code).toBe(2)
    const refused = inNs(['--profile', 'server', '--apply', '--only', 'net.ipv4.tcp_tw_recycle', '--json', '--sysctl-dir', tmp('tdsd-')])
    expect(refused.code).toBe(2)
    expect(JSON.parse(refused.out).error).toMatchObject({ code: 'TD_INVALID_ARGUMENT' })
    expect(JSON.parse(refused.out).error.message).toMatch(/4\.12/)
  })

  it('reads global keys from the initial namespace and says so', () => {
    const doc = JSON.parse(inNs(['--json', '--sysctl-dir', tmp('tdsd-')]).out)
    expect(doc.childNetns).toBe(true)
    expect(doc.sysctls['net.ipv4.tcp_mem']).toEqual({ value: hostValue('net.ipv4.tcp_mem'), from: 'initial' })
    expect(doc.sysctls['net.ipv4.tcp_max_orphans']).toEqual({ value: hostValue('net.ipv4.tcp_max_orphans'), from: 'initial' })
    expect(doc.findings.filter((f: { code: string }) => f.code === 'GLOBAL_KEY').map((f: { key: string }) => f.key)).toEqual(['net.ipv4.tcp_max_orphans', 'net.ipv4.tcp_mem'])
    const human = inNs(['--sysctl-dir', tmp('tdsd-')])
    expect(human.out).toContain('not in the initial network namespace')
  })

  it('persists with a backup and reverts', () => {
    const dir = tmp('tdsd-')
    const file = join(dir, '90-tcpdoctor.conf')
    writeFileSync(file, '# an older file\nnet.ipv4.tcp_keepalive_time = 900\n')
    const r = inNs(['--profile', 'client', '--apply', '--persist', '--sysctl-dir', dir])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain(`wrote ${file}`)
    expect(readFileSync(file, 'utf8')).toMatch(/^net\.ipv4\.tcp_keepalive_time = 300$/m)
    expect(readFileSync(`${file}.bak`, 'utf8')).toContain('an older file')
    // The file is what sysctl --system would load: sysctl -p accepts it.
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-p', file])
    expect(sysctl('net.ipv4.tcp_keepalive_time')).toBe('300')
    // --revert without --apply only says what it would do.
    expect(inNs(['--revert', '--sysctl-dir', dir]).out).toContain('would revert')
    expect(existsSync(`${file}.bak`)).toBe(true)
    const rev = inNs(['--revert', '--apply', '--sysctl-dir', dir])
    expect(rev.code).toBe(0)
    expect(readFileSync(file, 'utf8')).toContain('an older file')
    expect(existsSync(`${file}.bak`)).toBe(false)
    // Reverting twice must not delete the user's own file (it has no tcpdoctor mark).
    const again = inNs(['--revert', '--apply', '--sysctl-dir', dir])
    expect(again.code).toBe(0)
    expect(again.out).toContain('was not written by tcpdoctor')
    expect(readFileSync(file, 'utf8')).toBe('# an older file\nnet.ipv4.tcp_keepalive_time = 900\n')
  })

  it('a file it wrote itself (no earlier one) is removed by revert, once', () => {
    const dir = tmp('tdsd-')
    const file = join(dir, '90-tcpdoctor.conf')
    expect(inNs(['--profile', 'client', '--apply', '--persist', '--sysctl-dir', dir]).code).toBe(0)
    expect(readFileSync(file, 'utf8')).toMatch(/^# tcpdoctor-managed/)
    expect(JSON.parse(inNs(['--revert', '--apply', '--json', '--sysctl-dir', dir]).out).revert.action).toBe('removed')
    expect(existsSync(file)).toBe(false)
    expect(JSON.parse(inNs(['--revert', '--apply', '--json', '--sysctl-dir', dir]).out).revert.action).toBe('nothing')
  })

  it('--netns NAME audits the namespace from outside and --apply writes there, not the host', () => {
    if (need(['native'])) return
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=7', 'net.ipv4.tcp_keepalive_intvl=75'])
    const hostFin = hostValue('net.ipv4.tcp_fin_timeout')
    const outside = JSON.parse(run(['--netns', ns, '--json', '--profile', 'server', '--sysctl-dir', tmp('tdsd-')]).out)
    const inside = JSON.parse(inNs(['--json', '--profile', 'server', '--sysctl-dir', tmp('tdsd-')]).out)
    expect(outside.netns).toBe(ns)
    expect(outside.sysctls['net.ipv4.tcp_fin_timeout']).toEqual({ value: '7', from: 'netns' })
    expect(outside.sysctls).toEqual(inside.sysctls)
    expect(outside.findings.map((f: { code: string; key: string }) => `${f.code} ${f.key}`)).toEqual(inside.findings.map((f: { code: string; key: string }) => `${f.code} ${f.key}`))
    expect(outside.findings.some((f: { key: string }) => f.key === 'net.ipv4.tcp_fin_timeout')).toBe(true)
    const applied = run(['--netns', ns, '--profile', 'server', '--apply', '--only', 'tcp_keepalive_intvl', '--json', '--sysctl-dir', tmp('tdsd-')])
    expect(applied.code, applied.err).toBe(0)
    expect(JSON.parse(applied.out).applied).toEqual([{ key: 'net.ipv4.tcp_keepalive_intvl', before: '75', after: '30' }])
    expect(sysctl('net.ipv4.tcp_keepalive_intvl')).toBe('30')
    expect(hostValue('net.ipv4.tcp_keepalive_intvl')).not.toBe('30')
    expect(hostValue('net.ipv4.tcp_fin_timeout')).toBe(hostFin)
    // --persist writes the host's sysctl.d, which a namespace does not load.
    expect(JSON.parse(run(['--netns', ns, '--apply', '--persist', '--json', '--sysctl-dir', tmp('tdsd-')]).out).error.code).toBe('TD_USAGE')
    expect(JSON.parse(run(['--netns', 'all', '--json']).out).error.code).toBe('TD_USAGE')
  })

  it('--from SNAPSHOT audits the sysctls recorded in it; --apply with it is TD_USAGE', () => {
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=9'])
    const file = join(tmp('tdsnap-'), 'snap.json')
    execFileSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'snapshot', '--interval', '0', '-o', file], { env })
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=60'])
    const r = run(['--from', file, '--json'])
    expect([0, 1]).toContain(r.code)
    const doc = JSON.parse(r.out)
    expect(doc.from).toBe(file)
    expect(doc.sysctls['net.ipv4.tcp_fin_timeout']).toEqual({ value: '9', from: 'netns' })
    expect(doc.findings.some((f: { key: string }) => f.key === 'net.ipv4.tcp_fin_timeout')).toBe(true)
    expect(JSON.parse(run(['--from', file, '--apply', '--json']).out).error.code).toBe('TD_USAGE')
  })
})

describe('tcpdoctor tune reads something or says it could not', () => {
  it('--proc-root /nonexistent is an error, not "No findings"', () => {
    const r = run(['--proc-root', '/nonexistent', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.out).error.code).toBe('TD_NOT_FOUND')
    const human = run(['--proc-root', '/nonexistent'])
    expect(human.code).toBe(2)
    expect(human.out + human.err).not.toMatch(/No findings/i)
  })
})
