import { describe, expect, it } from 'vitest'
import type { Socket } from '../model/socket.js'
import type { TcpSysctls } from '../kernel/procfs/sysctl.js'
import { auditKeepalive } from './audit.js'
import { formatDuration } from '../cli/commands/keepalive.js'

const tcp: TcpSysctls = { keepaliveTimeS: 7200, keepaliveIntvlS: 75, keepaliveProbes: 9, retries2: 15, rtoMinMs: 200, rtoMaxMs: 120_000 }

function est(over: Partial<Socket>, idle = 120_000, unacked = 0): Socket {
  return {
    family: 'inet', state: 'ESTABLISHED', local: { address: '10.0.0.1', port: 5000 }, remote: { address: '10.0.0.2', port: 80 },
    recvQ: 0, sendQ: 0, uid: 0, inode: 1, cookie: '1', ifindex: 0,
    info: { lastDataRecvMs: idle, lastAckRecvMs: idle, unacked } as Socket['info'],
    ...over,
  }
}

describe('auditKeepalive', () => {
  it('keepalive timer: next probe + default interval x remaining probes', () => {
    const a = auditKeepalive([est({ timer: { name: 'keepalive', expiresMs: 30_000, retrans: 2 } })], tcp)
    expect(a.rows[0]).toMatchObject({ keepalive: 'on', basis: 'keepalive', detectMs: 30_000 + 7 * 75_000, assumedDefaults: true, neverNotices: false })
    expect(a.defaults).toMatchObject({ keepaliveTotalMs: 7_875_000, retries2TimeoutMs: 924_600 })
  })
  it('unacked data: tcp_retries2 rules, keepalive hidden by the retransmit timer', () => {
    const a = auditKeepalive([est({ timer: { name: 'on', expiresMs: 200, retrans: 1 }, sendQ: 100 }, 1000, 1)], tcp)
    expect(a.rows[0]).toMatchObject({ keepalive: 'unknown', basis: 'retries2', detectMs: 924_600, neverNotices: false })
  })
  it('no timer, no data, idle long enough: never; fresh: not flagged; other states skipped', () => {
    const a = auditKeepalive([est({}), est({ cookie: '2' }, 5_000), est({ state: 'CLOSE_WAIT' })], tcp, { minIdleMs: 60_000 })
    expect(a.rows.map((r) => [r.basis, r.neverNotices])).toEqual([['none', true], ['none', false]])
    expect(a.neverNotice).toBe(1)
  })
  it('formats durations', () => {
    expect(formatDuration(7_875_000)).toBe('2h11m15s')
    expect(formatDuration(924_600)).toBe('15m24.6s')
    expect(formatDuration(850)).toBe('0.85s')
    expect(formatDuration(3_600_000)).toBe('1h0m')
  })
})
