/**
 * @module
 * Loads the C addon (native/) and declares its typed interface. When it cannot load, says what
 * it tried; callers fall back to /proc where they can.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { TcpdoctorError } from '../errors.js'
import { debug } from '../debug.js'
import { msg } from '../i18n/index.js'

export interface FdWalkResult {
  /** 16 bytes per socket fd: u32 pid, u32 fd, u64 inode (host byte order). */
  entries: Buffer
  pidsSeen: number
  pidsDenied: number
  pidsVanished: number
}

/** One event from probeWait (native/src/probe.c): a reply, an ICMP error from the error queue, or a TCP probe's outcome. */
export interface ProbeEvent {
  fd: number
  /** 1 datagram, 2 error queue (ICMP error), 3 TCP connected, 4 TCP connect failed */
  kind: 1 | 2 | 3 | 4
  /** receive time, CLOCK_REALTIME microseconds (the kernel's timestamp when it gave one) */
  t: number
  /** reply TTL / hop limit, -1 when unknown */
  ttl: number
  /** msg_name: the reply's source, or for an error the probe's destination */
  from: string | null
  port: number
  /** ee_errno (error queue) or SO_ERROR (TCP) as an errno name */
  errno: string | null
  origin: number
  type: number
  code: number
  info: number
  /** the host that sent the ICMP error */
  offender: string | null
  data: Buffer
}

export interface Native {
  diagOpen(netnsPath: string | null, family: number, protocol: number, states: number, ext: number, bytecode: Buffer | null): number
  diagRead(fd: number, buffer: Buffer): [bytes: number, done: boolean]
  closeFd(fd: number): void
  /** A BPF tcp iterator over the sockets of the namespace at netnsPath (null: ours); records as in native/src/tcpiter.c. */
  tcpIterOpen(netnsPath: string | null): number
  /** Reads records into buffer from offset on; the bytes in buffer counted from 0, and whether the pass ended. */
  tcpIterRead(fd: number, buffer: Buffer, offset: number): [bytes: number, done: boolean]
  fdWalk(procRoot: string, threads: number, inodes: BigUint64Array | null): FdWalkResult
  /** The same result from a BPF task_file iterator (root, BTF, Linux 5.8+): no stat per fd. */
  fdIterBpf(inodes?: BigUint64Array): FdWalkResult
  /** With inodes: only those sockets, looked up in a BPF hash map by the program in the kernel. */
  fdIterBpfAsync(inodes?: BigUint64Array): Promise<FdWalkResult>
  /** The same walk on a worker thread, so dumping and decoding can overlap it. */
  fdWalkAsync(procRoot: string, threads: number, inodes: BigUint64Array | null): Promise<FdWalkResult>
  getsockopt(fd: number, level: number, name: number, maxLength: number): Buffer
  setsockoptInt(fd: number, level: number, name: number, value: number): void
  /**
   * Reads files on a thread that entered the network namespace at netnsPath (null: our own).
   * Directories give their entry names ('\n' after each). Throws (code EPERM, ENOENT, EINVAL ...)
   * when the namespace cannot be entered; per-file failures are `{ error }`.
   */
  netnsRead(netnsPath: string | null, paths: readonly string[], maxBytes?: number): ({ data: Buffer } | { entries: string } | { error: string })[]
  /** Writes texts[i] to paths[i] from a thread inside the namespace: null (written) or the errno name per file. */
  netnsWrite(netnsPath: string | null, paths: readonly string[], texts: readonly string[]): (string | null)[]
  /** The end-of-dump scan of one netlink receive: 1 done, 0 not yet, -71 (EPROTO) a bad length. */
  nlScan(buffer: Buffer): number
  /** kind: 0 ICMP ping socket, 1 raw ICMP, 2 UDP; non-blocking, IP_RECVERR, SO_TIMESTAMPNS; made inside netnsPath when given (a socket keeps its namespace for life). */
  probeSocket?(family: 4 | 6, kind: 0 | 1 | 2, ttl: number, netnsPath?: string): number
  /** sendto with the TTL set first; returns the send time (CLOCK_REALTIME µs). */
  probeSend?(fd: number, family: 4 | 6, address: Buffer, port: number, payload: Buffer, ttl: number): number
  /** A non-blocking TCP connect with IP_TTL and IP_RECVERR (one SYN, no retransmission); the socket is made inside netnsPath when given. */
  probeConnect?(family: 4 | 6, address: Buffer, port: number, ttl: number, netnsPath?: string): { fd: number; sent: number; error: string | null }
  /** poll() on a worker thread, then drain what is ready; streams[i] = 1 for a connecting TCP socket. */
  probeWait?(fds: Int32Array, streams: Int32Array, timeoutMs: number): Promise<ProbeEvent[]>
  /** Interface index and ARPHRD_* type (-1 when no name: `any`), and lo's index, read inside the namespace (native/src/packet.c). */
  packetIfInfo?(netnsPath: string | null, ifname: string | null): { index: number; hatype: number; lo: number }
  /** "index name" lines (one per interface) of the namespace, from if_nameindex() on a thread inside it. */
  packetIfNames?(netnsPath: string | null): string
  /** An AF_PACKET socket (SOCK_DGRAM when cooked) with a TPACKET_V3 ring, the filter attached and locked before bind. */
  packetOpen?(netnsPath: string | null, ifindex: number, cooked: boolean, filter: Buffer, blockSize: number, blockCount: number, timeoutMs: number, loIndex: number): PacketHandle
  /** Packets as records (36-byte header: sec, nsec, caplen, len, ifindex, protocol, hatype, pkttype, halen, addr[8]; data padded to 4); null once stopped and drained. */
  packetNext?(handle: PacketHandle, timeoutMs: number): Promise<Buffer | null>
  packetStop?(handle: PacketHandle): void
  /** PACKET_STATISTICS summed since open: packets passed the filter (drops included), drops, queue freezes. */
  packetStats?(handle: PacketHandle): { packets: number; drops: number; freezes: number }
  packetClose?(handle: PacketHandle): void
  /** Counts TCP resets in the kernel (BPF on tcp:tcp_send_reset/tcp_receive_reset, native/src/rstwatch.c); throws with the errno name and the failed step. */
  rstWatchStart?(): RstWatchHandle
  /** The counts so far: 56-byte records (48-byte key, u64 count; layout in native/include/tcpdoctor.h), and resets not counted (map full). */
  rstWatchRead?(handle: RstWatchHandle): { records: Buffer; drops: number }
  /** Detaches the programs and frees the maps; twice is a no-op. */
  rstWatchClose?(handle: RstWatchHandle): void
  /** "value NAME" lines of this kernel's enum sk_rst_reason, from its BTF ("" when unknown). */
  rstReasonNames?(): string
}

