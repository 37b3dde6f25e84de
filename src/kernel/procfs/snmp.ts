/**
 * @module
 * Reads the SNMP MIB counters of a network namespace: /proc/net/snmp (Ip, Icmp, Tcp, Udp, ...)
 * and /proc/net/snmp6 (Ip6*, Icmp6*, Udp6*). Format: net/ipv4/proc.c snmp_seq_show_*() -- pairs
 * of lines, a header line of field names and a value line, both starting with "Group:".
 * /proc/net/netstat (TcpExt, IpExt, MPTcpExt) has the same shape; see netstat.ts.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, errnoCode, fromSystemError } from '../../errors.js'
import { netnsFileText, readNetnsFiles } from '../netns-files.js'
import type { NetnsTarget } from '../netns.js'
import { msg } from '../../i18n/index.js'

/** Group -> counter name -> value, e.g. `{ Tcp: { RetransSegs: 227 }, TcpExt: { ListenOverflows: 0 } }`. */
export type MibTable = Record<string, Record<string, number>>

export interface ProcNetOptions {
  /** Where /proc is mounted (default /proc). */
  procRoot?: string
  /** Read /proc/<pid>/net/...: the network namespace of that process. */
  pid?: number
  /**
   * Read inside this namespace (the addon enters it on a thread; no process needed). Takes
   * precedence over pid; a target whose path is undefined is the one we run in.
   */
  netns?: NetnsTarget
}

/** The path of /proc/net/<name>, or /proc/<pid>/net/<name>. */
export function procNetPath(name: string, opts: ProcNetOptions = {}): string {
  return join(opts.procRoot ?? '/proc', opts.pid === undefined ? '' : String(opts.pid), 'net', name)
}

/** Reads a /proc/net file as text; TD_NOT_FOUND / TD_PERMISSION / TD_IO on failure. */
export function readProcNetText(name: string, opts: ProcNetOptions = {}): { file: string; text: string } {
  if (opts.netns?.path !== undefined) {
    const file = `/proc/net/${name} of namespace ${opts.netns.label}`
    const [f] = readNetnsFiles(opts.netns, [`net/${name}`], opts.procRoot)
    return { file, text: netnsFileText(f!, file) }
  }
  const file = procNetPath(name, opts)
  try {
    return { file, text: readFileSync(file, 'latin1') }
  } catch (err) {
    throw fromSystemError(err, file)
  }
}

/** readProcNetText, with undefined for a file that does not exist (snmp6 and sockstat6 without IPv6). */
export function readOptionalProcNetText(name: string, opts: ProcNetOptions = {}): { file: string; text: string } | undefined {
  if (opts.netns?.path !== undefined) {
    const file = `/proc/net/${name} of namespace ${opts.netns.label}`
    const [f] = readNetnsFiles(opts.netns, [`net/${name}`], opts.procRoot)
    if ('error' in f! && f.error === 'ENOENT') return undefined
    return { file, text: netnsFileText(f!, file) }
  }
  const file = procNetPath(name, opts)
  try {
    return { file, text: readFileSync(file, 'latin1') }
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined
    throw fromSystemError(err, file)
  }
}

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/
const VALUE = /^-?\d+$/

/**
 * Parses header/value line pairs ("Tcp: RtoAlgorithm RtoMin ..." then "Tcp: 1 200 ...").
 * Pure. A group may appear once; a header without its value line, a name or value that is not
 * one, or a count mismatch is TD_PARSE naming the line.
 */
