import { describe, expect, it } from 'vitest'
import { auditSysctls } from './gather.js'
import type { ProfileName } from './types.js'
import { makeProcRoot, makeSysctlDir } from './fixture.test-helper.js'

function audit(values: Record<string, string | undefined>, opts: { kernel?: string; profile?: ProfileName; conf?: Record<string, string> } = {}) {
  return auditSysctls({ profile: opts.profile ?? 'default', procRoot: makeProcRoot(values), sysctlDir: makeSysctlDir(opts.conf ?? {}), kernelRelease: opts.kernel ?? '6.18.0' })
}
const codes = (a: ReturnType<typeof audit>) => a.findings.map((f) => `${f.code}:${f.key}`)

describe('tune audit', () => {
  it('finds nothing on a 6.x kernel at its defaults', () => {
    const a = audit({})
    expect(a.findings).toEqual([])
    expect(a.recommendations).toEqual([])
  })

  it('reports tcp_tw_recycle left in a config file as removed since 4.12', () => {
    const a = audit({}, { conf: { '99-old.conf': '# from a blog\nnet.ipv4.tcp_tw_recycle = 1\nnet.ipv4.tcp_fin_timeout=30\n' } })
    const f = a.findings.find((x) => x.code === 'REMOVED_KEY')!
    expect(f.key).toBe('net.ipv4.tcp_tw_recycle')
    expect(f.where).toMatch(/99-old\.conf:2$/)
    expect(f.vars.version).toBe('4.12')
  })

  it('reports a live tcp_tw_recycle=1 on an old kernel as critical', () => {
    const a = audit({ 'net.ipv4.tcp_tw_recycle': '1', 'net.ipv4.tcp_tw_reuse': '0' }, { kernel: '4.9.0-amd64' })
    expect(a.findings[0]).toMatchObject({ code: 'REMOVED_KEY', severity: 'critical', key: 'net.ipv4.tcp_tw_recycle' })
  })

  it('knows no-op keys and changed defaults by kernel version', () => {
    const a = audit({ 'net.ipv4.tcp_fack': '1', 'net.ipv4.tcp_tw_reuse': '1', 'net.core.somaxconn': '128' }, { kernel: '5.15.0' })
    expect(codes(a)).toEqual(expect.arrayContaining(['NO_EFFECT:net.ipv4.tcp_fack', 'DEFAULT_CHANGED:net.ipv4.tcp_tw_reuse', 'DEFAULT_CHANGED:net.core.somaxconn']))
    expect(a.findings.find((f) => f.key === 'net.core.somaxconn')!.message).toBe('tune.f.olddefault')
    // On 4.19, 128 was still the default: no finding.
    const old = audit({ 'net.core.somaxconn': '128', 'net.ipv4.tcp_tw_reuse': '2' }, { kernel: '4.19.0' })
    expect(codes(old)).not.toContain('DEFAULT_CHANGED:net.core.somaxconn')
  })

  it('flags lowered tw_buckets and orphans, syncookies off, fin_timeout, narrow ranges', () => {
    const a = audit({
      'net.ipv4.tcp_max_tw_buckets': '5000', 'net.ipv4.tcp_max_orphans': '1000', 'net.ipv4.tcp_syncookies': '0',
      'net.ipv4.tcp_fin_timeout': '30', 'net.ipv4.ip_local_port_range': '50000\t60000',
    })
    expect(codes(a)).toEqual(expect.arrayContaining([
      'RISKY_VALUE:net.ipv4.tcp_max_tw_buckets', 'RISKY_VALUE:net.ipv4.tcp_max_orphans', 'RISKY_VALUE:net.ipv4.tcp_syncookies',
      'RISKY_VALUE:net.ipv4.tcp_fin_timeout', 'RISKY_VALUE:net.ipv4.ip_local_port_range',
    ]))
    const fin = a.findings.find((f) => f.key === 'net.ipv4.tcp_fin_timeout')!
    expect(fin.severity).toBe('info')
    expect(fin.message).toBe('tune.f.fintimeout')
    expect(a.findings.find((f) => f.key === 'net.ipv4.tcp_max_tw_buckets')!.recommended).toBe('131072')
    expect(audit({ 'net.ipv4.tcp_fin_timeout': '3' }).findings[0]).toMatchObject({ severity: 'warning', message: 'tune.f.fintimeout.low' })
  })

  it('finds contradictions', () => {
    const a = audit({ 'net.ipv4.tcp_tw_reuse': '1', 'net.ipv4.tcp_timestamps': '0', 'net.ipv4.tcp_window_scaling': '0', 'net.ipv4.tcp_keepalive_intvl': '9000' })
    expect(codes(a)).toEqual(expect.arrayContaining(['CONTRADICTION:net.ipv4.tcp_tw_reuse', 'CONTRADICTION:net.ipv4.tcp_window_scaling', 'CONTRADICTION:net.ipv4.tcp_keepalive_intvl']))
  })

  it('finds keys set differently in two files, and keys this kernel does not have', () => {
    const a = audit({}, { conf: { '10-a.conf': 'net.ipv4.tcp_keepalive_time = 600\n', '20-b.conf': 'net.ipv4.tcp_keepalive_time = 300\nnet.ipv4.tcp_no_such_thing = 1\n' } })
    expect(codes(a)).toEqual(expect.arrayContaining(['CONFIG_CONFLICT:net.ipv4.tcp_keepalive_time', 'UNKNOWN_KEY:net.ipv4.tcp_no_such_thing']))
    expect(a.findings.find((f) => f.code === 'CONFIG_CONFLICT')!.vars.value).toBe('300')
  })

  it('recommends per profile, only where the live value falls short', () => {
    const server = audit({}, { profile: 'server' })
    expect(server.recommendations.map((r) => `${r.key}=${r.value}`)).toEqual([
      'net.ipv4.tcp_max_syn_backlog=4096', 'net.ipv4.tcp_keepalive_time=600', 'net.ipv4.tcp_keepalive_intvl=30', 'net.ipv4.tcp_keepalive_probes=5',
    ])
    expect(server.findings.find((f) => f.key === 'net.ipv4.tcp_keepalive_time')!.vars.detect).toBe('2 h 11 min')
    const loadgen = audit({}, { profile: 'loadgen' })
    expect(loadgen.recommendations.map((r) => `${r.key}=${r.value}`)).toEqual(['net.ipv4.ip_local_port_range=1024 65535', 'net.ipv4.tcp_tw_reuse=1'])
    const satisfied = audit({ 'net.ipv4.ip_local_port_range': '1024\t65535', 'net.ipv4.tcp_tw_reuse': '1' }, { profile: 'loadgen' })
    expect(satisfied.recommendations).toEqual([])
    expect(codes(satisfied)).not.toContain('DEFAULT_CHANGED:net.ipv4.tcp_tw_reuse')
  })

  it('the default profile recommends this kernel\'s defaults, never memory-sized keys', () => {
    const a = audit({ 'net.ipv4.tcp_keepalive_time': '60', 'net.ipv4.tcp_congestion_control': 'bbr' })
    expect(a.recommendations.map((r) => `${r.key}=${r.value}`)).toEqual(['net.ipv4.tcp_keepalive_time=7200'])
  })
})
