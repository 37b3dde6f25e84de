import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { TcpdoctorError } from '../../errors.js'
import { classifyTcpMessage, parseKernelLog, parseKmsgRecord, readKernelLog } from './kmsg.js'

const FIX = new URL('../../../test/fixtures/proc/kmsg-6.18.txt', import.meta.url).pathname

describe('kernel log', () => {
  it('finds the SYN flood lines this kernel printed (fixture), with times', () => {
    const boot = Date.UTC(2026, 0, 1)
    const r = parseKernelLog(readFileSync(FIX, 'utf8'), boot)
    expect(r.records).toBe(7)
    expect(r.events).toHaveLength(2)
    expect(r.events[0]).toMatchObject({ kind: 'syn_flood', port: 7001, address: '127.0.0.1', action: 'cookies', proto: 'request_sock_TCP', seq: 334, usec: 1007193368 })
    expect(r.events[0]!.time).toBe(new Date(boot + 1007193.368).toISOString())
    expect(r.events[1]).toMatchObject({ kind: 'syn_flood', port: 7002, address: '::1', proto: 'request_sock_TCPv6' })
  })

  it('classifies each TCP message, old and new spellings', () => {
    expect(classifyTcpMessage('TCP: request_sock_TCP: Possible SYN flooding on port [::]:443. Dropping request.  Check SNMP counters.')).toEqual({ kind: 'syn_flood', port: 443, address: '::', action: 'drop', proto: 'request_sock_TCP' })
    expect(classifyTcpMessage('TCP: Possible SYN flooding on port 8080. Sending cookies.  Check SNMP counters.')).toEqual({ kind: 'syn_flood', port: 8080, action: 'cookies', proto: 'TCP' })
    expect(classifyTcpMessage('TCP: time wait bucket table overflow')).toEqual({ kind: 'time_wait_overflow' })
    expect(classifyTcpMessage('TCP: out of memory -- consider tuning tcp_mem')).toEqual({ kind: 'out_of_memory' })
    expect(classifyTcpMessage('TCP: too many orphaned sockets')).toEqual({ kind: 'too_many_orphans' })
    expect(classifyTcpMessage('EXT4-fs (vda): mounted filesystem')).toBeUndefined()
  })

  it('ignores lines a process wrote (facility user)', () => {
    const r = parseKernelLog('14,9,100,-;TCP: too many orphaned sockets\n6,10,200,-;TCP: too many orphaned sockets\n')
    expect(r.events.map((e) => e.seq)).toEqual([10])
  })

  it('reads /dev/kmsg without blocking, or says why not', () => {
    const t0 = Date.now()
    const r = readKernelLog()
    expect(Date.now() - t0).toBeLessThan(5000)
    if (r.readable) expect(r.records).toBeGreaterThan(0)
    else expect(r.reason).toMatch(/kmsg/)
    const missing = readKernelLog({ path: '/nonexistent/kmsg' })
    expect(missing).toMatchObject({ readable: false, code: 'ENOENT' })
  })

  it('property: any record text is a record or TD_PARSE', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          const r = parseKmsgRecord(s)
          expect(r.level).toBeLessThan(8)
        } catch (err) {
          expect(err).toBeInstanceOf(TcpdoctorError)
          expect((err as TcpdoctorError).code).toBe('TD_PARSE')
        }
        classifyTcpMessage(s)
      }),
      { numRuns: 1000 },
    )
  })
})
