/**
 * @module
 * The socket record every source produces and every command consumes. JSON shape: SPEC 3a.
 */
import type { StateName } from './state.js'

export type Family = 'inet' | 'inet6'

export interface Endpoint {
  address: string
  port: number
}

/** idiag_timer / /proc "tr" values in order (ss.c tmr_name). */
export const TIMER_NAMES = ['off', 'on', 'keepalive', 'timewait', 'persist'] as const

/** A kernel timer on a socket, as ss -o shows it. */
export interface SocketTimer {
  name: 'off' | 'on' | 'keepalive' | 'timewait' | 'persist' | 'unknown'
  expiresMs: number
  retrans: number
}

/** SK_MEMINFO_* (include/uapi/linux/sock_diag.h), as ss -m prints skmem:(r,rb,t,tb,f,w,o,bl,d). */
export interface SocketMemory {
  rmemAlloc: number
  rcvbuf: number
  wmemAlloc: number
  sndbuf: number
  fwdAlloc: number
  wmemQueued: number
  optmem: number
  backlog: number
  drops: number
}

export interface SocketAgeInfo {
  /** Milliseconds in the current state: at least this long. */
  ms: number
  /** The socket was already in this state at the first sample, so it is older than ms. */
  atLeast: boolean
  /** At most this long, when a sample saw it in another state (or absent). */
  maxMs?: number
  /** State changes seen across the samples, oldest first. */
  changes: string[]
  /** The owner shown comes from an earlier sample (the socket lost its fd since). */
  ownerRemembered?: boolean
}

export interface ProcessRef {
  pid: number
  fd: number
  command: string
  user: string
  uid?: number
  cmdline?: string
  cgroup?: string
  /** The container, from the cgroup path: "docker:0123456789ab", "containerd:...", "podman:...", "k8s:..." */
  container?: string
  /** true when attributed by inference (fd-less socket mapped to the listener on its port). */
  inferred?: boolean
}

export interface Socket {
  family: Family
  state: StateName
  local: Endpoint
  remote: Endpoint
  /** Bytes in the receive queue; for LISTEN, the accept queue (connections not yet accepted). */
  recvQ: number
  /** Bytes in the send queue; for LISTEN, the backlog (ss semantics; procfs: tx_queue). */
  sendQ: number
  uid: number
  inode: number
  /** The kernel socket cookie as a decimal string (64-bit); "" when the source has none (procfs). */
  cookie: string
  ifindex: number
  timer?: SocketTimer
  info?: TcpInfo
  mem?: SocketMemory
  congestion?: string
  /** Time in the current state, from several samples (sockets --age; no eBPF). */
  age?: SocketAgeInfo
  /** IPV6_V6ONLY of an IPv6 wildcard socket, when the source tells (netlink); false prints as * like ss. */
  v6only?: boolean
  /** The network namespace label, with --netns. */
  netns?: string
  process?: ProcessRef[]
}

/** Selected fields of struct tcp_info (include/uapi/linux/tcp.h). Times in microseconds unless named Ms. */
export interface TcpInfo {
  state: number
  caState: number
  retransmits: number
  probes: number
  backoff: number
  options: number
  sndWscale: number
  rcvWscale: number
  rtoUs: number
  atoUs: number
  sndMss: number
  rcvMss: number
  unacked: number
  sacked: number
  lost: number
  retrans: number
  lastDataSentMs: number
  lastAckSentMs: number
  lastDataRecvMs: number
  lastAckRecvMs: number
  pmtu: number
  rcvSsthresh: number
  rttUs: number
  rttvarUs: number
  sndSsthresh: number
  sndCwnd: number
  advmss: number
  reordering: number
  rcvRttUs: number
  rcvSpace: number
  totalRetrans: number
  pacingRate?: number
  bytesAcked?: number
  bytesReceived?: number
  segsOut?: number
  segsIn?: number
  notsentBytes?: number
  minRttUs?: number
  deliveryRate?: number
  busyTimeUs?: number
  rwndLimitedUs?: number
  sndbufLimitedUs?: number
  bytesSent?: number
  bytesRetrans?: number
  sndWnd?: number
  rcvWnd?: number
}
