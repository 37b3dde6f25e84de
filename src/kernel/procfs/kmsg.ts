/**
 * @module
 * TCP trouble from the kernel log: reads what /dev/kmsg holds right now (non-blocking, then
 * stops) and turns the lines TCP prints under pressure into typed events:
 *   "TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. Sending cookies.  Check SNMP counters."
 *   "TCP: Possible SYN flooding on port 8080. Dropping request.  Check SNMP counters."   (before 4.x / 5.x)
 *   "TCP: time wait bucket table overflow"
 *   "TCP: out of memory -- consider tuning tcp_mem"
 *   "TCP: too many orphaned sockets"
 * Record format: Documentation/ABI/testing/dev-kmsg ("prio,seq,usec,flags[,...];text", then
 * continuation lines " KEY=value"). The kernel log is host-wide: events from every namespace
 * land here, and a line says nothing about which namespace printed it.
 */
import { closeSync, openSync, readFileSync, readSync, constants } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, errnoCode } from '../../errors.js'
import { msg } from '../../i18n/index.js'

export interface KmsgRecord {
  /** syslog priority (0 emerg .. 7 debug). */
  level: number
  /** syslog facility: 0 kernel, 1 user (written to /dev/kmsg by a process), ... */
  facility: number
  seq: number
  /** Microseconds since boot (CLOCK_MONOTONIC-like, what dmesg prints in brackets). */
  usec: number
  text: string
}

export type TcpLogEvent =
  | { kind: 'syn_flood'; port: number; address?: string; action: 'cookies' | 'drop' | 'unknown'; proto?: string }
  | { kind: 'time_wait_overflow' }
  | { kind: 'out_of_memory' }
  | { kind: 'too_many_orphans' }

export type KernelLogEvent = TcpLogEvent & {
  seq: number
  /** Microseconds since boot. */
  usec: number
  /** Wall-clock estimate (boot time + usec); dmesg -T has the same caveat after suspend. */
  time?: string
  text: string
}

export type KernelLogResult =
  | { readable: true; records: number; events: KernelLogEvent[] }
  | { readable: false; reason: string; code: string | undefined; events: [] }

/** Parses one /dev/kmsg record (its first line; continuation lines are ignored). Pure; TD_PARSE. */
export function parseKmsgRecord(record: string): KmsgRecord {
  const semi = record.indexOf(';')
  if (semi < 0) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.devKmsgRecordWithout', { record: JSON.stringify(record.slice(0, 60)) }))
  const head = record.slice(0, semi).split(',')
  const [prio, seq, usec] = head
  if (head.length < 3 || !/^\d+$/.test(prio ?? '') || !/^\d+$/.test(seq ?? '') || !/^\d+$/.test(usec ?? ''))
    throw new TcpdoctorError('TD_PARSE', msg('err.kernel.devKmsgBadRecord', { record: JSON.stringify(record.slice(0, Math.min(semi, 60))) }))
  const p = Number(prio)
  const nl = record.indexOf('\n', semi)
  return { level: p & 7, facility: p >> 3, seq: Number(seq), usec: Number(usec), text: record.slice(semi + 1, nl < 0 ? undefined : nl) }
}

const SYN_FLOOD = /Possible SYN flooding on port (?:(\[[0-9a-fA-F:.]*\]|[0-9.]+|[0-9a-fA-F:]*):)?(\d+)\.\s*(Sending cookies|Dropping request)?/
const SYN_PROTO = /(request_sock_TCP(?:v6)?|TCPv6|TCP)\s*:\s*Possible SYN/

/** Recognizes a TCP kernel message; undefined for every other line. Pure. */
export function classifyTcpMessage(text: string): TcpLogEvent | undefined {
  const m = SYN_FLOOD.exec(text)
  if (m) {
    const port = Number(m[2])
    if (port > 65535) return undefined
    const ev: TcpLogEvent = { kind: 'syn_flood', port, action: m[3] === 'Sending cookies' ? 'cookies' : m[3] === 'Dropping request' ? 'drop' : 'unknown' }
    if (m[1]) ev.address = m[1].replace(/^\[|\]$/g, '')
    const proto = SYN_PROTO.exec(text)?.[1]
    if (proto) ev.proto = proto
    return ev
  }
  if (text.includes('time wait bucket table overflow')) return { kind: 'time_wait_overflow' }
  if (text.includes('out of memory -- consider tuning tcp_mem')) return { kind: 'out_of_memory' }
  if (text.includes('too many orphaned sockets')) return { kind: 'too_many_orphans' }
  return undefined
}

