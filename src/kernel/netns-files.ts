/**
 * @module
 * Reads /proc files as a network namespace sees them: /proc/net/* (snmp, netstat, sockstat,
 * tcp...) and /proc/sys/net/* (sysctls). For another namespace the addon reads them on a thread
 * that setns()es into it (/proc/thread-self/net is that thread's view; /proc/sys/net resolves to
 * the opener's namespace), so nothing depends on a /proc/PID path of a process that may exit.
 * Without the addon, /proc/net files fall back to /proc/PID/net of a process in the namespace,
 * checked to still be in it after the read; /proc/sys cannot be read that way at all.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, errnoCode, fromSystemError } from '../errors.js'
import type { NetnsTarget } from './netns.js'
import { tryNative } from './native.js'
import { msg } from '../i18n/index.js'

/** One file's content, a directory's entry names, or the errno name of why it could not be read. */
export type NetnsFile = { text: string } | { entries: string[] } | { error: string }

/** A path relative to the proc root: 'net/snmp', 'sys/net/ipv4/tcp_mem', 'sys/kernel/osrelease'. */
export type ProcPath = string

function readLocal(procRoot: string, rel: ProcPath): NetnsFile {
  const path = join(procRoot, rel)
  try {
    if (statSync(path).isDirectory()) return { entries: readdirSync(path) }
    return { text: readFileSync(path, 'latin1') }
  } catch (err) {
    return { error: errnoCode(err) ?? 'EIO' }
  }
}

/** The absolute path the namespace thread opens for a proc-relative path. */
function threadPath(rel: ProcPath): string {
  return rel === 'net' || rel.startsWith('net/') ? `/proc/thread-self/${rel}` : `/proc/${rel}`
}

function netnsInodeOfPid(procRoot: string, pid: number): number | undefined {
  try {
    return statSync(join(procRoot, String(pid), 'ns', 'net')).ino
  } catch {
    return undefined // exited
  }
}

/** The no-addon path: /proc/PID/net of a process that is (before and after) in the namespace. */
function readThroughPid(target: NetnsTarget, rels: readonly ProcPath[], procRoot: string): NetnsFile[] {
  const pid = target.pid
  const notNet = rels.find((r) => !(r === 'net' || r.startsWith('net/')))
  if (notNet !== undefined)
    throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.kernel.readingProcOfNamespace', { notNet, label: target.label }), {
      hint: msg('hint.kernel.buildItNpmRebuild', { label: target.label }),
    })
  if (pid === undefined || netnsInodeOfPid(procRoot, pid) !== target.inode)
    throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.kernel.cannotReadNamespaceWithout', { label: target.label }), {
      hint: msg('hint.kernel.buildItNpmRebuild', { label: target.label }),
    })
  const out = rels.map((r) => readLocal(procRoot, join(String(pid), r)))
  // The pid may have exited and been reused by a process elsewhere meanwhile: then the reads are not the namespace's.
  if (netnsInodeOfPid(procRoot, pid) !== target.inode)
    throw new TcpdoctorError('TD_IO', msg('err.kernel.namespaceProcessLeftIt', { label: target.label, pid }))
  return out
}

/**
 * Reads proc-relative paths as the namespace `target` sees them (undefined, or a target whose
 * path is undefined: the namespace we run in, under procRoot). Throws only when the namespace
 * itself cannot be entered (TD_PERMISSION, TD_NOT_FOUND); a file that cannot be read is an
 * `{ error }` entry.
 */
export function readNetnsFiles(target: NetnsTarget | undefined, rels: readonly ProcPath[], procRoot = '/proc'): NetnsFile[] {
  if (target?.path === undefined) return rels.map((r) => readLocal(procRoot, r))
  const native = tryNative()
  if (!native || procRoot !== '/proc') return readThroughPid(target, rels, procRoot)
  let raw: ReturnType<typeof native.netnsRead>
  try {
    raw = native.netnsRead(target.path, rels.map(threadPath))
  } catch (err) {
    throw fromSystemError(err, msg('err.kernel.enteringNetworkNamespace', { label: target.label, path: target.path }))
  }
  return raw.map((r) => ('data' in r ? { text: r.data.toString('latin1') } : 'entries' in r ? { entries: r.entries.split('\n').filter(Boolean) } : { error: r.error }))
}

/** One file's text, or a TcpdoctorError named for it (TD_NOT_FOUND, TD_PERMISSION, TD_IO). */
export function netnsFileText(f: NetnsFile, what: string): string {
  if ('text' in f) return f.text
  if ('entries' in f) throw new TcpdoctorError('TD_IO', msg('err.kernel.isADirectory', { what }))
  throw fromSystemError(Object.assign(new Error(`${what}: ${f.error}`), { code: f.error }), what)
}

/**
 * Writes proc-relative files (sysctls) as the namespace `target` sees them: inside it on a
 * namespace thread, or under procRoot for the one we run in. Returns per file null (written) or
 * the errno name. Writing another namespace needs the addon (TD_NATIVE_MISSING otherwise).
 */
export function writeNetnsFiles(target: NetnsTarget | undefined, writes: readonly { rel: ProcPath; text: string }[], procRoot = '/proc'): (string | null)[] {
  if (target?.path === undefined) {
    return writes.map((w) => {
      try {
        writeFileSync(join(procRoot, w.rel), w.text)
        return null
      } catch (err) {
        return errnoCode(err) ?? 'EIO'
      }
    })
  }
  const native = tryNative()
  if (!native || procRoot !== '/proc')
    throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.kernel.writingTheSysctlsOf', { label: target.label }), {
      hint: msg('hint.kernel.buildItNpmRebuild', { label: target.label }),
    })
  try {
    return native.netnsWrite(target.path, writes.map((w) => threadPath(w.rel)), writes.map((w) => w.text))
  } catch (err) {
    throw fromSystemError(err, msg('err.kernel.enteringNetworkNamespace', { label: target.label, path: target.path }))
  }
}