/** Reset counting programs attached in the addon. */
export type RstWatchHandle = { readonly __rstWatchHandle: unique symbol }

/** An open capture socket in the addon. */
export type PacketHandle = { readonly __packetHandle: unique symbol }

let cached: { native?: Native; error?: TcpdoctorError } | undefined

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** The addon, or a TD_NATIVE_MISSING error that lists the places tried. */
export function loadNative(): Native {
  if (!cached) {
    const nativeDir = join(packageRoot, 'native')
    const require = createRequire(import.meta.url)
    try {
      if (process.env.TCPDOCTOR_NO_NATIVE === '1') throw new Error('disabled by TCPDOCTOR_NO_NATIVE=1')
      const load = require('node-gyp-build') as (dir: string) => Native
      cached = { native: load(nativeDir) }
      debug('native addon loaded from %s', nativeDir)
    } catch (err) {
      const tried = [join(nativeDir, 'build', 'Release', 'tcpdoctor.node'), join(nativeDir, 'prebuilds', `${process.platform}-${process.arch}`)]
      cached = {
        error: new TcpdoctorError('TD_NATIVE_MISSING', msg('err.kernel.nativeAddonNotAvailable', { tried: tried.join(', '), detail: err instanceof Error ? err.message.split('\n')[0] : String(err) }), {
          cause: err,
          hint: msg('hint.kernel.runNpmRebuildTcpdoctor'),
        }),
      }
    }
  }
  if (cached.native) return cached.native
  throw cached.error!
}

/** The addon or undefined; never throws. */
export function tryNative(): Native | undefined {
  try {
    return loadNative()
  } catch {
    // Deliberate: callers that can fall back ask this way; the reason is in nativeStatus().
    return undefined
  }
}

/** Why the addon is or is not loaded, for `--verbose` and `doctor`-style reports. */
export function nativeStatus(): { loaded: boolean; reason?: string } {
  const n = tryNative()
  return n ? { loaded: true } : { loaded: false, reason: cached?.error?.message }
}
