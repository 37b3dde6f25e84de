/**
 * @module
 * Reads /proc/net/sockstat and /proc/net/sockstat6 (net/ipv4/proc.c sockstat_seq_show(),
 * net/ipv6/proc.c). Lines are "PROTO: key value key value ...".
 * Scope: TCP inuse and tw are per network namespace; orphan, alloc and mem are global counts of
 * the whole host (tcp_orphan_count, tcp_sockets_allocated, tcp_memory_allocated), whatever
 * namespace reads them. "mem" is in pages (compare with net.ipv4.tcp_mem, also pages).
 */
import { TcpdoctorError } from '../../errors.js'
import { readOptionalProcNetText, readProcNetText, type ProcNetOptions } from './snmp.js'
import { msg } from '../../i18n/index.js'

/** Protocol -> key -> value, e.g. `{ TCP: { inuse: 4, orphan: 0, tw: 4, alloc: 17, mem: 1 } }`. */
export type SockstatTable = Record<string, Record<string, number>>

/** The TCP part of sockstat/sockstat6, named. */
export interface TcpSockstat {
  /** sockets: used (all families and protocols). */
  socketsUsed: number
  /** TCP sockets in use in this namespace (IPv4; IPv6 in inuse6), not counting TIME_WAIT. */
  inuse: number
  inuse6: number
  /** Orphaned sockets (no fd, still closing), host-wide. */
  orphan: number
  /** TIME_WAIT sockets in this namespace. */
  tw: number
  /** TCP sockets allocated, host-wide. */
  alloc: number
  /** TCP memory in pages, host-wide (compare with tcp_mem). */
  memPages: number
}

const PROTO = /^[A-Z][A-Z0-9]*:$/
const KEY = /^[a-z][a-z0-9_]*$/

/** Parses sockstat or sockstat6 text. Pure; TD_PARSE names the line. */
export function parseSockstat(text: string, file = '/proc/net/sockstat'): SockstatTable {
  const out: SockstatTable = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const where = `${file}:${i + 1}`
    const f = line.split(/\s+/)
    const proto = f[0]!
    // "sockets: used 229" is the one lower-case protocol label.
    if (!PROTO.test(proto) && proto !== 'sockets:') throw new TcpdoctorError('TD_PARSE', msg('err.kernel.expectedProtoGot', { where, proto: JSON.stringify(proto.slice(0, 40)) }))
    if (f.length % 2 !== 1 || f.length < 3) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.expectedKeyValuePairs', { where, proto }))
    const row: Record<string, number> = Object.create(null) as Record<string, number>
    for (let k = 1; k < f.length; k += 2) {
      const key = f[k]!
      const v = f[k + 1]!
      if (!KEY.test(key) || !/^\d+$/.test(v)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badPair', { where, pair: JSON.stringify(`${key} ${v}`.slice(0, 60)) }))
      row[key] = Number(v)
    }
    out[proto.slice(0, -1)] = row
  }
  if (Object.keys(out).length === 0) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.empty', { file }))
  return out
}

/** Reads /proc/net/sockstat (or /proc/<pid>/net/sockstat). */
export function readSockstat(opts: ProcNetOptions = {}): SockstatTable {
  const { file, text } = readProcNetText('sockstat', opts)
  return parseSockstat(text, file)
}

/** Reads /proc/net/sockstat6; absent (IPv6 disabled) reads as empty. */
export function readSockstat6(opts: ProcNetOptions = {}): SockstatTable {
  // On systems with IPv6 disabled, sockstat6 does not exist.
  const r = readOptionalProcNetText('sockstat6', opts)
  return r ? parseSockstat(r.text, r.file) : {}
}

/** The TCP figures of sockstat + sockstat6; a missing key reads as 0. */
export function tcpSockstat(v4: SockstatTable, v6: SockstatTable = {}): TcpSockstat {
  const tcp = v4.TCP ?? {}
  return {
    socketsUsed: v4.sockets?.used ?? 0,
    inuse: tcp.inuse ?? 0,
    inuse6: v6.TCP6?.inuse ?? 0,
    orphan: tcp.orphan ?? 0,
    tw: tcp.tw ?? 0,
    alloc: tcp.alloc ?? 0,
    memPages: tcp.mem ?? 0,
  }
}
