/**
 * @module
 * Runs a sock_diag dump through the addon and hands each chunk of reply bytes to a visitor.
 * Chunks are reused: the visitor must not keep the buffer. Memory stays flat at any socket count.
 */
import { fromSystemError } from '../../errors.js'
import type { Family } from '../../model/socket.js'
import type { Native } from '../native.js'
import { AF_INET, AF_INET6, AF_UNSPEC, IPPROTO_TCP } from './constants.js'
import { TcpdoctorError } from '../../errors.js'
import { debug } from '../../debug.js'
import { scanDiag } from './parse.js'
import { msg } from '../../i18n/index.js'

export interface DumpRequest {
  families: readonly Family[]
  /** idiag_states bitmask */
  states: number
  /** idiag_ext bitmask (INET_DIAG_INFO etc.) */
  ext: number
  /** INET_DIAG_REQ_BYTECODE program, when the filter compiles. */
  bytecode?: Buffer
  /** A namespace file to enter for the dump; undefined for our own. */
  netnsPath?: string
}

export interface DumpResult {
  interrupted: boolean
  bytes: number
}

const CHUNK = 1 << 20

let compatWorks = true

/**
 * Calls onSocket(buf, off, bodyLen) for every socket the kernel returns. Both families come from
 * one compat request when the kernel takes it: every per-family request walks the whole
 * established hash table (~40 ms on a host with 262,144 buckets), so two requests cost a walk more.
 */
export function dumpSockets(native: Native, req: DumpRequest, onSocket: (buf: Buffer, off: number, bodyLen: number) => void): DumpResult {
  if (compatWorks && req.families.includes('inet') && req.families.includes('inet6')) {
    let sent = false
    try {
      return dumpFamilies(native, req, [AF_UNSPEC], (buf, off, len) => {
        sent = true
        onSocket(buf, off, len)
      })
    } catch (err) {
      // A kernel without the compat path says EINVAL/ENOENT before sending any socket: use v2.
      if (!(err instanceof TcpdoctorError && err.code === 'TD_NETLINK' && !sent)) throw err
      debug('compat sock_diag request refused (%s); one request per family', err.message)
      compatWorks = false
    }
  }
  return dumpFamilies(native, req, req.families.map((f) => (f === 'inet6' ? AF_INET6 : AF_INET)), onSocket)
}

/**
 * One receive buffer for every dump (a dump is synchronous): serve dumps every second, and a fresh
 * 1 MiB allocation each time left the heap of a long-running process sawing between 90 and 240 MB.
 * A dump started from inside another's callback gets its own.
 */
let spare: Buffer | undefined

function dumpFamilies(native: Native, req: DumpRequest, families: number[], onSocket: (buf: Buffer, off: number, bodyLen: number) => void): DumpResult {
  const buf = spare ?? Buffer.allocUnsafe(CHUNK)
  spare = undefined
  try {
    return dumpInto(native, req, families, buf, onSocket)
  } finally {
    spare = buf
  }
}

function dumpInto(native: Native, req: DumpRequest, families: number[], buf: Buffer, onSocket: (buf: Buffer, off: number, bodyLen: number) => void): DumpResult {
  let interrupted = false
  let bytes = 0
  for (const family of families) {
    let fd: number
    try {
      fd = native.diagOpen(req.netnsPath ?? null, family, IPPROTO_TCP, req.states >>> 0, req.ext, req.bytecode ?? null)
    } catch (err) {
      throw fromSystemError(err, req.netnsPath ? msg('err.kernel.sockDiagIn', { path: req.netnsPath }) : 'sock_diag')
    }
    try {
      for (;;) {
        let n: number
        let done: boolean
        try {
          ;[n, done] = native.diagRead(fd, buf)
        } catch (err) {
          throw fromSystemError(err, msg('err.kernel.sockDiagRead'))
        }
        bytes += n
        const r = scanDiag(buf, n, (off, len) => onSocket(buf, off, len))
        if (r.interrupted) interrupted = true
        if (done || r.done) break
      }
    } finally {
      native.closeFd(fd)
    }
  }
  return { interrupted, bytes }
}
