/**
 * @module
 * Diagnose thresholds. Most are relative to the machine, and rules turn them into numbers with
 * the sysctls of the namespace they judge: a fraction of the ephemeral port range, of a
 * listener's backlog, of tcp_max_tw_buckets, tcp_max_orphans, tcp_mem. The absolute ones are
 * floors that keep a handful of sockets from counting as a pile-up. `--config FILE` (JSON)
 * overrides any of them per finding code and lists the listeners you expect:
 *
 *   { "thresholds": { "CLOSE_WAIT_LEAK": { "minCount": 5 } },
 *     "expectedListeners": [ { "port": 22, "process": "sshd" }, { "port": 8080 } ],
 *     "disable": ["SYSCTL_RISK"], "kernelLogWindowS": 600 }
 */
import { readFileSync } from 'node:fs'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import type { Lang } from '../i18n/index.js'
import { FINDING_TOPICS, type FindingCode } from '../model/finding.js'
import { msg, type Msg } from '../i18n/index.js'

export const DEFAULT_THRESHOLDS = {
  /** SYN_SENT to one destination nothing else reaches. */
  SYN_SENT_UNREACHABLE: { minCount: 20, criticalCount: 500 },
  /** Distinct destinations in SYN_SENT held by one process, or ports probed on one host. */
  OUTBOUND_SCAN_SUSPECTED: { minTargets: 50, minPortsPerHost: 8, criticalTargets: 1000 },
  /** SYN_RECV per listener as a fraction of its backlog (the SYN queue holds up to the backlog). */
  SYN_FLOOD: { backlogFraction: 0.5, minCount: 32 },
  /** Accept queue fill (recvQ / backlog) that counts as full; overflows per interval. */
  LISTEN_QUEUE_OVERFLOW: { queueFraction: 1, minOverflows: 1 },
  CLOSE_WAIT_LEAK: { minCount: 20, criticalCount: 1000, criticalIdleS: 600 },
  /** ESTABLISHED with unacknowledged data, retransmitted, nothing heard for a while. */
  HALF_OPEN_SUSPECTED: { minCount: 3, minSilenceS: 1, minRetransmits: 2 },
  FIN_WAIT_1_PILEUP: { minCount: 50, criticalCount: 2000 },
  FIN_WAIT_2_PILEUP: { minCount: 50, criticalCount: 2000 },
  CLOSING_PILEUP: { minCount: 20, criticalCount: 1000 },
  LAST_ACK_PILEUP: { minCount: 50, criticalCount: 2000 },
  /** Sockets to one (src ip, dst ip, dst port), TIME_WAIT the larger part, vs the usable port range. */
  TIME_WAIT_PORT_EXHAUSTION: { rangeFraction: 0.7, criticalFraction: 0.9 },
  /** TIME_WAIT count vs tcp_max_tw_buckets; TCPTimeWaitOverflow per interval. */
  TIME_WAIT_BUCKET_OVERFLOW: { bucketsFraction: 0.95, minOverflows: 1, lowBuckets: 4096 },
  /** Orphans vs tcp_max_orphans (host), or orphans holding unsent data (namespace). */
  ORPHAN_SOCKETS_HIGH: { maxOrphansFraction: 0.5, minWithData: 50 },
  /** Retransmitted / sent segments of connected sockets over the interval. */
  RETRANSMISSION_HIGH: { ratio: 0.02, criticalRatio: 0.1, minSegments: 200 },
  /** RSTs sent + received per second, and as a share of connections opened. */
  RESETS_HIGH: { minPerSecond: 10, minShareOfOpens: 0.2, criticalPerSecond: 1000 },
  /** sockstat mem vs tcp_mem (pages): pressure and high thresholds come from tcp_mem itself. */
  TCP_MEMORY_PRESSURE: { warnFractionOfPressure: 1 },
  UNEXPECTED_LISTENER: { suspiciousPorts: [31337, 31338, 12345, 12346, 1337, 4444, 5554, 6666, 6667, 6697, 9999, 20034, 27374, 27665, 54320, 54321, 65506] },
  SYSCTL_RISK: { minSomaxconn: 128, minSynBacklog: 128, maxKeepaliveTimeS: 7200 },
  /** Usable ports below minPorts is narrow; warning when the busiest destination uses usedFraction of them. */
  EPHEMERAL_RANGE_NARROW: { minPorts: 10000, usedFraction: 0.7, criticalFraction: 0.9 },
} satisfies Record<FindingCode, Record<string, number | number[]>>

export type Thresholds = typeof DEFAULT_THRESHOLDS

export interface ExpectedListener {
  port: number
  /** Process name (comm) that may hold it; any when absent. */
  process?: string
  /** Local address; any when absent. */
  address?: string
}

