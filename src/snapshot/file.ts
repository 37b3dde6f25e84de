/**
 * @module
 * Snapshot files: everything the socket view saw, as one JSON document (format
 * "tcpdoctor-snapshot", version 1; docs/json.md), validated field by field on read
 * (schema.ts). `--from` also reads the raw netlink dumps `ss -D FILE` writes.
 * Limit: a file is read whole, up to MAX_SNAPSHOT_BYTES (about 1.5 million sockets with tcp_info).
 */
import { readFileSync, writeFileSync, renameSync, unlinkSync, statSync } from 'node:fs'
import { hostname, release } from 'node:os'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import type { Socket } from '../model/socket.js'
import { scanDiag, decodeSocket } from '../kernel/sock-diag/parse.js'
import { SOCK_DIAG_BY_FAMILY, TCPDIAG_GETSOCK, NLMSG_DONE } from '../kernel/sock-diag/constants.js'
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, snapshotProblem } from './schema.js'
import { msg, type Msg } from '../i18n/index.js'

export { SNAPSHOT_FORMAT, SNAPSHOT_VERSION }

/** Node cannot hold a longer string; a larger snapshot is refused with this stated. */
export const MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024

export interface SnapshotNamespace {
  netns: string
  source: string
  sockets: Socket[]
}

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT
  version: number
  takenAt: string
  hostname: string
  kernel: string
  owners: { pidsDenied: number } | null
  namespaces: SnapshotNamespace[]
  /** Extensions by other areas (counters, sysctls, kernel log), validated by schema.ts. */
  [extension: string]: unknown
}

export function makeSnapshot(namespaces: SnapshotNamespace[], owners: Snapshot['owners'], extra: Record<string, unknown> = {}): Snapshot {
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, takenAt: new Date().toISOString(), hostname: hostname(), kernel: release(), owners, namespaces, ...extra }
}

/** The document text (what `snapshot -o -` prints). */
export function snapshotText(snap: Snapshot): string {
  return JSON.stringify(snap) + '\n'
}

/**
 * Writes atomically (temp file + rename) so a killed run never leaves half a snapshot; a failed
 * write removes its own temp file (and nothing else).
 */
export function writeSnapshot(file: string, snap: Snapshot): void {
  const tmp = `${file}.tmp-${process.pid}`
  let wrote = false
  try {
    writeFileSync(tmp, snapshotText(snap), { flag: 'wx' })
    wrote = true
    renameSync(tmp, file)
  } catch (err) {
    if (wrote) {
      try {
        unlinkSync(tmp)
      } catch {
        // already gone: nothing of ours is left behind
      }
    }
    throw fromSystemError(err, msg('err.snapshot.writingSnapshot', { file }))
  }
}

function bad(file: string, what: Msg): TcpdoctorError {
  return new TcpdoctorError('TD_SNAPSHOT_FORMAT', msg('err.snapshot.bad', { file, what }), { hint: msg('hint.snapshot.makeOneWithTcpdoctor') })
}

/** Reads and validates a snapshot or an `ss -D` dump; TD_SNAPSHOT_FORMAT names what is wrong. */
export function readSnapshot(file: string): Snapshot {
  let bytes: Buffer
  try {
    const size = statSync(file).size
    if (size > MAX_SNAPSHOT_BYTES) throw bad(file, msg('err.snapshot.bytesMoreThanThe', { size, MAX_SNAPSHOT_BYTES }))
    bytes = readFileSync(file)
  } catch (err) {
    throw fromSystemError(err, msg('err.snapshot.snapshot', { file }))
  }
  let mtime = new Date()
  try {
    mtime = statSync(file).mtime
  } catch {
    // the time is only informative
  }
  return parseSnapshotBytes(bytes, file, mtime)
}

/** True when the bytes start like a netlink sock_diag reply (what `ss -D` records). */
export function looksLikeDiagDump(b: Uint8Array): boolean {
  if (b.length < 16) return false
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength)
  const len = dv.getUint32(0, true)
  const type = dv.getUint16(4, true)
  return len >= 16 && len <= b.length && (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK || type === NLMSG_DONE)
}

/** Parses snapshot bytes: a JSON snapshot, or an `ss -D` dump. Pure but for `takenAt`. */
export function parseSnapshotBytes(bytes: Uint8Array, file = 'snapshot', takenAt = new Date()): Snapshot {
  let i = 0
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++
  if (bytes[i] === 0x7b /* { */) {
    let text: string
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      throw bad(file, msg('err.snapshot.notUtf8Text'))
    }
    return parseSnapshot(text, file)
  }
  if (looksLikeDiagDump(bytes)) return fromDiagDump(bytes, file, takenAt)
  if (bytes.length === 0) throw bad(file, msg('err.snapshot.emptyFile'))
  throw bad(file, msg('err.snapshot.neitherATcpdoctorSnapshot'))
}

function fromDiagDump(bytes: Uint8Array, file: string, takenAt: Date): Snapshot {
  const sockets: Socket[] = []
  try {
    scanDiag(bytes, bytes.length, (off, bodyLen) => sockets.push(decodeSocket(bytes, off, bodyLen, { attributes: true })))
  } catch (err) {
    if (err instanceof TcpdoctorError) throw bad(file, msg('err.snapshot.ssDDump', { detail: err.msg }))
    throw err
  }
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, takenAt: takenAt.toISOString(), hostname: '', kernel: '', owners: null, namespaces: [{ netns: '', source: 'ss -D', sockets }] }
}

/** Parses snapshot text and validates every field. Pure. */
export function parseSnapshot(text: string, file = 'snapshot'): Snapshot {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw bad(file, msg('err.common.notJson', { detail: (err as Error).message.slice(0, 120) }))
  }
  const d = doc as Record<string, unknown> | null
  // The two checks users hit first get their own words; the schema names every other problem.
  if (d && typeof d === 'object' && d.format !== SNAPSHOT_FORMAT) throw bad(file, msg('err.snapshot.formatIsExpected', { format: JSON.stringify(d.format)?.slice(0, 60), SNAPSHOT_FORMAT }))
  const problem = snapshotProblem(doc)
  if (problem) throw bad(file, problem)
  return doc as Snapshot
}
