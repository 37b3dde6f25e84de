/**
 * @module
 * The snapshot document's schema (docs/json.md): every field checked on read, so a damaged or
 * hand-edited file is TD_SNAPSHOT_FORMAT naming the JSON path, never a crash in a rule later.
 * Objects are loose: newer writers may add fields ("extend, never rename"); readers keep them.
 */
import { createRequire } from 'node:module'
import { STATE_NAMES, type StateName } from '../model/state.js'
import { TIMER_NAMES } from '../model/socket.js'
import { RESET_KINDS } from '../model/reset-kind.js'
import { inLangs, msg, type Msg } from '../i18n/index.js'

export const SNAPSHOT_FORMAT = 'tcpdoctor-snapshot'
export const SNAPSHOT_VERSION = 1

/**
 * zod is loaded on first use (synchronously, its CommonJS build): commands that never read a
 * snapshot -- `sockets`, `states` on the live kernel -- do not pay its start-up.
 */
function build() {
  const { z } = createRequire(import.meta.url)('zod') as typeof import('zod')

  const count = z.number().int().nonnegative()
  const num = z.number().finite()
  const port = z.number().int().min(0).max(65535)
  const stateName = z.enum(STATE_NAMES as unknown as [StateName, ...StateName[]])

  const endpoint = z.looseObject({ address: z.string(), port })
  const timer = z.looseObject({ name: z.enum([...TIMER_NAMES, 'unknown']), expiresMs: num, retrans: count })
  const memory = z.looseObject(Object.fromEntries(['rmemAlloc', 'rcvbuf', 'wmemAlloc', 'sndbuf', 'fwdAlloc', 'wmemQueued', 'optmem', 'backlog', 'drops'].map((k) => [k, num])))
  const INFO_REQUIRED = ['state', 'caState', 'retransmits', 'probes', 'backoff', 'options', 'sndWscale', 'rcvWscale', 'rtoUs', 'atoUs', 'sndMss', 'rcvMss', 'unacked', 'sacked', 'lost', 'retrans', 'lastDataSentMs', 'lastAckSentMs', 'lastDataRecvMs', 'lastAckRecvMs', 'pmtu', 'rcvSsthresh', 'rttUs', 'rttvarUs', 'sndSsthresh', 'sndCwnd', 'advmss', 'reordering', 'rcvRttUs', 'rcvSpace', 'totalRetrans']
  const INFO_OPTIONAL = ['pacingRate', 'bytesAcked', 'bytesReceived', 'segsOut', 'segsIn', 'notsentBytes', 'minRttUs', 'deliveryRate', 'busyTimeUs', 'rwndLimitedUs', 'sndbufLimitedUs', 'bytesSent', 'bytesRetrans', 'sndWnd', 'rcvWnd']
  const tcpInfo = z.looseObject({ ...Object.fromEntries(INFO_REQUIRED.map((k) => [k, num])), ...Object.fromEntries(INFO_OPTIONAL.map((k) => [k, num.optional()])) })
  const processRef = z.looseObject({
    pid: count, fd: z.number().int(), command: z.string(), user: z.string(), uid: count.optional(), cmdline: z.string().optional(),
    cgroup: z.string().optional(), container: z.string().optional(), inferred: z.boolean().optional(),
  })
  const age = z.looseObject({ ms: num, atLeast: z.boolean(), maxMs: num.optional(), changes: z.array(z.string()), ownerRemembered: z.boolean().optional() })
  const socketSchema = z.looseObject({
    family: z.enum(['inet', 'inet6']), state: stateName, local: endpoint, remote: endpoint, recvQ: count, sendQ: count, uid: count, inode: count,
    cookie: z.string().regex(/^\d*$/, 'a decimal string'), ifindex: count, timer: timer.optional(), info: tcpInfo.optional(), mem: memory.optional(),
    congestion: z.string().optional(), age: age.optional(), netns: z.string().optional(), process: z.array(processRef).optional(), v6only: z.boolean().optional(),
  })

  const counterMap = z.record(z.string(), num)
  const sockstat = z.record(z.string(), num.optional())
  const counterWindow = z.looseObject({ intervalMs: num.nonnegative(), first: counterMap.optional(), second: counterMap, sockstat })
  const missingReason = z.enum(['absent', 'global', 'permission'])
  const sysctls = z.looseObject({ kernel: z.string(), values: z.record(z.string(), z.string()), missing: z.record(z.string(), missingReason), initialNetns: z.boolean(), netns: z.string() })
  const kernelLogEvent = z.looseObject({ kind: z.enum(['syn_flood', 'time_wait_overflow', 'out_of_memory', 'too_many_orphans']), seq: count, usec: num, time: z.string().optional(), text: z.string(), port: port.optional(), address: z.string().optional() })
  const kernelLog = z.looseObject({ readable: z.boolean(), reason: z.string().optional(), windowS: num.nonnegative(), events: z.array(kernelLogEvent), older: count })
  const resetOwner = z.looseObject({ pid: count.nullable(), command: z.string(), via: z.enum(['task', 'socket', 'listener']) })
  const resetGroup = z.looseObject({
    kind: z.enum(RESET_KINDS), direction: z.enum(['sent', 'received']), reason: z.string().nullable(), side: z.enum(['server', 'client']), peer: z.string(),
    port, service: z.string(), family: z.enum(['inet', 'inet6']), count, owner: resetOwner.optional(),
  })
  const kernelResets = z.looseObject({ windowMs: num.nonnegative(), sent: count, received: count, dropped: count, groups: z.array(resetGroup) })

  return z.looseObject({
    format: z.literal(SNAPSHOT_FORMAT),
    version: z.number().int().min(1).max(SNAPSHOT_VERSION, `newer than this tcpdoctor reads (${SNAPSHOT_VERSION})`),
    takenAt: z.string(),
    hostname: z.string(),
    kernel: z.string(),
    owners: z.looseObject({ pidsDenied: count }).nullable(),
    namespaces: z.array(z.looseObject({ netns: z.string(), source: z.string(), sockets: z.array(socketSchema) })),
    counters: z.record(z.string(), counterWindow).optional(),
    countersMissing: z.record(z.string(), z.string()).optional(),
    sysctls: sysctls.nullable().optional(),
    kernelLog: kernelLog.optional(),
    kernelResets: z.record(z.string(), kernelResets).optional(),
  })
}

let schema: ReturnType<typeof build> | undefined

/** "$.namespaces[0].sockets[3].local.port" for an issue path. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`)).join('')
}

/** The first problem of a document, as "PATH: what is wrong", or undefined when it is valid. */
export function snapshotProblem(doc: unknown): Msg | undefined {
  schema ??= build()
  const r = schema.safeParse(doc)
  if (r.success) return undefined
  const issue = r.error.issues[0]!
  // zod words the problem; its own Chinese locale words it for --lang zh (same schema, same first issue).
  const { z } = createRequire(import.meta.url)('zod') as typeof import('zod')
  const zh = schema.safeParse(doc, { error: z.locales.zhCN().localeError })
  const zhIssue = zh.success ? undefined : zh.error.issues[0]
  return msg('err.snapshot.schema', { path: jsonPath(issue.path), detail: inLangs({ en: issue.message, zh: zhIssue?.message ?? issue.message }) })
}
