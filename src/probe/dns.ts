/**
 * @module
 * `resolve()`: what an application gets for a name (getaddrinfo: /etc/hosts and nsswitch.conf,
 * then DNS) next to what each nameserver of resolv.conf (or the given servers) answers, with
 * timings, the CNAME chain, and the reasons when they differ or fail. The wire format is
 * dns-packet's; only what reads replies into our result is ours (decodeReply, fuzzed).
 */
import { createSocket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { readFile } from 'node:fs/promises'
import { connect as tcpConnect, isIP } from 'node:net'
import * as packet from 'dns-packet'
import { TcpdoctorError } from '../errors.js'
import { msg, type Msg } from '../i18n/index.js'

export type DnsType = 'A' | 'AAAA'
export type DnsStatus = 'NOERROR' | 'NODATA' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'UNREACHABLE' | 'FORMERR' | 'OTHER'

export interface ServerAnswer {
  server: string
  type: DnsType
  status: DnsStatus
  /** the rcode as the server sent it (null without a reply) */
  rcode: string | null
  ms: number | null
  addresses: string[]
  /** the CNAME chain from the asked name to the last alias, in order */
  cname: string[]
  authoritative: boolean
  /** the UDP reply was truncated and the query was repeated over TCP */
  tcp: boolean
}

export interface HostsEntry {
  file: string
  line: number
  address: string
  names: string[]
}

export interface DnsFinding {
  code: 'HOSTS_OVERRIDE' | 'APP_DIFFERS' | 'SERVERS_DISAGREE' | DnsStatus
  server?: string
  type?: DnsType
  /** values for the message */
  vars: Record<string, string | number>
}

export interface DnsReport {
  name: string
  app: { addresses: string[]; error: string | null; ms: number }
  hosts: HostsEntry[]
  servers: ServerAnswer[]
  findings: DnsFinding[]
  /** app and every answering server agree and the app got an address */
  ok: boolean
}

export interface ResolveOptions {
  /** nameservers to ask instead of resolv.conf's */
  servers?: string[]
  /** resolv.conf to read the nameservers from (default /etc/resolv.conf) */
  resolvConf?: string
  /** hosts file to show matching lines from (default /etc/hosts; getaddrinfo reads the system's) */
  hostsFile?: string
  types?: DnsType[]
  /** ms per query (default 2000) */
  timeout?: number
  signal?: AbortSignal
}

/** The nameservers and options of a resolv.conf text. Pure. */
export function parseResolvConf(text: string): { nameservers: string[]; search: string[]; timeout: number; attempts: number } {
  const out = { nameservers: [] as string[], search: [] as string[], timeout: 5, attempts: 2 }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    const [key, ...rest] = line.split(/\s+/)
    if (key === 'nameserver' && rest[0] && isIP(rest[0].split('%')[0]!)) out.nameservers.push(rest[0])
    else if ((key === 'search' || key === 'domain') && rest.length) out.search = rest
    else if (key === 'options')
      for (const o of rest) {
        const m = /^(timeout|attempts):(\d+)$/.exec(o)
        if (m) out[m[1] as 'timeout' | 'attempts'] = Number(m[2])
      }
  }
  return out
}

/** Every line of a hosts file that names `name` (case-insensitive). Pure. */
export function parseHosts(text: string, file: string, name?: string): HostsEntry[] {
  const out: HostsEntry[] = []
  text.split('\n').forEach((raw, i) => {
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean)
    if (fields.length < 2 || !isIP(fields[0]!)) return
    const names = fields.slice(1)
    if (name === undefined || names.some((n) => n.toLowerCase() === name.toLowerCase())) out.push({ file, line: i + 1, address: fields[0]!, names })
  })
  return out
}

export function checkName(name: string): void {
  const n = name.endsWith('.') ? name.slice(0, -1) : name
  if (!n || n.length > 253 || n.split('.').some((l) => l.length === 0 || l.length > 63) || /[\s/\\]/.test(n))
    throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.notAValidDns', { name: JSON.stringify(name) }), { hint: msg('hint.probe.labelsOf163') })
}

export interface DecodedReply {
  id: number
  rcode: string
  truncated: boolean
  authoritative: boolean
  addresses: string[]
  cname: string[]
}

/**
 * Reads a reply to a question (name, type) into addresses and the CNAME chain. Any bytes give a
 * result or a TD_PARSE error, never another exception (fuzzed in dns.test.ts).
 */
