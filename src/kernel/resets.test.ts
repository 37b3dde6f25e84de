/**
 * The addon's reset counters against the kernel: refused connects made in a private namespace are
 * counted once each (sent NO_SOCKET and received in SYN_SENT), under that namespace's inode; IPv6
 * and dual-stack sockets; starting and closing the watch many times leaves no file descriptor behind.
 */
import { readdirSync, statSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { need } from '../../test/helpers/can.js'
import { dropNetns, inNetns, makeNetns } from '../../test/helpers/netns.js'
import { needResetWatch } from '../../test/helpers/reset-watch.js'
import { startResetWatch } from './resets.js'

const skip = need(['root'], ['netns'], ['native'], ['tool', 'python3']) ?? needResetWatch()

describe.skipIf(skip)('startResetWatch', () => {
  it('counts refused connects in their namespace, under its inode', () => {
    const ns = makeNetns('tdrsk')
    try {
      const inode = statSync(`/run/netns/${ns}`).ino
      const w = startResetWatch()
      try {
        inNetns(ns, 'python3', ['-c', 'import socket\nfor i in range(25):\n  try: socket.create_connection(("127.0.0.1", 7999))\n  except OSError: pass'])
        const mine = w.read().events.filter((e) => e.netnsInode === inode)
        const sent = mine.filter((e) => e.direction === 'sent')
        const received = mine.filter((e) => e.direction === 'received')
        expect(sent).toEqual([expect.objectContaining({ reason: 'NO_SOCKET', family: 'inet', local: { address: '127.0.0.1', port: 7999 }, remote: { address: '127.0.0.1', port: 0 }, state: null, segment: 'SYN', count: 25 })])
        expect(received).toEqual([expect.objectContaining({ reason: null, state: 'SYN_SENT', local: { address: '127.0.0.1', port: 0 }, remote: { address: '127.0.0.1', port: 7999 }, count: 25 })])
      } finally {
        w.close()
      }
    } finally {
      dropNetns(ns)
    }
  })

  it('IPv6 from the socket and from the segment; a dual-stack socket talking IPv4 is IPv4', () => {
    const ns = makeNetns('tdrsk')
    try {
      const inode = statSync(`/run/netns/${ns}`).ino
      const w = startResetWatch()
      try {
        inNetns(ns, 'python3', ['-c', [
          'import socket, select, time',
          'for i in range(3):',
          '    try: socket.create_connection(("::1", 7301))',
          '    except OSError: pass',
          's = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); s.bind(("::", 7302)); s.listen(8)',
          'for host in ("::1", "127.0.0.1"):',
          '    c = socket.create_connection((host, 7302)); c.sendall(b"x"); a, _ = s.accept(); select.select([a], [], [], 1); a.close(); time.sleep(0.05); c.close()',
        ].join('\n')])
        const mine = w.read().events.filter((e) => e.netnsInode === inode && e.direction === 'sent')
        expect(mine).toContainEqual(expect.objectContaining({ reason: 'NO_SOCKET', family: 'inet6', local: { address: '::1', port: 7301 }, count: 3 }))
        expect(mine).toContainEqual(expect.objectContaining({ reason: 'TCP_ABORT_ON_CLOSE', family: 'inet6', local: { address: '::1', port: 7302 }, count: 1, task: expect.objectContaining({ command: 'python3' }) }))
        expect(mine).toContainEqual(expect.objectContaining({ reason: 'TCP_ABORT_ON_CLOSE', family: 'inet', local: { address: '127.0.0.1', port: 7302 }, count: 1 }))
      } finally {
        w.close()
      }
    } finally {
      dropNetns(ns)
    }
  })

  it('start and close 30 times: no file descriptor left open', () => {
    const fds = (): number => readdirSync('/proc/self/fd').length
    const before = fds()
    for (let i = 0; i < 30; i++) {
      const w = startResetWatch()
      w.read()
      w.close()
      w.close()
      expect(w.read()).toEqual({ events: [], dropped: 0 })
    }
    expect(fds()).toBe(before)
  })
})
