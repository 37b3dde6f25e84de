/**
 * @module
 * Live capture: an AF_PACKET socket with a TPACKET_V3 ring in the addon (native/src/packet.c),
 * the tcpdump filter compiled to classic BPF (packets/bpf) and attached in the kernel before the
 * socket receives anything. `capture(options)` is an async iterator of packets, each framed in
 * the pcap link type it reports (Ethernet as received; `-i any` and non-Ethernet interfaces as
 * LINUX_SLL2, which tcpdump -i any also writes). Kernel drop counters come from PACKET_STATISTICS.
 */
import { TcpdoctorError, errnoCode } from '../errors.js'
import { loadNative, type Native, type PacketHandle } from '../kernel/native.js'
import { resolveNetns } from '../kernel/netns.js'
import { compileFilter, encodeProgram, LINKTYPE, DEFAULT_SNAPLEN, type LinkType } from '../packets/bpf/index.js'
import { msg } from '../i18n/index.js'

export interface CaptureOptions {
  /** Interface name, or `any` (default). */
  interface?: string
  /** tcpdump filter expression (empty: everything). */
  filter?: string
  /** --netns NAME|PATH|PID */
  netns?: string
  snaplen?: number
  /** Ring size in KiB (default 16384: 16 blocks of 1 MiB). */
  bufferKiB?: number
  /** A block is handed over when full or after this many ms (default 100). */
  blockTimeoutMs?: number
  /** Stop after this many packets. */
  count?: number
  signal?: AbortSignal
}

export interface CapturedPacket {
  sec: number
  nsec: number
  /** The frame in `linktype` framing. */
  data: Buffer
  /** Length on the wire (plus the SLL2 header for cooked frames, as libpcap counts it). */
  len: number
  linktype: number
  ifindex: number
  /** PACKET_HOST 0, BROADCAST 1, MULTICAST 2, OTHERHOST 3, OUTGOING 4 */
  pktType: number
}

export interface CaptureStats { received: number; dropped: number; captured: number }

const ARPHRD_ETHER = 1
const ARPHRD_LOOPBACK = 772
const REC_HDR = 36

function nativeCapture(): Required<Pick<Native, 'packetIfInfo' | 'packetOpen' | 'packetNext' | 'packetStop' | 'packetStats' | 'packetClose'>> {
  const n = loadNative()
  if (!n.packetOpen || !n.packetIfInfo || !n.packetNext || !n.packetStop || !n.packetStats || !n.packetClose)
    throw new TcpdoctorError('TD_NATIVE_MISSING', msg('err.capture.theNativeAddonWas'), { hint: msg('hint.capture.runNpmRebuildTcpdoctor') })
  return n as ReturnType<typeof nativeCapture>
}

function systemError(err: unknown, what: string): TcpdoctorError {
  const code = errnoCode(err)
  if (code === 'EPERM' || code === 'EACCES')
    return new TcpdoctorError('TD_PERMISSION', msg('err.common.permissionDenied', { what, code }), { cause: err, hint: msg('hint.capture.captureNeedsRootOr') })
  if (code === 'ENODEV' || code === 'ENXIO' || code === 'ENOENT') return new TcpdoctorError('TD_NOT_FOUND', msg('err.capture.noSuchInterfaceOr', { what }), { cause: err })
  return new TcpdoctorError('TD_IO', msg('err.common.failed', { what, detail: (err as Error).message }), { cause: err })
}

/** An open live capture: iterate it for packets; stop() (or the signal) ends it after draining the ring. */
export class LiveCapture implements AsyncIterable<CapturedPacket> {
  readonly linktype: number
  readonly link: LinkType
  readonly interface: string
  readonly snaplen: number
  private readonly n: ReturnType<typeof nativeCapture>
  private handle: PacketHandle | undefined
  private captured = 0
  private final: CaptureStats | undefined
  private stopping = false
  private names: Map<number, string> | undefined
  private readonly nsPath: string | null