export function decodeReply(buf: Buffer, name: string, type: DnsType): DecodedReply {
  let p: packet.DecodedPacket & { rcode?: string }
  try {
    p = packet.decode(buf) as packet.DecodedPacket & { rcode?: string }
  } catch (err) {
    throw new TcpdoctorError('TD_PARSE', msg('err.probe.aDnsReplyThat', { bytes: buf.length, detail: (err as Error).message }), { cause: err })
  }
  if (!p || typeof p !== 'object' || p.type !== 'response') throw new TcpdoctorError('TD_PARSE', msg('err.probe.aDnsMessageThat'))
  const answers = (Array.isArray(p.answers) ? p.answers : []) as { type: string; name?: unknown; data?: unknown }[]
  const cname: string[] = []
  let current = name.toLowerCase().replace(/\.$/, '')
  const seen = new Set<string>([current])
  for (let i = 0; i < answers.length; i++) {
    const next = answers.find((a) => a.type === 'CNAME' && typeof a.name === 'string' && a.name.toLowerCase().replace(/\.$/, '') === current)
    if (!next || typeof next.data !== 'string') break
    current = next.data.toLowerCase().replace(/\.$/, '')
    if (seen.has(current)) break // a CNAME loop
    seen.add(current)
    cname.push(current)
  }
  const addresses = answers
    .filter((a) => a.type === type && typeof a.data === 'string' && isIP(a.data) && typeof a.name === 'string' && seen.has(a.name.toLowerCase().replace(/\.$/, '')))
    .map((a) => a.data as string)
  return { id: typeof p.id === 'number' ? p.id : -1, rcode: typeof p.rcode === 'string' ? p.rcode : 'OTHER', truncated: p.flag_tc === true, authoritative: p.flag_aa === true, addresses: [...new Set(addresses)].sort(), cname }
}

function query(name: string, type: DnsType, id: number): packet.Packet {
  return { type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }
}

function statusOf(r: DecodedReply): DnsStatus {
  if (r.rcode === 'NOERROR') return r.addresses.length ? 'NOERROR' : 'NODATA'
  return (['NXDOMAIN', 'SERVFAIL', 'REFUSED', 'FORMERR'] as const).find((s) => s === r.rcode) ?? 'OTHER'
}

function splitServer(server: string): { host: string; port: number } {
  const m = /^\[(.+)\]:(\d+)$/.exec(server) ?? /^([^:]+):(\d+)$/.exec(server)
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: server, port: 53 }
}

async function askUdp(server: string, name: string, type: DnsType, timeoutMs: number, signal?: AbortSignal): Promise<ServerAnswer> {
  const { host, port } = splitServer(server)
  const base: ServerAnswer = { server, type, status: 'TIMEOUT', rcode: null, ms: null, addresses: [], cname: [], authoritative: false, tcp: false }
  const id = Math.floor(Math.random() * 0xffff)
  const sock = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4')
  const started = performance.now()
  try {
    return await new Promise<ServerAnswer>((resolve) => {
      const timer = setTimeout(() => resolve(base), timeoutMs)
      const stop = (): void => resolve(base)
      signal?.addEventListener('abort', stop, { once: true })
      const done = (a: ServerAnswer): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', stop)
        resolve(a)
      }
      sock.on('error', (err: NodeJS.ErrnoException) => done({ ...base, status: 'UNREACHABLE', rcode: null, ms: Math.round((performance.now() - started) * 100) / 100, addresses: [], cname: [], ...(err.code ? {} : {}) }))
      sock.on('message', (msg) => {
        let r: DecodedReply
        try {
          r = decodeReply(msg, name, type)
        } catch {
          return // not a DNS reply: keep waiting (a spoofed or broken datagram)
        }
        if (r.id !== id) return
        const ms = Math.round((performance.now() - started) * 100) / 100
        if (r.truncated) {
          askTcp(host, port, name, type, timeoutMs).then((t) => done(t ? { ...t, server, ms: Math.round((performance.now() - started) * 100) / 100 } : { ...base, ms }))
          return
        }
        done({ ...base, status: statusOf(r), rcode: r.rcode, ms, addresses: r.addresses, cname: r.cname, authoritative: r.authoritative })
      })
      sock.connect(port, host, () => sock.send(packet.encode(query(name, type, id))))
    })
  } finally {
    sock.close()
  }
}

async function askTcp(host: string, port: number, name: string, type: DnsType, timeoutMs: number): Promise<ServerAnswer | null> {
  const id = Math.floor(Math.random() * 0xffff)
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port, timeout: timeoutMs })
    let buf = Buffer.alloc(0)
    const end = (v: ServerAnswer | null): void => {
      s.destroy()
      resolve(v)
    }
    s.on('connect', () => s.write(packet.streamEncode(query(name, type, id))))
    s.on('timeout', () => end(null))
    s.on('error', () => end(null))
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d])
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return
      try {
        const r = decodeReply(buf.subarray(2, 2 + buf.readUInt16BE(0)), name, type)
        end({ server: host, type, status: statusOf(r), rcode: r.rcode, ms: null, addresses: r.addresses, cname: r.cname, authoritative: r.authoritative, tcp: true })
      } catch {
        end(null)
      }
    })
  })
}

