import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { applySysctls } from './apply.js'
import { parseKernelVersion } from './kernel-version.js'
import { MARK, revertPersist, writePersist } from './persist.js'
import { makeProcRoot, tmpDir } from './fixture.test-helper.js'
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
  it('marks what it writes; a user file is backed up once, restored, and never deleted (revert twice)', () => {
    const dir = tmpDir('tdpersist-')
    const file = join(dir, '90-tcpdoctor.conf')
    writeFileSync(file, 'a = 1\n') // the user's own file of that name
    expect(writePersist(dir, 'a = 2\n')).toEqual({ file, backup: `${file}.bak` })
    expect(readFileSync(file, 'utf8')).toBe(`${MARK}\na = 2\n`)
    writePersist(dir, 'a = 3\n') // a second write keeps the user's backup
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('a = 1\n')
    expect(revertPersist(dir).action).toBe('restored')
    expect(readFileSync(file, 'utf8')).toBe('a = 1\n')
    expect(revertPersist(dir).action).toBe('not-ours')
    expect(readFileSync(file, 'utf8')).toBe('a = 1\n')
  })

  it('removes a file it wrote when there was none before, and then has nothing to do', () => {
    const dir = tmpDir('tdpersist-')
    expect(writePersist(dir, 'a = 1\n')).toEqual({ file: join(dir, '90-tcpdoctor.conf') })
    expect(revertPersist(dir).action).toBe('removed')
    expect(existsSync(join(dir, '90-tcpdoctor.conf'))).toBe(false)
    expect(revertPersist(dir).action).toBe('nothing')
  })

  it('refuses to overwrite a user file when a backup already exists', () => {
    const dir = tmpDir('tdpersist-')
    writeFileSync(join(dir, '90-tcpdoctor.conf'), 'mine\n')
    writeFileSync(join(dir, '90-tcpdoctor.conf.bak'), 'older\n')
    expect(() => writePersist(dir, 'a = 1\n')).toThrow(/not written by tcpdoctor/)
    expect(readFileSync(join(dir, '90-tcpdoctor.conf'), 'utf8')).toBe('mine\n')
  })

  it('parses sysctl.conf the way sysctl does', () => {
    const dir = tmpDir('tdconf-')
    writeFileSync(join(dir, 'x.conf'), '')
    expect(parseSysctlConf('# c\n; c\n net.ipv4.tcp_fin_timeout = 30 \n-net/ipv4/ip_local_port_range=1024   65535\nbogus\n', 'f')).toEqual([
      { file: 'f', line: 3, key: 'net.ipv4.tcp_fin_timeout', value: '30' },
      { file: 'f', line: 4, key: 'net.ipv4.ip_local_port_range', value: '1024 65535' },
    ])
  })
})
