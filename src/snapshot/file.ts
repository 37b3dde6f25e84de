/**
 * @module
 * Snapshot files: everything the socket view saw, as one JSON document (format
 * "tcpdoctor-snapshot", version 1; docs/json.md). Other areas add fields (counters, sysctls);
 * readers ignore what they do not know.
 */
import { readFileSync, writeFileSync, renameSync } from 'node:fs'
import { hostname, release } from 'node:os'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import type { Socket } from '../model/socket.js'
import { STATE_NAMES } from '../model/state.js'

export const SNAPSHOT_FORMAT = 'tcpdoctor-snapshot'
export const SNAPSHOT_VERSION = 1

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
  /** Extensions by other areas (counters, sysctls, kernel log); readers ignore unknown keys. */
  [extension: string]: unknown
}

export function makeSnapshot(namespaces: SnapshotNamespace[], owners: Snapshot['owners'], extra: Record<string, unknown> = {}): Snapshot {
  return { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, takenAt: new Date().toISOString(), hostname: hostname(), kernel: release(), owners, namespaces, ...extra }
}

/** Writes atomically (temp file + rename) so a killed run never leaves half a snapshot. */
export function writeSnapshot(file: string, snap: Snapshot): void {
  const tmp = `${file}.tmp-${process.pid}`
  try {
    writeFileSync(tmp, JSON.stringify(snap) + '\n')
    renameSync(tmp, file)
  } catch (err) {
    throw fromSystemError(err, `writing snapshot ${file}`)
  }
}

const states = new Set<string>(STATE_NAMES)

function bad(file: string, what: string): TcpdoctorError {
  return new TcpdoctorError('TD_SNAPSHOT_FORMAT', `${file}: ${what}`, { hint: 'make one with `tcpdoctor snapshot -o FILE`' })
}

/** Reads and validates a snapshot; TD_SNAPSHOT_FORMAT names what is wrong. */
export function readSnapshot(file: string): Snapshot {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw fromSystemError(err, `snapshot ${file}`)
  }
  return parseSnapshot(text, file)
}

/** Parses snapshot text. Pure. */
export function parseSnapshot(text: string, file = 'snapshot'): Snapshot {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw bad(file, `not JSON (${(err as Error).message})`)
  }
  if (!doc || typeof doc !== 'object') throw bad(file, 'not an object')
  const d = doc as Record<string, unknown>
  if (d.format !== SNAPSHOT_FORMAT) throw bad(file, `format is ${JSON.stringify(d.format)}, expected "${SNAPSHOT_FORMAT}"`)
  if (typeof d.version !== 'number' || d.version > SNAPSHOT_VERSION) throw bad(file, `version ${String(d.version)} is newer than this tcpdoctor reads (${SNAPSHOT_VERSION})`)
  if (!Array.isArray(d.namespaces)) throw bad(file, 'no namespaces array')
  d.namespaces.forEach((ns: unknown, i: number) => {
    if (!ns || typeof ns !== 'object') throw bad(file, `namespaces[${i}] is not an object`)
    const n = ns as Record<string, unknown>
    if (typeof n.netns !== 'string' || !Array.isArray(n.sockets)) throw bad(file, `namespaces[${i}] lacks netns or sockets`)
    n.sockets.forEach((s: unknown, j: number) => {
      const where = `namespaces[${i}].sockets[${j}]`
      if (!s || typeof s !== 'object') throw bad(file, `${where} is not an object`)
      const o = s as Record<string, unknown>
      if (typeof o.state !== 'string' || !states.has(o.state)) throw bad(file, `${where}: unknown state ${JSON.stringify(o.state)}`)
      for (const side of ['local', 'remote']) {
        const ep = o[side] as Record<string, unknown> | undefined
        if (!ep || typeof ep.address !== 'string' || typeof ep.port !== 'number') throw bad(file, `${where}: bad ${side} endpoint`)
      }
      if (typeof o.inode !== 'number') throw bad(file, `${where}: inode is not a number`)
    })
  })
  return d as Snapshot
}