async function readText(file: string, what: string | Msg): Promise<string> {
  try {
    return await readFile(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return '' // no hosts file / no resolv.conf: glibc treats it as empty too
    throw new TcpdoctorError('TD_IO', msg('err.probe.reading', { what, file, detail: (err as Error).message }), { cause: err })
  }
}

const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** The application's view against each nameserver's, with findings. */
export async function resolve(name: string, options: ResolveOptions = {}): Promise<DnsReport> {
  if (typeof name !== 'string') throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.aNameIsNeeded'))
  checkName(name)
  if (isIP(name)) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.isAnAddressNot', { name }), { hint: msg('hint.probe.dnsLooksNamesUp') })
  const types = options.types ?? ['A', 'AAAA']
  const timeout = options.timeout ?? 2000
  if (!(Number.isFinite(timeout) && timeout > 0 && timeout <= 60_000)) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.timeoutMustBe1', { timeout }))
  const hostsFile = options.hostsFile ?? '/etc/hosts'
  const resolvFile = options.resolvConf ?? '/etc/resolv.conf'
  for (const s of options.servers ?? []) {
    const { host, port } = splitServer(s)
    if (!isIP(host) || !(Number.isInteger(port) && port >= 1 && port <= 65_535))
      throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.probe.serverTakesAnIp', { s: JSON.stringify(s) }))
  }
  const servers = options.servers?.length ? options.servers : parseResolvConf(await readText(resolvFile, 'resolv.conf')).nameservers
  const hosts = parseHosts(await readText(hostsFile, msg('err.probe.hostsFile')), hostsFile, name.replace(/\.$/, ''))

  const appStart = performance.now()
  const appP = lookup(name, { all: true, family: types.length === 1 ? (types[0] === 'A' ? 4 : 6) : 0 })
    .then((r) => ({ addresses: [...new Set(r.map((x) => x.address))].sort(), error: null as string | null }))
    .catch((err: NodeJS.ErrnoException) => ({ addresses: [] as string[], error: err.code ?? 'ERROR' }))
    .then((r) => ({ ...r, ms: Math.round((performance.now() - appStart) * 100) / 100 }))
  const answers = await Promise.all(servers.flatMap((s) => types.map((ty) => askUdp(s, name, ty, timeout, options.signal))))
  const app = await appP

  const findings: DnsFinding[] = []
  for (const a of answers) if (a.status !== 'NOERROR' && !findings.some((f) => f.code === a.status && f.server === a.server)) findings.push({ code: a.status, server: a.server, type: a.type, vars: { server: a.server, type: a.type, ms: timeout } })
  // what DNS says: the first server (resolv.conf order) that answered, per type
  const dnsAddrs = [...new Set(types.flatMap((ty) => answers.find((a) => a.type === ty && a.rcode !== null)?.addresses ?? []))].sort()
  for (const ty of types) {
    const replied = answers.filter((a) => a.type === ty && (a.status === 'NOERROR' || a.status === 'NODATA' || a.status === 'NXDOMAIN'))
    const first = replied[0]
    const odd = replied.filter((a) => !same(a.addresses, first!.addresses) || a.status !== first!.status)
    if (first && odd.length) findings.push({ code: 'SERVERS_DISAGREE', type: ty, vars: { detail: replied.map((a) => `${a.server} ${ty} ${a.addresses.join(' ') || a.status}`).join('; ') } })
  }
  const anyDnsReply = answers.some((a) => a.rcode !== null)
  if (hosts.length && anyDnsReply && !same(app.addresses, dnsAddrs) && app.addresses.some((x) => hosts.some((h) => h.address === x)))
    findings.push({ code: 'HOSTS_OVERRIDE', vars: { app: app.addresses.join(' '), file: hosts[0]!.file, line: hosts[0]!.line, dns: dnsAddrs.join(' ') || 'nothing' } })
  else if (anyDnsReply && !same(app.addresses, dnsAddrs) && dnsAddrs.length)
    findings.push({ code: 'APP_DIFFERS', vars: { app: app.addresses.join(' ') || app.error || 'nothing', dns: dnsAddrs.join(' ') } })
  const trouble = findings.some((f) => f.code !== 'NODATA')
  return { name, app, hosts, servers: answers, findings, ok: app.addresses.length > 0 && !trouble }
}
