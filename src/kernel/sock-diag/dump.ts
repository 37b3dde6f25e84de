/**
 * @module
 * Runs a sock_diag dump through the addon and hands each chunk of reply bytes to a visitor.
 * Chunks are reused: the visitor must not keep the buffer. Memory stays flat at any socket count.
 */
import { fromSystemError } from '../../errors.js'
import type { Family } from '../../model/socket.js'
import type { Native } from '../native.js'
import { AF_INET, AF_INET6, IPPROTO_TCP } from './constants.js'
import { scanDiag } from './parse.js'

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

/** Calls onSocket(buf, off, bodyLen) for every socket the kernel returns. */
export function dumpSockets(native: Native, req: DumpRequest, onSocket: (buf: Buffer, off: number, bodyLen: number) => void): DumpResult {
  const buf = Buffer.allocUnsafe(CHUNK)
  let interrupted = false
  let bytes = 0
  for (const family of req.families) {
    let fd: number
    try {
      fd = native.diagOpen(req.netnsPath ?? null, family === 'inet6' ? AF_INET6 : AF_INET, IPPROTO_TCP, req.states >>> 0, req.ext, req.bytecode ?? null)
    } catch (err) {
      throw fromSystemError(err, req.netnsPath ? `sock_diag in ${req.netnsPath}` : 'sock_diag')
    }
    try {
      for (;;) {
        let n: number
        let done: boolean
        try {
          ;[n, done] = native.diagRead(fd, buf)
        } catch (err) {
          throw fromSystemError(err, 'sock_diag read')
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
