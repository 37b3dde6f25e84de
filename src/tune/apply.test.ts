import { describe, expect, it } from 'vitest'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applySysctls } from './apply.js'
import { parseKernelVersion } from './kernel-version.js'
import { revertPersist, writePersist } from './persist.js'
import { makeProcRoot } from './fixture.test-helper.js'
import { parseSysctlConf } from './read.js'

const kernel = parseKernelVersion('6.18.44-fc-v782')

describe('applySysctls on a fixture root', () => {
  it('writes, reads back, and reports before and after', () => {
    const root = makeProcRoot()
    const out = applySysctls([{ key: 'net.ipv4.ip_local_port_range', value: '1024 65535' }, { key: 'net.ipv4.tcp_tw_reuse', value: '1' }], { procRoot: root, kernel, childNetns: false })
    expect(out).toEqual([
      { key: 'net.ipv4.ip_local_port_range', before: '32768 60999', after: '1024 65535' },
      { key: 'net.ipv4.tcp_tw_reuse', before: '2', after: '1' },
    ])
    expect(readFileSync(join(root, 'sys/net/ipv4/ip_local_port_range'), 'utf8')).toBe('1024\t65535\n')
  })

  it('refuses removed keys before writing anything', () => {
    const root = makeProcRoot()
    expect(() => applySysctls([{ key: 'net.ipv4.tcp_tw_reuse', value: '1' }, { key: 'net.ipv4.tcp_tw_recycle', value: '1' }], { procRoot: root, kernel, childNetns: false })).toThrow(/removed in Linux 4\.12/)
    expect(readFileSync(join(root, 'sys/net/ipv4/tcp_tw_reuse'), 'utf8')).toBe('2\n')
  })

  it('skips keys that do not exist here', () => {
    const root = makeProcRoot({ 'net.ipv4.tcp_max_orphans': undefined })
    expect(applySysctls([{ key: 'net.ipv4.tcp_max_orphans', value: '262144' }], { procRoot: root, kernel, childNetns: true })).toEqual([{ key: 'net.ipv4.tcp_max_orphans', skipped: 'global' }])
  })
})

describe('persist and revert', () => {
  it('keeps a backup of the previous file and restores it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdpersist-'))
    expect(writePersist(dir, 'a = 1\n')).toEqual({ file: join(dir, '90-tcpdoctor.conf') })
    expect(writePersist(dir, 'a = 2\n').backup).toBe(join(dir, '90-tcpdoctor.conf.bak'))
    expect(readFileSync(join(dir, '90-tcpdoctor.conf'), 'utf8')).toBe('a = 2\n')
    expect(revertPersist(dir).action).toBe('restored')
    expect(readFileSync(join(dir, '90-tcpdoctor.conf'), 'utf8')).toBe('a = 1\n')
    expect(revertPersist(dir).action).toBe('removed')
    expect(existsSync(join(dir, '90-tcpdoctor.conf'))).toBe(false)
    expect(revertPersist(dir).action).toBe('nothing')
  })

  it('parses sysctl.conf the way sysctl does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tdconf-'))
    writeFileSync(join(dir, 'x.conf'), '')
    expect(parseSysctlConf('# c\n; c\n net.ipv4.tcp_fin_timeout = 30 \n-net/ipv4/ip_local_port_range=1024   65535\nbogus\n', 'f')).toEqual([
      { file: 'f', line: 3, key: 'net.ipv4.tcp_fin_timeout', value: '30' },
      { file: 'f', line: 4, key: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
    ])
  })
})
