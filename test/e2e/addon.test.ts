/**
 * The addon hardened (issue 9, item 2), each defect with the test that shows it: netlink replies
 * with impossible lengths (a huge nlmsg_len used to wrap NLMSG_ALIGN to 0 and loop forever), a
 * bytecode longer than the 16-bit rta_len, fds across 1,000 calls (none leaked, all CLOEXEC),
 * reads inside a namespace that leave the calling thread where it was, and the BPF iterator
 * inside a pid namespace (`unshare -p -f --mount-proc`): `who :PORT` and the iterator itself name
 * the pid as seen there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync, spawn } from 'node:child_process'
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns } from '../helpers/netns.js'
import { tryNative, type Native } from '../../src/kernel/native.js'
import { AF_INET, IPPROTO_TCP } from '../../src/kernel/sock-diag/constants.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const noNative = need(['native'])
const native = (): Native => tryNative()!

const EPROTO = -71

function nlmsg(len: number, type: number, bodyBytes = 0): Buffer {
  const b = Buffer.alloc(16 + bodyBytes)
  b.writeUInt32LE(len >>> 0, 0)
  b.writeUInt16LE(type, 4)
  return b
}

function openFds(): string[] {
  return readdirSync('/proc/self/fd')
}

describe.skipIf(noNative)('netlink end-of-dump scan: bad lengths are errors, never a loop', () => {
  it('a huge nlmsg_len (0xffffffff: NLMSG_ALIGN wraps to 0 in 32 bits) is EPROTO', () => {
    expect(native().nlScan(nlmsg(0xffffffff, 20))).toBe(EPROTO)
    expect(native().nlScan(nlmsg(0xfffffffd, 20))).toBe(EPROTO)
  })

  it('a length shorter than the header, or past the end of the buffer, is EPROTO', () => {
    expect(native().nlScan(nlmsg(0, 20))).toBe(EPROTO)
    expect(native().nlScan(nlmsg(15, 20))).toBe(EPROTO)
    expect(native().nlScan(nlmsg(64, 20, 16))).toBe(EPROTO)
  })

  it('well-formed messages: DONE is seen after a socket message; a partial dump is 0', () => {
    const msgs = Buffer.concat([nlmsg(20, 20, 4), nlmsg(16, 3 /* NLMSG_DONE */)])
    expect(native().nlScan(msgs)).toBe(1)
    expect(native().nlScan(nlmsg(20, 20, 4))).toBe(0)
    expect(native().nlScan(Buffer.alloc(0))).toBe(0)
  })

  it('any bytes give 1, 0 or EPROTO (and return)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect([1, 0, EPROTO]).toContain(native().nlScan(Buffer.from(bytes)))
      }),
      { numRuns: 2000 },
    )
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffff })), { maxLength: 8 }), (hdrs) => {
        const buf = Buffer.concat(hdrs.map(([len, type]) => nlmsg(len, type)))
        expect([1, 0, EPROTO]).toContain(native().nlScan(buf))
      }),
      { numRuns: 2000 },
    )
  })
})

describe.skipIf(noNative)('sock_diag request', () => {
  it('a bytecode longer than the 16-bit rta_len allows is EMSGSIZE, not a wrapped length', () => {
    let err: (Error & { code?: string }) | undefined
    try {
      native().diagOpen(null, AF_INET, IPPROTO_TCP, 0xfff, 0, Buffer.alloc(70_000, 1))
    } catch (e) {
      err = e as Error & { code?: string }
    }
    expect(err?.code).toBe('EMSGSIZE')
  })
})

describe.skipIf(noNative)('file descriptors across 1,000 calls', () => {
  it('no fd leaks from diagOpen/diagRead/closeFd, fdWalk, netnsRead (also on errors)', () => {
    const n = native()
    const before = openFds().length
    const buf = Buffer.allocUnsafe(1 << 20)
    const LISTEN = 1 << 10 // a small dump whatever else runs on the host
    for (let i = 0; i < 1000; i++) {
      const fd = n.diagOpen(null, AF_INET, IPPROTO_TCP, LISTEN, 0, null)
      for (;;) {
        const [, done] = n.diagRead(fd, buf)
        if (done) break
      }
      n.closeFd(fd)
      n.netnsRead(null, ['/proc/thread-self/net/snmp', '/proc/sys/net/core', '/nonexistent'])
      expect(() => n.netnsRead('/nonexistent/ns', ['/proc/thread-self/net/snmp'])).toThrow()
      expect(() => n.diagOpen(null, AF_INET, IPPROTO_TCP, 0xfff, 0, Buffer.alloc(70_000))).toThrow()
      if (i % 10 === 0) n.fdWalk('/proc', 2, null)
    }
    expect(openFds().length).toBe(before)
  })

  it('every fd the addon holds during a call is CLOEXEC: a child started meanwhile inherits none', async () => {
    // A walk holds its /proc fds for the whole call; a process spawned from a worker meanwhile
    // would inherit any fd without O_CLOEXEC (dup() drops it: F_DUPFD_CLOEXEC keeps it).
    const n = native()
    const walks = Array.from({ length: 20 }, () => n.fdWalkAsync('/proc', 2, null))
    const child = execFileSync('sh', ['-c', 'ls -l /proc/$$/fd'], { encoding: 'utf8' })
    await Promise.all(walks)
    expect(child).not.toMatch(/-> \/proc$/m)
  })
})

