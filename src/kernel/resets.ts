/**
 * @module
 * Who resets, and why, without a packet capture: the addon's BPF programs on the tracepoints
 * tcp:tcp_send_reset (with enum sk_rst_reason, Linux 6.10+) and tcp:tcp_receive_reset count every
 * reset by namespace, direction, reason and the two endpoints. Host-wide: the reader keeps the
 * namespace it wants by inode. Needs root (CAP_BPF + CAP_PERFMON) and BTF; anything else is a
 * TD_UNSUPPORTED / TD_PERMISSION error and the caller keeps the counters alone.
 */
import { TcpdoctorError, UnsupportedError } from '../errors.js'
import { msg } from '../i18n/index.js'
import { formatIPv4, formatIPv6 } from '../model/address.js'
import type { Endpoint, Family } from '../model/socket.js'
import { stateName, type StateName } from '../model/state.js'
import { loadNative, type Native, type RstWatchHandle } from './native.js'

/** One (namespace, direction, reason, endpoints) group of resets seen by the kernel. */
export interface ResetEvent {
  /** sent: this host reset the connection; received: the peer (or a middlebox) did. */
  direction: 'sent' | 'received'
  /** enum sk_rst_reason without SK_RST_REASON_ (NO_SOCKET, TCP_ABORT_ON_CLOSE ...); null when received (the wire carries no reason). */
  reason: string | null
  family: Family
  local: Endpoint
  remote: Endpoint
  /** The socket's state at the reset; null when no socket wanted the segment (NO_SOCKET). */
  state: StateName | null
  /** TCP flags of the segment a sent reset answers ("SYN", "ACK", "FIN|ACK"); null when it answers none (an abort). */
  segment: string | null
  /** The network namespace's inode. */
  netnsInode: number
  /**
   * The task whose own call sent the reset (close() with unread data, SO_LINGER 0, shutdown()),
   * as the kernel saw it: pid in the initial pid namespace, comm. Absent for resets sent from
   * softirq or timer context (NO_SOCKET, keepalive timeout) and for received ones.
   */
  task?: { pid: number; command: string }
  count: number
}

export const RESET_RECORD_SIZE = 80

const FLAG_NAMES: [number, string][] = [[0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG']]

function flagsText(f: number): string {
  return FLAG_NAMES.filter(([bit]) => f & bit).map(([, n]) => n).join('|') || 'none'
}

/** "1 NO_SOCKET\n..." -> value -> name. */
export function parseReasonNames(text: string): Map<number, string> {
  const m = new Map<number, string>()
  for (const line of text.split('\n')) {
    const x = /^(-?\d+) (\S+)$/.exec(line)
    if (x) m.set(Number(x[1]), x[2]!)
  }
  return m
}

function address(b: Buffer, off: number, family: Family): string {
  return family === 'inet' ? formatIPv4(b, off) : formatIPv6(b, off)
}

/**
 * Pure: the addon's records (layout in native/include/tcpdoctor.h, host byte order) as events.
 * IPv4-mapped IPv6 endpoints (a dual-stack socket talking IPv4) become IPv4, as the segment on
 * the wire is.
 */
export function decodeResetRecords(records: Buffer, reasons: Map<number, string>): ResetEvent[] {
  const out: ResetEvent[] = []
  for (let o = 0; o + RESET_RECORD_SIZE <= records.length; o += RESET_RECORD_SIZE) {
    const fam = records.readUInt16LE(o + 4)
    if (fam !== 2 && fam !== 10) continue // unreadable socket: nothing to say
    let family: Family = fam === 2 ? 'inet' : 'inet6'
    const dir = records[o + 6]!
    const flags = records[o + 7]!
    const reason = records.readUInt16LE(o + 8)
    const state = records[o + 10]!
    const hasSk = records[o + 11] === 1
    let local = address(records, o + 16, family)
    let remote = address(records, o + 32, family)
    if (family === 'inet6' && local.startsWith('::ffff:') && remote.startsWith('::ffff:') && local.includes('.')) {
      family = 'inet'
      local = local.slice(7)
      remote = remote.slice(7)
    }
    const pid = records.readUInt32LE(o + 48)
    const comm = records.subarray(o + 56, o + 72)
    const nul = comm.indexOf(0)
    const e: ResetEvent = {
      direction: dir === 1 ? 'received' : 'sent',
      reason: dir === 1 ? null : reasons.get(reason) ?? `REASON_${reason}`,
      family,
      local: { address: local, port: records.readUInt16LE(o + 12) },
      remote: { address: remote, port: records.readUInt16LE(o + 14) },
      state: hasSk && state > 0 ? stateName(state) : null,
      segment: dir === 0 && flags !== 0 ? flagsText(flags) : null,
      netnsInode: records.readUInt32LE(o),
      count: Number(records.readBigUInt64LE(o + 72)),
    }
    if (pid > 0) e.task = { pid, command: comm.subarray(0, nul < 0 ? 16 : nul).toString('utf8') }
    out.push(e)
  }
  return out
}

export interface ResetWatch {
  /** Every reset counted since start, all namespaces; dropped: not counted (the kernel map was full). */
  read(): { events: ResetEvent[]; dropped: number }
  /** Detaches the programs; safe to call twice. */
  close(): void
}

function watchError(err: unknown): TcpdoctorError {
  const e = err as { code?: string; syscall?: string; message?: string }
  const step = e.syscall ?? 'reset watch'
  if (e.code === 'EPERM' || e.code === 'EACCES')
    return new TcpdoctorError('TD_PERMISSION', msg('err.kernel.resetWatchDenied', { step, code: e.code }), { cause: err, hint: msg('hint.kernel.resetWatchRoot') })
  return new UnsupportedError(msg('err.kernel.resetWatchFailed', { step, detail: e.code ?? e.message ?? 'failed' }), { cause: err })
}

/** Attaches the reset counters (root, BTF, Linux 6.10+); throws TD_UNSUPPORTED, TD_PERMISSION or TD_NATIVE_MISSING. */
export function startResetWatch(native: Native = loadNative()): ResetWatch {
  if (!native.rstWatchStart || !native.rstWatchRead || !native.rstWatchClose) throw new UnsupportedError(msg('err.kernel.resetWatchNoAddon'))
  let handle: RstWatchHandle
  try {
    handle = native.rstWatchStart()
  } catch (err) {
    throw watchError(err)
  }
  const reasons = parseReasonNames(native.rstReasonNames?.() ?? '')
  let open = true
  return {
    read() {
      if (!open) return { events: [], dropped: 0 }
      try {
        const r = native.rstWatchRead!(handle)
        return { events: decodeResetRecords(r.records, reasons), dropped: r.drops }
      } catch (err) {
        throw watchError(err)
      }
    },
    close() {
      if (!open) return
      open = false
      native.rstWatchClose!(handle)
    },
  }
}
