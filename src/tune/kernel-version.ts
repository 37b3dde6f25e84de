/**
 * @module
 * Kernel versions from os.release() ("6.18.44-fc-v782"), compared numerically.
 */
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface KernelVersion {
  major: number
  minor: number
  patch: number
  release: string
}

export function parseKernelVersion(release: string): KernelVersion {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim())
  if (!m) throw new TcpdoctorError('TD_PARSE', msg('err.tune.cannotReadAKernel', { release }))
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), release: release.trim() }
}

/** True when v is the given "major.minor" or newer. */
export function atLeast(v: KernelVersion, version: string): boolean {
  const [maj = 0, min = 0] = version.split('.').map(Number)
  return v.major > maj || (v.major === maj && v.minor >= min)
}
