/**
 * @module
 * The one loop over --netns targets: resolve the spec, read each namespace, and with `all` skip
 * a namespace whose last process exited between listing and reading it (anything else throws).
 */
import { TcpdoctorError } from '../errors.js'
import { resolveNetns, type NetnsTarget } from '../kernel/netns.js'

/** A namespace that disappeared between listing and reading it. */
export function vanished(err: unknown): boolean {
  return err instanceof TcpdoctorError && (err.code === 'TD_NOT_FOUND' || (err.cause as { code?: string } | undefined)?.code === 'EINVAL')
}

export interface PerNamespace<T> {
  target: NetnsTarget
  value: T
}

/** Reads every namespace the spec names (undefined: the current one), in order. */
export function eachNamespace<T>(spec: string | undefined, procRoot: string | undefined, read: (target: NetnsTarget) => T): PerNamespace<T>[] {
  const out: PerNamespace<T>[] = []
  for (const target of resolveNetns(spec, procRoot)) {
    try {
      out.push({ target, value: read(target) })
    } catch (err) {
      if (spec === 'all' && vanished(err)) continue
      throw err
    }
  }
  return out
}