export function parseMibPairs(text: string, file: string): MibTable {
  const out: MibTable = {}
  const lines = text.split('\n')
  let i = 0
  const next = (): { line: string; n: number } | undefined => {
    while (i < lines.length) {
      const line = lines[i++]!
      if (line.trim() !== '') return { line, n: i }
    }
    return undefined
  }
  for (;;) {
    const head = next()
    if (!head) break
    const values = next()
    const where = `${file}:${head.n}`
    if (!values) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.headerLineWithoutA', { where }))
    const hf = head.line.trim().split(/\s+/)
    const vf = values.line.trim().split(/\s+/)
    const group = hf[0]!
    if (!group.endsWith(':') || !NAME.test(group.slice(0, -1))) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.expectedGroupFirstGot', { where, group: JSON.stringify(group.slice(0, 40)) }))
    if (vf[0] !== group) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.valueLineStartsWith', { file, n: values.n, vf: JSON.stringify(vf[0]?.slice(0, 40)), group: JSON.stringify(group) }))
    if (hf.length !== vf.length) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.namesButValuesIn', { file, n: values.n, names: hf.length - 1, values: vf.length - 1, group }))
    const name = group.slice(0, -1)
    if (Object.hasOwn(out, name)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.groupAppearsTwice', { where, name }))
    const table: Record<string, number> = Object.create(null) as Record<string, number>
    for (let k = 1; k < hf.length; k++) {
      const key = hf[k]!
      const v = vf[k]!
      if (!NAME.test(key)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badCounterName', { where, key: JSON.stringify(key.slice(0, 40)) }))
      if (!VALUE.test(v)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badValueFor', { file, n: values.n, value: JSON.stringify(v.slice(0, 40)), name, key }))
      // Counters are u64 in the kernel; a double holds them exactly up to 2^53 (9e15), far beyond any real count.
      table[key] = Number(v)
    }
    out[name] = table
  }
  if (Object.keys(out).length === 0) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.noCounters', { file }))
  return out
}

/** Parses /proc/net/snmp. Pure. */
export function parseSnmp(text: string, file = '/proc/net/snmp'): MibTable {
  return parseMibPairs(text, file)
}

/** Reads /proc/net/snmp (or /proc/<pid>/net/snmp). */
export function readSnmp(opts: ProcNetOptions = {}): MibTable {
  const { file, text } = readProcNetText('snmp', opts)
  return parseSnmp(text, file)
}

const SNMP6_GROUPS = ['UdpLite6', 'Icmp6', 'Udp6', 'Ip6'] as const

/**
 * Parses /proc/net/snmp6: one "Name value" per line (net/ipv6/proc.c). Names are split into the
 * groups nstat uses (Ip6, Icmp6, Udp6, UdpLite6), so "Ip6InReceives" becomes Ip6.InReceives. Pure.
 */
export function parseSnmp6(text: string, file = '/proc/net/snmp6'): MibTable {
  const out: MibTable = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim()
    if (line === '') continue
    const f = line.split(/\s+/)
    const where = `${file}:${i + 1}`
    if (f.length !== 2) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.expectedNameValueGot', { where, fields: f.length }))
    const [full, v] = f as [string, string]
    if (!NAME.test(full) || !VALUE.test(v)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badLine', { where, line: JSON.stringify(line.slice(0, 60)) }))
    const group = SNMP6_GROUPS.find((g) => full.startsWith(g) && full.length > g.length) ?? 'Ip6'
    const key = full.startsWith(group) ? full.slice(group.length) : full
    const table = (out[group] ??= Object.create(null) as Record<string, number>)
    table[key] = Number(v)
  }
  return out
}

/** Reads /proc/net/snmp6; an absent file (IPv6 disabled) reads as no counters. */
export function readSnmp6(opts: ProcNetOptions = {}): MibTable {
  // On systems with IPv6 disabled, snmp6 does not exist.
  const r = readOptionalProcNetText('snmp6', opts)
  return r ? parseSnmp6(r.text, r.file) : {}
}

/** nstat's flat names: group + counter ("TcpExtListenOverflows"), in file order. */
export function flattenMib(table: MibTable): Map<string, number> {
  const out = new Map<string, number>()
  for (const [group, counters] of Object.entries(table)) for (const [k, v] of Object.entries(counters)) out.set(group + k, v)
  return out
}
