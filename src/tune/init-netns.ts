/**
 * @module
 * Global sysctls (tcp_mem, tcp_max_orphans, tcp_low_latency) exist only in the initial network
 * namespace: inside any other one /proc/sys/net/ipv4/tcp_mem is missing. /proc/sys always shows
 * the reader's namespace, so reading them means entering the initial one: nsenter(1) on a
 * process that lives there. The initial namespace has a fixed inode (PROC_NET_INIT_INO).
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { debug } from '../debug.js'
import { readNetnsFiles } from '../kernel/netns-files.js'
import { tryNative } from '../kernel/native.js'

/** include/linux/proc_ns.h: PROC_NET_INIT_INO = 0xEFFFFFF9. */
export const INIT_NET_INODE = 0xeffffff9

function netnsInode(procRoot: string, pid: string): number | undefined {
  try {
    const m = /^net:\[(\d+)\]$/.exec(readlinkSync(join(procRoot, pid, 'ns', 'net')))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined // exited, or not ours to look at
  }
}

/** True when this process is not in the initial network namespace. */
export function inChildNetns(procRoot = '/proc'): boolean {
  const ino = netnsInode(procRoot, 'self')
  return ino !== undefined && ino !== INIT_NET_INODE
}

/** A process that lives in the initial network namespace, for nsenter. */
function initialNetnsPid(procRoot: string): string | undefined {
  for (const entry of readdirSync(procRoot)) {
    if (/^\d+$/.test(entry) && netnsInode(procRoot, entry) === INIT_NET_INODE) return entry
  }
  return undefined
}

/**
 * Reads /proc/sys files in the initial namespace (needs CAP_SYS_ADMIN and nsenter). Returns a
 * map file -> text; files that could not be read are absent, with the reason in debug output.
 */
export function readInInitialNetns(files: readonly string[], procRoot = '/proc'): Map<string, string> {
  const out = new Map<string, string>()
  if (files.length === 0) return out
  const pid = initialNetnsPid(procRoot)
  if (!pid) {
    debug('no process visible in the initial network namespace')
    return out
  }
  // With the addon: read on a thread that entered the namespace (no nsenter, one pass).
  const inode = netnsInode(procRoot, pid)
  if (tryNative() && procRoot === '/proc' && inode !== undefined) {
    try {
      const target = { label: 'initial', path: join(procRoot, pid, 'ns', 'net'), inode }
      const rels = files.map((f) => f.replace(/^\/proc\//, ''))
      readNetnsFiles(target, rels, procRoot).forEach((r, i) => {
        if ('text' in r) out.set(files[i]!, r.text)
      })
      return out
    } catch (err) {
      debug('reading the initial network namespace through the addon failed: %s; trying nsenter', (err as Error).message)
    }
  }
  for (const file of files) {
    try {
      out.set(file, execFileSync('nsenter', [`--net=${join(procRoot, pid, 'ns', 'net')}`, '--', 'cat', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }))
    } catch (err) {
      debug('reading %s in the initial network namespace failed: %s', file, (err as Error).message)
    }
  }
  return out
}
