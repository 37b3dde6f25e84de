/**
 * @module
 * Reads /proc/net/netstat: the Linux-specific MIB extensions (TcpExt: ListenOverflows,
 * TCPTimeouts, TW, ...; IpExt; MPTcpExt), net/ipv4/proc.c netstat_seq_show(). Same header/value
 * line pairs as /proc/net/snmp. Which TcpExt fields exist depends on the kernel version
 * (include/uapi/linux/snmp.h): callers must treat any name as optional.
 */
import { parseMibPairs, readProcNetText, type MibTable, type ProcNetOptions } from './snmp.js'

/** Parses /proc/net/netstat. Pure. */
export function parseNetstat(text: string, file = '/proc/net/netstat'): MibTable {
  return parseMibPairs(text, file)
}

/** Reads /proc/net/netstat (or /proc/<pid>/net/netstat). */
export function readNetstat(opts: ProcNetOptions = {}): MibTable {
  const { file, text } = readProcNetText('netstat', opts)
  return parseNetstat(text, file)
}