  constructor(private readonly options: CaptureOptions = {}) {
    this.n = nativeCapture()
    const name = options.interface ?? 'any'
    this.interface = name
    this.snaplen = options.snaplen ?? DEFAULT_SNAPLEN
    const target = options.netns ? resolveNetns(options.netns) : []
    if (target.length > 1) throw new TcpdoctorError('TD_USAGE', msg('err.capture.captureListensInOne'))
    const nsPath = target[0]?.path ?? null
    this.nsPath = nsPath
    let info: { index: number; hatype: number; lo: number }
    try {
      info = this.n.packetIfInfo(nsPath, name === 'any' ? null : name)
    } catch (err) {
      throw systemError(err, `interface ${name}${options.netns ? ` in ${options.netns}` : ''}`)
    }
    const cooked = name === 'any' || (info.hatype !== ARPHRD_ETHER && info.hatype !== ARPHRD_LOOPBACK)
    this.link = cooked ? 'cooked' : 'ethernet'
    this.linktype = LINKTYPE[this.link]
    const prog = compileFilter(options.filter ?? '', this.link, { snaplen: this.snaplen })
    const ring = Math.max(2048, options.bufferKiB ?? 16384) * 1024
    const blockSize = 1 << 20
    const blocks = Math.max(2, Math.round(ring / blockSize))
    try {
      this.handle = this.n.packetOpen(nsPath, info.index, cooked, encodeProgram(prog), blockSize, blocks, options.blockTimeoutMs ?? 100, info.lo)
    } catch (err) {
      throw systemError(err, `capture on ${name}`)
    }
    if (options.signal) {
      if (options.signal.aborted) this.stop()
      else options.signal.addEventListener('abort', () => this.stop(), { once: true })
    }
  }

  /** The name of an interface of the capture's namespace (read once, again when an index is new). */
  interfaceName(ifindex: number): string {
    if (!this.names?.has(ifindex)) {
      this.names = new Map()
      try {
        for (const line of (loadNative().packetIfNames?.(this.nsPath) ?? '').split('\n')) {
          const m = /^(\d+) (.+)$/.exec(line)
          if (m) this.names.set(Number(m[1]), m[2]!)
        }
      } catch {
        // the namespace went away: fall back to the index
      }
    }
    return this.names.get(ifindex) ?? `if${ifindex}`
  }

  /** Ends the capture: packets already in the ring are still delivered. */
  stop(): void {
    if (this.stopping || !this.handle) return
    this.stopping = true
    this.n.packetStop(this.handle)
  }

  /** Kernel counters: received by the filter, dropped by the kernel (ring full), captured here. */
  stats(): CaptureStats {
    if (this.final) return this.final
    const s = this.handle ? this.n.packetStats(this.handle) : { packets: 0, drops: 0 }
    return { received: s.packets, dropped: s.drops, captured: this.captured }
  }

  private close(): void {
    if (!this.handle) return
    this.final = this.stats()
    this.n.packetClose(this.handle)
    this.handle = undefined
  }

  private *records(buf: Buffer): Generator<CapturedPacket> {
    const cooked = this.link === 'cooked'
    let o = 0
    while (o + REC_HDR <= buf.length) {
      const caplen = buf.readUInt32LE(o + 8)
      const ifindex = buf.readInt32LE(o + 16)
      const pktType = buf[o + 24]!
      const body = buf.subarray(o + REC_HDR, o + REC_HDR + caplen)
      let data: Buffer
      let len = buf.readUInt32LE(o + 12)
      if (cooked) {
        // LINKTYPE_LINUX_SLL2: protocol, reserved, ifindex, hatype, pkttype, halen, addr[8]
        data = Buffer.alloc(20 + caplen)
        data.writeUInt16BE(buf.readUInt16LE(o + 20), 0)
        data.writeInt32BE(ifindex, 4)
        data.writeUInt16BE(buf.readUInt16LE(o + 22), 8)
        data[10] = pktType
        data[11] = buf[o + 25]!
        buf.copy(data, 12, o + 28, o + 36)
        body.copy(data, 20)
        len += 20
      } else data = body // each batch is a fresh Buffer from the addon: a view is safe to keep
      yield { sec: buf.readUInt32LE(o), nsec: buf.readUInt32LE(o + 4), data, len, linktype: this.linktype, ifindex, pktType }
      o += REC_HDR + ((caplen + 3) & ~3)
    }
  }

  /** Batches as the ring hands them over (one block or more); the iterator of single packets is built on it. */
  async *batches(): AsyncGenerator<CapturedPacket[]> {
    try {
      for (;;) {
        if (!this.handle) return
        const buf = await this.n.packetNext(this.handle, 250)
        if (buf === null) return
        const batch: CapturedPacket[] = []
        for (const p of this.records(buf)) {
          batch.push(p)
          this.captured++
          if (this.options.count !== undefined && this.captured >= this.options.count) {
            yield batch
            return
          }
        }
        if (batch.length) yield batch
      }
    } finally {
      if (this.handle) {
        if (!this.stopping) this.stop()
        // let a waiting packetNext finish before closing (the addon refuses to close under it)
        try {
          while (this.handle && (await this.n.packetNext(this.handle, 0)) !== null) { /* drain what is left */ }
        } catch {
          // already closed or the interface went away: nothing left to drain
        }
        this.close()
      }
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<CapturedPacket> {
    for await (const batch of this.batches()) yield* batch
  }
}

/** Opens a live capture (needs CAP_NET_RAW); iterate the result for packets. */
export function capture(options: CaptureOptions = {}): LiveCapture {
  return new LiveCapture(options)
}
