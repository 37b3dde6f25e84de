/**
 * @module
 * Dropping root after the capture socket is open (tcpdump's -Z): the user named, else the one
 * sudo ran us for (SUDO_UID/SUDO_GID), else `nobody`. setgroups, setgid, setuid in that order;
 * glibc applies each to every thread, and a setuid away from 0 clears the capabilities.
 */
import { readFileSync } from 'node:fs'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface DroppedTo { uid: number; gid: number; user: string }

function passwd(): { name: string; uid: number; gid: number }[] {
  try {
    return readFileSync('/etc/passwd', 'utf8').split('\n').filter(Boolean).map((l) => {
      const f = l.split(':')
      return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }
    })
  } catch {
    return [] // no /etc/passwd (a minimal container): only numeric users and nobody's 65534
  }
}

/** Whom we would drop to; undefined when not root or when told to stay root (`-Z root`). */
export function dropTarget(user: string | undefined, env: NodeJS.ProcessEnv = process.env): DroppedTo | undefined {
  if (process.getuid?.() !== 0) return undefined
  if (user === 'root') return undefined
  const users = passwd()
  if (user !== undefined) {
    const u = /^\d+$/.test(user) ? users.find((x) => x.uid === Number(user)) ?? { name: user, uid: Number(user), gid: Number(user) } : users.find((x) => x.name === user)
    if (!u) throw new TcpdoctorError('TD_NOT_FOUND', msg('err.capture.noUserInEtc', { user: JSON.stringify(user) }))
    return { uid: u.uid, gid: u.gid, user: u.name }
  }
  if (env.SUDO_UID && /^\d+$/.test(env.SUDO_UID) && env.SUDO_UID !== '0') {
    const uid = Number(env.SUDO_UID)
    const gid = env.SUDO_GID && /^\d+$/.test(env.SUDO_GID) ? Number(env.SUDO_GID) : uid
    return { uid, gid, user: users.find((x) => x.uid === uid)?.name ?? String(uid) }
  }
  const nobody = users.find((x) => x.name === 'nobody') ?? { name: 'nobody', uid: 65534, gid: 65534 }
  return { uid: nobody.uid, gid: nobody.gid, user: nobody.name }
}

/** Becomes target for good (no way back to root). */
export function dropPrivileges(target: DroppedTo): void {
  try {
    process.setgroups?.([])
    process.setgid?.(target.gid)
    process.setuid?.(target.uid)
  } catch (err) {
    throw new TcpdoctorError('TD_PERMISSION', msg('err.capture.couldNotDropPrivileges', { user: target.user, detail: (err as Error).message }), { cause: err })
  }
  if (process.getuid?.() === 0 || process.geteuid?.() === 0) throw new TcpdoctorError('TD_INTERNAL', msg('err.capture.stillRootAfterSetuid'))
}