describe.skipIf(need(['root'], ['netns'], ['native']))('netnsRead: inside the namespace, on another thread', () => {
  let ns = ''
  beforeAll(() => {
    ns = makeNetns('tdnsad')
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.tcp_fin_timeout=23'])
  })
  afterAll(() => dropNetns(ns))

  it('reads the namespace\'s /proc/sys and /proc/thread-self/net; the caller stays in its own namespace', () => {
    const self = readlinkSync('/proc/thread-self/ns/net')
    const [fin, dev, mine] = native().netnsRead(`/run/netns/${ns}`, ['/proc/sys/net/ipv4/tcp_fin_timeout', '/proc/thread-self/net/dev', '/proc/self/net/dev'])
    expect(fin).toEqual({ data: Buffer.from('23\n') })
    const ifaces = (f: unknown): string[] => (f as { data: Buffer }).data.toString().split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0]!.trim()).sort()
    // The namespace has only lo; /proc/self/net is the thread group leader's view (ours), not the thread's.
    expect(ifaces(dev)).toEqual(['lo'])
    expect(ifaces(mine)).toEqual(readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0]!.trim()).sort())
    expect(ifaces(mine).length).toBeGreaterThan(1)
    expect(readlinkSync('/proc/thread-self/ns/net')).toBe(self)
    expect(readFileSync('/proc/sys/net/ipv4/tcp_fin_timeout', 'utf8')).not.toBe('23\n')
  })

  it('a file that is not a namespace is EINVAL; a missing one ENOENT', () => {
    expect(() => native().netnsRead('/etc/hostname', [])).toThrow(expect.objectContaining({ code: 'EINVAL' }))
    expect(() => native().netnsRead('/nonexistent', [])).toThrow(expect.objectContaining({ code: 'ENOENT' }))
  })
})

describe.skipIf(need(['root'], ['tool', 'unshare'], ['tool', 'python3'], ['native']))('who inside a pid namespace (unshare -p -f --mount-proc)', () => {
  it('names the listener by the pid it has in that namespace', async () => {
    const port = 20000 + (process.pid % 20000)
    // In the new pid namespace: a listener, then who :PORT; print the listener's own pid (as it sees it) and who's answer.
    const script = `
python3 -c 'import socket,os,time,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", ${port})); s.listen(1); print(os.getpid(), flush=True); sys.stdout.close(); time.sleep(30)' > "$TMPF" &
L=$!
for i in $(seq 100); do [ -s "$TMPF" ] && break; sleep 0.05; done
echo "listener $(cat "$TMPF")"
"${process.execPath}" "${BIN}" who :${port} --json
kill $L
`
    const tmpf = join('/tmp', `tdnsad-${process.pid}.pid`)
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('unshare', ['-p', '-f', '--mount-proc', 'sh', '-c', script], { env: { ...process.env, TMPF: tmpf } })
      let stdout = ''
      let stderr = ''
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
      child.on('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`exit ${code}: ${stdout} ${stderr}`))))
    })
    try {
      execFileSync('rm', ['-f', tmpf])
    } catch {
      // already gone
    }
    const pid = Number(/^listener (\d+)$/m.exec(out)?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(pid).toBeLessThan(100) // a fresh pid namespace: small numbers
    const doc = JSON.parse(out.slice(out.indexOf('{')))
    expect(JSON.stringify(doc)).toMatch(new RegExp(`"pid":\\s*${pid}\\b`))
  }, 30_000)
})

it('the process keeps no fd on /proc after the tests above', () => {
  const procFds = openFds().filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === '/proc' && statSync(`/proc/self/fd/${fd}`).isDirectory()
    } catch {
      return false // closed meanwhile
    }
  })
  expect(procFds).toEqual([])
})