export interface DoctorConfig {
  lang: Lang
  thresholds: Thresholds
  /** Listeners you expect (UNEXPECTED_LISTENER reports every other one when this list is given). */
  expectedListeners?: ExpectedListener[]
  disable: FindingCode[]
  /** Kernel log events older than this are history, not evidence (default 600 s). */
  kernelLogWindowS: number
}

export function defaultConfig(lang: Lang = 'en'): DoctorConfig {
  return { lang, thresholds: structuredClone(DEFAULT_THRESHOLDS), disable: [], kernelLogWindowS: 600 }
}

function bad(where: string, what: Msg): TcpdoctorError {
  return new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.doctor.config.where', { where, what }), { hint: msg('hint.doctor.seeDocsCommandsDiagnose') })
}

const isCode = (c: string): c is FindingCode => c in FINDING_TOPICS

/** Validates a parsed config document and merges it over the defaults. Pure. */
export function parseConfig(doc: unknown, lang: Lang = 'en', where = 'config'): DoctorConfig {
  const cfg = defaultConfig(lang)
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad(where, msg('err.doctor.expectedAJsonObject'))
  const d = doc as Record<string, unknown>
  for (const k of Object.keys(d)) if (!['thresholds', 'expectedListeners', 'disable', 'kernelLogWindowS'].includes(k)) throw bad(where, msg('err.doctor.unknownKey', { k: JSON.stringify(k) }))
  if (d.thresholds !== undefined) {
    if (!d.thresholds || typeof d.thresholds !== 'object') throw bad(where, msg('err.doctor.thresholdsMustBeAn'))
    for (const [code, over] of Object.entries(d.thresholds as Record<string, unknown>)) {
      if (!isCode(code)) throw bad(where, msg('err.doctor.thresholdsUnknownFindingCode', { code }))
      const target = cfg.thresholds[code] as Record<string, number | number[]>
      if (!over || typeof over !== 'object') throw bad(where, msg('err.doctor.thresholdsMustBeAn2', { code }))
      for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
        if (!(k in target)) throw bad(where, msg('err.doctor.thresholdsUnknownThresholdKnown', { code, k, known: Object.keys(target).join(', ') }))
        const isList = Array.isArray(target[k])
        const ok = isList ? Array.isArray(v) && v.every((x) => Number.isInteger(x)) : typeof v === 'number' && Number.isFinite(v) && v >= 0
        if (!ok) throw bad(where, msg('err.doctor.thresholdsMustBe', { code, k, kind: isList ? msg('err.doctor.aListOfIntegers') : msg('err.doctor.aNumberAtLeast0') }))
        target[k] = v as number | number[]
      }
    }
  }
  if (d.expectedListeners !== undefined) {
    if (!Array.isArray(d.expectedListeners)) throw bad(where, msg('err.doctor.expectedlistenersMustBeA'))
    cfg.expectedListeners = d.expectedListeners.map((e: unknown, i) => {
      const o = e as Record<string, unknown>
      if (!o || typeof o !== 'object' || !Number.isInteger(o.port) || (o.port as number) < 0 || (o.port as number) > 65535) throw bad(where, msg('err.doctor.expectedlistenersNeedsAPort', { i }))
      if (o.process !== undefined && typeof o.process !== 'string') throw bad(where, msg('err.doctor.expectedlistenersProcessMustBe', { i }))
      if (o.address !== undefined && typeof o.address !== 'string') throw bad(where, msg('err.doctor.expectedlistenersAddressMustBe', { i }))
      return { port: o.port as number, ...(o.process !== undefined ? { process: o.process as string } : {}), ...(o.address !== undefined ? { address: o.address as string } : {}) }
    })
  }
  if (d.disable !== undefined) {
    if (!Array.isArray(d.disable) || !d.disable.every((c) => typeof c === 'string' && isCode(c))) throw bad(where, msg('err.doctor.disableMustBeA'))
    cfg.disable = d.disable as FindingCode[]
  }
  if (d.kernelLogWindowS !== undefined) {
    if (typeof d.kernelLogWindowS !== 'number' || d.kernelLogWindowS < 0) throw bad(where, msg('err.doctor.kernellogwindowsMustBeA'))
    cfg.kernelLogWindowS = d.kernelLogWindowS
  }
  return cfg
}

/** Reads --config FILE. */
export function loadConfig(file: string, lang: Lang = 'en'): DoctorConfig {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw fromSystemError(err, msg('err.doctor.config', { file }))
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    throw bad(file, msg('err.common.notJson', { detail: (err as Error).message }))
  }
  return parseConfig(doc, lang, file)
}
