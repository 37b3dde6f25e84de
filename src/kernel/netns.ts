/**
 * @module
 * Network namespaces: the named ones in /run/netns and every distinct one held by a process
 * under /proc/<pid>/ns/net, each with a label. Entering one is done by the addon (setns).
 */
import { existsSync, readdirSync, readlinkSync, statSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError, errnoCode } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface NetnsTarget {
  /** Shown in output: the name in /run/netns, "host" for pid 1's namespace, else net:[inode]. */
  label: string
  /** A file that refers to the namespace (for setns); undefined means "the one we are in". */
  path: string | undefined
  /** A process in the namespace, when one was found (lets /proc/<pid>/net/tcp read it without setns). */
  pid?: number
  inode: number
}

const RUN_NETNS = '/run/netns'

function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino
  } catch {
    return undefined // the namespace file vanished or is unreadable: skip it
  }
}

/** include/linux/proc_ns.h PROC_NET_INIT_INO (Linux 6.x): the initial namespace's fixed inode. Dynamic inodes start at 0xF0000000, so no other namespace can have it. */
export const PROC_NET_INIT_INO = 0xeffffff9

/**
 * The inode of the initial ("host") network namespace. /proc/1/ns/net may be unreadable even for
 * root (ptrace restrictions, a container's pid 1); then the namespace we run in is the host's
 * when its /proc/sys has net.ipv4.tcp_mem (registered only in the initial namespace), else the
 * kernel's fixed inode for it.
 */
export function hostNetnsInode(procRoot = '/proc'): number {
  const pid1 = inodeOf(join(procRoot, '1', 'ns', 'net'))
  if (pid1 !== undefined) return pid1
  const self = currentNetnsInode(procRoot)
  if (self !== undefined && existsSync(join(procRoot, 'sys', 'net', 'ipv4', 'tcp_mem'))) return self
  return PROC_NET_INIT_INO
}

/** Inode of the namespace this process is in. */
export function currentNetnsInode(procRoot = '/proc'): number | undefined {
  return inodeOf(join(procRoot, 'self', 'ns', 'net'))
}

function named(): { name: string; path: string; inode: number }[] {
  let names: string[]
  try {
    names = readdirSync(RUN_NETNS)
  } catch {
    return [] // no named namespaces on this host
  }
  const out = []
  for (const name of names.sort()) {
    const path = join(RUN_NETNS, name)
    const inode = inodeOf(path)
    if (inode !== undefined) out.push({ name, path, inode })
  }
  return out
}

/** Every distinct namespace held by a process, with the lowest pid that holds it. */
function heldByProcesses(procRoot: string): Map<number, number> {
  const byInode = new Map<number, number>()
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue
    let link: string
    try {
      link = readlinkSync(join(procRoot, entry, 'ns', 'net'))
    } catch {
      continue // the process exited, or we may not look (other user without root)
    }
    const m = /^net:\[(\d+)\]$/.exec(link)
    if (!m) continue
    const inode = Number(m[1])
    const pid = Number(entry)
    const prev = byInode.get(inode)
    if (prev === undefined || pid < prev) byInode.set(inode, pid)
  }
  return byInode
}

function commOf(procRoot: string, pid: number): string {
  try {
    return readFileSync(join(procRoot, String(pid), 'comm'), 'utf8').trim()
  } catch {
    return '?' // exited meanwhile
  }
}

/** Resolves --netns: undefined (the current one), a name, a path, a pid, or "all". */
export function resolveNetns(spec: string | undefined, procRoot = '/proc'): NetnsTarget[] {
  const self = currentNetnsInode(procRoot)
  const hostInode = hostNetnsInode(procRoot)
  const labelFor = (inode: number, name?: string): string => name ?? (inode === hostInode ? 'host' : `net:[${inode}]`)
  const target = (inode: number, path: string, label: string, pid?: number): NetnsTarget => ({
    label, inode, pid, path: inode === self ? undefined : path,
  })
  if (spec === undefined || spec === '') return [{ label: labelFor(self ?? 0), path: undefined, inode: self ?? 0 }]
  if (spec === 'all') {
    const out: NetnsTarget[] = []
    const seen = new Set<number>()
    const held = heldByProcesses(procRoot)
    for (const n of named()) {
      if (seen.has(n.inode)) continue
      seen.add(n.inode)
      out.push(target(n.inode, n.path, n.name, held.get(n.inode)))
    }
    for (const [inode, pid] of [...held].sort((a, b) => a[1] - b[1])) {
      if (seen.has(inode)) continue
      seen.add(inode)
      const label = inode === hostInode ? 'host' : `net:[${inode}] pid ${pid} (${commOf(procRoot, pid)})`
      out.push(target(inode, join(procRoot, String(pid), 'ns', 'net'), label, pid))
    }
    return out
  }
  let path: string
  let label = spec
  if (/^\d+$/.test(spec)) {
    path = join(procRoot, spec, 'ns', 'net')
    label = `pid ${spec}`
  } else if (spec.includes('/')) path = spec
  else path = join(RUN_NETNS, spec)
  let inode: number
  try {
    inode = statSync(path).ino
  } catch (err) {
    const code = errnoCode(err)
    if (code === 'EACCES' || code === 'EPERM') throw new TcpdoctorError('TD_PERMISSION', msg('err.kernel.networkNamespacePermissionDenied', { spec }), { cause: err })
    throw new TcpdoctorError('TD_NOT_FOUND', msg('err.kernel.noNetworkNamespaceLooked', { spec, path }), {
      cause: err,
      hint: msg('hint.kernel.namedNamespacesOrGive', { names: named().map((n) => n.name).join(', ') || msg('hint.kernel.none') }),
    })
  }
  const pid = /^\d+$/.test(spec) ? Number(spec) : heldByProcesses(procRoot).get(inode)
  return [target(inode, path, label, pid)]
}