/**
 * Parses a text of /dev/kmsg records (one record per line, continuation lines starting with a
 * space, as `cat /dev/kmsg` prints) into TCP events. Only kernel-facility records count: a
 * process can write anything to /dev/kmsg. Pure; bootMs turns usec into wall-clock times.
 */
export function parseKernelLog(text: string, bootMs?: number): { records: number; events: KernelLogEvent[] } {
  let records = 0
  const events: KernelLogEvent[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(' ')) continue
    const r = parseKmsgRecord(line)
    records++
    const ev = eventOf(r, bootMs)
    if (ev) events.push(ev)
  }
  return { records, events }
}

function eventOf(r: KmsgRecord, bootMs: number | undefined): KernelLogEvent | undefined {
  if (r.facility !== 0) return undefined
  const e = classifyTcpMessage(r.text)
  if (!e) return undefined
  const ev: KernelLogEvent = { ...e, seq: r.seq, usec: r.usec, text: r.text }
  if (bootMs !== undefined) ev.time = new Date(bootMs + r.usec / 1000).toISOString()
  return ev
}

/** Boot time in ms since the epoch, from /proc/uptime; undefined when unreadable. */
export function readBootTimeMs(procRoot = '/proc', now = Date.now()): number | undefined {
  try {
    const up = Number(readFileSync(join(procRoot, 'uptime'), 'utf8').split(' ')[0])
    return Number.isFinite(up) ? now - up * 1000 : undefined
  } catch {
    return undefined // no uptime: events keep usec only
  }
}

export interface KernelLogOptions {
  /** Default /dev/kmsg. */
  path?: string
  procRoot?: string
  /** Stop after this many records (default 100,000: the ring holds far fewer). */
  maxRecords?: number
}

/**
 * Reads the records /dev/kmsg holds now, without blocking (O_NONBLOCK: EAGAIN means "no more"),
 * and returns the TCP events. Unreadable (no root with kernel.dmesg_restrict=1, no /dev/kmsg in a
 * container) is a result with the reason, not an exception.
 */
export function readKernelLog(opts: KernelLogOptions = {}): KernelLogResult {
  const path = opts.path ?? '/dev/kmsg'
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (err) {
    const code = errnoCode(err)
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied (needs root or CAP_SYSLOG when kernel.dmesg_restrict=1)' : code === 'ENOENT' ? 'not present (container without /dev/kmsg?)' : (err as Error).message
    return { readable: false, reason: `${path}: ${why}`, code, events: [] }
  }
  const bootMs = readBootTimeMs(opts.procRoot)
  const max = opts.maxRecords ?? 100_000
  // One read() returns exactly one record; 8 KiB is the kernel's maximum record size (CONSOLE_EXT_LOG_MAX).
  const buf = Buffer.alloc(8192)
  const events: KernelLogEvent[] = []
  let records = 0
  try {
    while (records < max) {
      let n: number
      try {
        n = readSync(fd, buf, 0, buf.length, null)
      } catch (err) {
        const code = errnoCode(err)
        if (code === 'EAGAIN') break // everything that was there has been read
        if (code === 'EPIPE') continue // the record we were at was overwritten; the next read resumes
        if (code === 'EINVAL' && records === 0) return { readable: false, reason: `${path}: not a kmsg device`, code, events: [] }
        throw new TcpdoctorError('TD_IO', msg('err.kernel.reading', { path, detail: (err as Error).message }), { cause: err })
      }
      if (n === 0) break
      records++
      let r: KmsgRecord
      try {
        r = parseKmsgRecord(buf.toString('utf8', 0, n))
      } catch {
        continue // a record in a format we do not know; it cannot be a TCP line we recognize
      }
      const ev = eventOf(r, bootMs)
      if (ev) events.push(ev)
    }
  } finally {
    closeSync(fd)
  }
  return { readable: true, records, events }
}
