/**
 * @module
 * Reads what tune audits: sysctl values under <procRoot>/sys (global keys from the initial
 * namespace when we are in another one) and sysctl.d configuration lines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ConfigLine, KeySpec, SysctlValue } from './types.js'
import { inChildNetns, readInInitialNetns } from './init-netns.js'

/** Path of a dotted key under a proc root. */
export function sysctlPath(procRoot: string, key: string): string {
  return join(procRoot, 'sys', ...key.split('.'))
}

/** Sysctl text with runs of whitespace (tabs between tcp_mem fields) folded to one space. */
export function normalizeValue(text: string): string {
  return text.trim().split(/\s+/).join(' ')
}

function readOne(path: string): string | undefined {
  try {
    return normalizeValue(readFileSync(path, 'utf8'))
  } catch {
    return undefined // the key does not exist on this kernel or in this namespace
  }
}

export interface ReadOptions {
  procRoot: string
  /** Read missing global keys from the initial namespace (real /proc only). */
  initialFallback: boolean
}

/** Reads every key; global keys missing here come from the initial namespace when allowed. */
export function readSysctls(specs: readonly KeySpec[], opts: ReadOptions): { values: Map<string, SysctlValue>; childNetns: boolean } {
  const values = new Map<string, SysctlValue>()
  const childNetns = opts.initialFallback && inChildNetns(opts.procRoot)
  const globalsMissing: KeySpec[] = []
  for (const spec of specs) {
    const value = readOne(sysctlPath(opts.procRoot, spec.key))
    if (value !== undefined) values.set(spec.key, { key: spec.key, value, from: 'netns' })
    else {
      values.set(spec.key, { key: spec.key, from: 'missing' })
      if (spec.scope === 'global' && childNetns) globalsMissing.push(spec)
    }
  }
  if (globalsMissing.length) {
    const files = globalsMissing.map((s) => sysctlPath('/proc', s.key))
    const got = readInInitialNetns(files, opts.procRoot)
    globalsMissing.forEach((spec, i) => {
      const text = got.get(files[i]!)
      if (text !== undefined) values.set(spec.key, { key: spec.key, value: normalizeValue(text), from: 'initial' })
    })
  }
  return { values, childNetns }
}

/** The files systemd-sysctl reads, in its order (sysctl.d(5)); with dir, only dir/*.conf. */
export function configFiles(dir?: string): string[] {
  const dirs = dir ? [dir] : ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d']
  const files: string[] = []
  for (const d of dirs) {
    let names: string[]
    try {
      names = readdirSync(d)
    } catch {
      continue // the directory does not exist on this distribution
    }
    for (const n of names.sort()) if (n.endsWith('.conf')) files.push(join(d, n))
  }
  if (!dir && existsSync('/etc/sysctl.conf')) files.push('/etc/sysctl.conf')
  return files
}

/** Parses sysctl.conf text: "key = value" lines, # and ; comments, a leading - ignores errors. */
export function parseSysctlConf(text: string, file: string): ConfigLine[] {
  const out: ConfigLine[] = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) return
    const eq = line.indexOf('=')
    if (eq < 0) return
    const key = line.slice(0, eq).trim().replace(/^-/, '').replace(/\//g, '.')
    out.push({ file, line: i + 1, key, value: normalizeValue(line.slice(eq + 1)) })
  })
  return out
}

/** Every net.* line of the configuration files. */
export function readConfigs(dir?: string): ConfigLine[] {
  const out: ConfigLine[] = []
  for (const f of configFiles(dir)) {
    try {
      out.push(...parseSysctlConf(readFileSync(f, 'utf8'), f).filter((l) => l.key.startsWith('net.')))
    } catch {
      continue // unreadable file (permissions): nothing to audit there
    }
  }
  return out
}
