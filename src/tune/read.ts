/**
 * @module
 * Reads what tune audits: sysctl values under <procRoot>/sys, or as another namespace sees them
 * (read on a thread inside it; global keys from the initial namespace when the target is
 * another one), and sysctl.d configuration lines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { TcpdoctorError } from '../errors.js'
import { readNetnsFiles } from '../kernel/netns-files.js'
import { hostNetnsInode, type NetnsTarget } from '../kernel/netns.js'
import type { ConfigLine, KeySpec, SysctlValue } from './types.js'
import { inChildNetns, readInInitialNetns } from './init-netns.js'
import { msg } from '../i18n/index.js'

/** Path of a dotted key under a proc root. */
export function sysctlPath(procRoot: string, key: string): string {
  return join(procRoot, 'sys', ...key.split('.'))
}

/** Sysctl text with runs of whitespace (tabs between tcp_mem fields) folded to one space. */
export function normalizeValue(text: string): string {
  return text.trim().split(/\s+/).join(' ')
}

export interface ReadOptions {
  procRoot: string
  /** Read missing global keys from the initial namespace (real /proc only). */
  initialFallback: boolean
  /** Read as this namespace sees them (tune --netns); default: the one we run in. */
  netns?: NetnsTarget
}

/** net.ipv4.tcp_mem -> sys/net/ipv4/tcp_mem */
export function sysctlRel(key: string): string {
  return ['sys', ...key.split('.')].join('/')
}

/**
 * Reads every key (inside opts.netns when given); global keys missing there come from the
 * initial namespace when allowed. TD_NOT_FOUND when not one key could be read: an audit of
 * nothing must not look like a healthy host.
 */
export function readSysctls(specs: readonly KeySpec[], opts: ReadOptions): { values: Map<string, SysctlValue>; childNetns: boolean } {
  const values = new Map<string, SysctlValue>()
  const other = opts.netns?.path !== undefined
  const selfChild = inChildNetns(opts.procRoot)
  const childNetns = other ? opts.netns!.inode !== hostNetnsInode(opts.procRoot) : opts.initialFallback && selfChild
  const globalsMissing: KeySpec[] = []
  const files = readNetnsFiles(opts.netns, specs.map((s) => sysctlRel(s.key)), opts.procRoot)
  specs.forEach((spec, i) => {
    const f = files[i]!
    if ('text' in f) values.set(spec.key, { key: spec.key, value: normalizeValue(f.text), from: 'netns' })
    else {
      values.set(spec.key, { key: spec.key, from: 'missing' })
      if (spec.scope === 'global' && childNetns) globalsMissing.push(spec)
    }
  })
  if (![...values.values()].some((v) => v.from === 'netns')) {
    const where = other ? msg('err.tune.namespace', { label: opts.netns!.label }) : join(opts.procRoot, 'sys', 'net')
    throw new TcpdoctorError('TD_NOT_FOUND', msg('err.tune.couldNotReadAny', { where }), { hint: msg('hint.tune.giveProcRootThe') })
  }
  if (globalsMissing.length && (opts.initialFallback || other)) {
    let got: Map<string, string>
    if (other && !selfChild) {
      // We run in the initial namespace ourselves: read the global keys here.
      const local = readNetnsFiles(undefined, globalsMissing.map((s) => sysctlRel(s.key)), opts.procRoot)
      got = new Map(globalsMissing.flatMap((s, i) => { const f = local[i]!; return 'text' in f ? [[sysctlPath('/proc', s.key), f.text] as [string, string]] : [] }))
    } else got = readInInitialNetns(globalsMissing.map((s) => sysctlPath('/proc', s.key)), opts.procRoot)
    for (const spec of globalsMissing) {
      const text = got.get(sysctlPath('/proc', spec.key))
      if (text !== undefined) values.set(spec.key, { key: spec.key, value: normalizeValue(text), from: 'initial' })
    }
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
