import { describe, expect, it } from 'vitest'
import { containerOf, readOwnerMap, readProcessDetails } from './owners.js'
import { tryNative } from './native.js'
import { createServer, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { readlinkSync, readdirSync } from 'node:fs'

describe('owners', () => {
  it.each([
    ['0::/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope', 'docker:0123456789ab'],
    ['/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'docker:0123456789ab'],
    ['/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899.scope', 'containerd:aabbccddeeff'],
    ['/machine.slice/libpod-ffeeddccbbaa00112233445566778899ffeeddccbbaa00112233445566778899.scope', 'podman:ffeeddccbbaa'],
    ['/kubepods/burstable/pod0f1e2d3c-aaaa-bbbb-cccc-000000000000/0123456789abcdef0123456789abcdef', 'k8s:0123456789ab'],
    ['/user.slice/user-0.slice/session-1.scope', undefined],
    ['/', undefined],
  ])('container of %s', (cg, want) => expect(containerOf(cg)).toBe(want))

  it('finds this process as the holder of its own listening socket (JS walk and native walk agree)', async () => {
    const server = createServer().listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const fd = (server as unknown as { _handle: { fd: number } })._handle.fd
      const inode = Number(/socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))![1])
      const map = readOwnerMap('/proc', [inode])
      expect(map.holders(inode)).toEqual([{ pid: process.pid, fd }])
      const d = readProcessDetails('/proc', process.pid)!
      expect(d.command).toBe('node')
      expect(d.cmdline).toContain('node')
      expect(readdirSync('/proc/self/fd').length).toBeGreaterThan(0)
      expect((server.address() as AddressInfo).port).toBeGreaterThan(0)
    } finally {
      server.close()
    }
  })
  it('the BPF task_file iterator and the /proc walk see the same socket fds (root)', async () => {
    const native = tryNative()
    if (!native || process.geteuid?.() !== 0) return expect(process.env.CI).not.toBe('true')
    const server = createServer().listen(0, '127.0.0.1')
    await once(server, 'listening')
    try {
      const key = (e: Buffer, pid: number): string[] => {
        const out: string[] = []
        for (let o = 0; o + 16 <= e.length; o += 16) if (e.readUInt32LE(o) === pid) out.push(`${e.readUInt32LE(o + 4)}/${e.readBigUInt64LE(o + 8)}`)
        return out.sort()
      }
      const viaWalk = key(native.fdWalk('/proc', 2, null).entries, process.pid)
      let bpf: Buffer
      try {
        bpf = native.fdIterBpf().entries
      } catch (err) {
        // A kernel without BTF or BPF iterators: the contract is the fallback, so check that.
        console.warn(`bpf task_file iterator unavailable here (${(err as Error).message}); checking the fallback`)
        expect(['ENOENT', 'EINVAL', 'EPERM', 'EOPNOTSUPP', 'E_UNKNOWN']).toContain((err as { code?: string }).code)
        expect(readOwnerMap('/proc').via).toBe('native')
        return
      }
      const viaBpf = key(bpf, process.pid)
      expect(viaBpf.length).toBeGreaterThan(0)
      expect(viaBpf).toEqual(viaWalk)
      expect(readOwnerMap('/proc').via).toBe('bpf')
    } finally {
      server.close()
    }
  })
  it('returns undefined for a process that is gone', () => {
    expect(readProcessDetails('/proc', 2 ** 22 + 12345)).toBeUndefined()
  })
})
