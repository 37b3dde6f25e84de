/**
 * @module
 * tcpdoctor as a library (ESM, typed). Expected failures (a socket that is gone, a namespace we
 * may not enter) come back as TcpdoctorError with a stable `code`; see docs/errors.md.
 * @example
 * import { countStates, whoOwns, setKeepAlive } from 'tcpdoctor'
 * const { states } = countStates()
 * console.log(states.CLOSE_WAIT ?? 0)
 */
export { TcpdoctorError, UnsupportedError, type ErrorCode } from './errors.js'
export type { Lang, Msg } from './i18n/index.js'
export type { Socket, Endpoint, ProcessRef, TcpInfo, SocketTimer, SocketMemory, Family } from './model/socket.js'
export { TCP_STATES, STATE_NAMES, parseStates, type StateName } from './model/state.js'
export { listSockets, countStates, whoOwns, type SocketQuery, type SocketList, type StateCounts } from './sockets/api.js'
export { resolveNetns, type NetnsTarget } from './kernel/netns.js'
export { gatherSockets, gatherSocketsAsync, type GatherOptions, type Gathered } from './sockets/gather.js'
export { readSnapshot, writeSnapshot, makeSnapshot, type Snapshot } from './snapshot/file.js'
export { parseFilter } from './query/parse.js'
export { matchFilter } from './query/match.js'
export { compileBytecode } from './query/compile.js'
export type { WhoReport } from './who/who.js'
export { readCounters, diffCounters, sampleCounters, type CounterSample, type CounterDelta } from './counters/counters.js'
export { readSysctls, retries2TimeoutMs, keepaliveDefaultMs, type Sysctls } from './kernel/sysctls.js'
export { readKernelLog, type KernelLogResult } from './kernel/kernel-log.js'
export { sampleAges } from './track/ages.js'
export { SocketTracker } from './track/track.js'
export { auditKeepalive } from './keepalive/audit.js'
export { setKeepAlive, getKeepAlive, disableKeepAlive, nodeHasKeepAliveIntervalCount, type KeepAliveOptions, type KeepAliveSettings } from './net/keepalive.js'
export { setUserTimeout, getUserTimeout } from './net/user-timeout.js'
export { getTcpInfo } from './net/tcp-info.js'
export { configureSocket, configureServer, configureAgent, type SocketSettings, type AppliedSettings } from './net/configure.js'
export { heartbeat, Heartbeat, type HeartbeatOptions, type HeartbeatRole, type BeatEvent, type MissEvent, type HeartbeatStats } from './net/heartbeat.js'
export { diagnose, runRules, rankFindings, type DiagnoseReport } from './doctor/diagnose.js'
export { ping, type PingOptions, type PingResult, type PingProbe, type ProbeOutcome } from './probe/ping.js'
export { trace, type TraceOptions, type TraceResult, type TraceHop, type TraceMethod } from './probe/trace.js'
export { resolve, type ResolveOptions, type DnsReport, type ServerAnswer, type DnsFinding } from './probe/dns.js'
export { analyzePcap, type AnalyzeOptions, type AnalyzeReport, type ConnectionReport } from './packets/analyze.js'
export { capture, LiveCapture, type CaptureOptions, type CapturedPacket, type CaptureStats } from './capture/live.js'
export { compileFilter, runFilter, formatProgram, type LinkType } from './packets/bpf/index.js'
export { PcapWriter } from './packets/pcap-writer.js'
