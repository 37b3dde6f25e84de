/**
 * @module
 * Reads TCP sockets from /proc/net/tcp and /proc/net/tcp6: the fallback when sock_diag is not
 * there (old kernels, restricted containers, no addon). Format: net/ipv4/tcp_ipv4.c get_tcp4_sock(),
 * net/ipv6/tcp_ipv6.c get_tcp6_sock(). /proc/net/tcp is not a snapshot: rows may repeat or be
 * missed while sockets open and close, and it has no cookie.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, fromSystemError } from '../../errors.js'
import { TIMER_NAMES, type Family, type Socket, type SocketTimer } from '../../model/socket.js'
import { stateName } from '../../model/state.js'
import { formatIPv4, formatIPv6 } from '../../model/address.js'
import { msg } from '../../i18n/index.js'

const TIMERS: readonly SocketTimer['name'][] = TIMER_NAMES
// /proc prints timer expiry in clock ticks (jiffies_delta_to_clock_t), USER_HZ = 100.
const MS_PER_TICK = 10

/** The procfs file for a family, optionally of a process (its network namespace). */
export function procNetTcpPath(procRoot: string, family: Family, pid?: number): string {
  return join(procRoot, pid === undefined ? '' : String(pid), 'net', family === 'inet6' ? 'tcp6' : 'tcp')
}

/** Reads and parses /proc/net/tcp or tcp6. A missing tcp6 (IPv6 disabled) reads as empty. */
export function readProcNetTcp(procRoot: string, family: Family, pid?: number): Socket[] {
  const file = procNetTcpPath(procRoot, family, pid)
  let text: string
  try {
    text = readFileSync(file, 'latin1')
  } catch (err) {
    // On systems with IPv6 disabled, tcp6 does not exist.
    if (family === 'inet6' && (err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw fromSystemError(err, file)
  }
  return parseProcNetTcp(text, family, file)
}

function hexByte(s: string, i: number): number {
  const v = parseInt(s.substr(i, 2), 16)
  return v
}

const HEX = /^[0-9A-Fa-f]+$/

/** Address bytes from /proc's hex: each 32-bit word is printed in host byte order (little-endian). */
function parseHexAddress(hex: string, family: Family, where: string): string {
  const words = family === 'inet6' ? 4 : 1
  if (hex.length !== words * 8 || !HEX.test(hex)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badAddress', { where, hex: JSON.stringify(hex) }))
  const bytes = new Uint8Array(words * 4)
  for (let w = 0; w < words; w++) for (let b = 0; b < 4; b++) bytes[w * 4 + b] = hexByte(hex, w * 8 + (3 - b) * 2)
  return family === 'inet6' ? formatIPv6(bytes, 0) : formatIPv4(bytes, 0)
}

function hexField(text: string, where: string, what: string): number {
  if (!HEX.test(text)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.bad', { where, what, text: JSON.stringify(text) }))
  return parseInt(text, 16)
}

function decField(text: string, where: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.bad', { where, what, text: JSON.stringify(text) }))
  return Number(text)
}

/** Parses the text of /proc/net/tcp{,6}. Pure: text in, sockets out; TD_PARSE names the line. */
export function parseProcNetTcp(text: string, family: Family, file = family === 'inet6' ? '/proc/net/tcp6' : '/proc/net/tcp'): Socket[] {
  const lines = text.split('\n')
  const header = lines[0]?.trim() ?? ''
  if (!header.startsWith('sl')) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.notNetTcpHeader', { file, header: JSON.stringify(header.slice(0, 40)) }))
  const out: Socket[] = []
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    const where = `${file}:${i + 1}`
    const f = line.trim().split(/\s+/)
    if (f.length < 10) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.expectedAtLeast10', { where, fields: f.length }))
    if (!/^\d+:$/.test(f[0]!)) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badSlot', { where, f: JSON.stringify(f[0]) }))
    const [la, lp] = f[1]!.split(':')
    const [ra, rp] = f[2]!.split(':')
    if (la === undefined || lp === undefined || ra === undefined || rp === undefined) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badAddressPort', { where }))
    const st = hexField(f[3]!, where, 'state')
    const [txq, rxq] = f[4]!.split(':')
    const [tr, when] = f[5]!.split(':')
    if (txq === undefined || rxq === undefined || tr === undefined || when === undefined) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.badQueueOrTimer', { where }))
    const timerNum = hexField(tr, where, 'timer')
    const state = stateName(st)
    const s: Socket = {
      family,
      state,
      local: { address: parseHexAddress(la, family, where), port: hexField(lp, where, 'port') },
      remote: { address: parseHexAddress(ra, family, where), port: hexField(rp, where, 'port') },
      // For LISTEN, /proc puts the accept queue in rx_queue and leaves tx_queue at 0 (netstat's Send-Q
      // is not the backlog, unlike ss's).
      recvQ: hexField(rxq, where, 'rx_queue'),
      sendQ: hexField(txq, where, 'tx_queue'),
      uid: decField(f[7]!, where, 'uid'),
      inode: decField(f[9]!, where, 'inode'),
      cookie: '',
      ifindex: 0,
    }
    if (s.local.port > 65535 || s.remote.port > 65535) throw new TcpdoctorError('TD_PARSE', msg('err.kernel.portOutOfRange', { where }))
    if (timerNum !== 0) s.timer = { name: TIMERS[timerNum] ?? 'unknown', expiresMs: hexField(when, where, 'timer expiry') * MS_PER_TICK, retrans: hexField(f[6]!, where, 'retransmits') }
    out.push(s)
  }
  return out
}
