/**
 * @module
 * Streaming pcap and pcapng reader (libpcap sf-pcap.c / sf-pcapng.c, draft-ietf-opsawg-pcapng).
 * Hand-written: the npm parsers are stale and pcap-only (ECOSYSTEM.md section 4). One pass over
 * the bytes with a DataView; a record is handed to the callback as (buffer, offset, length), never
 * copied. Memory is bounded by the largest record (capped at MAX_RECORD), not by the file.
 */
import { open } from 'node:fs/promises'
import { TcpdoctorError } from '../errors.js'
import { msg, render, type Lang, type Msg } from '../i18n/index.js'

/** Largest record we accept (libpcap's MAXIMUM_SNAPLEN is 262144; pcapng blocks get 16 MiB). */
export const MAX_RECORD = 262_144
const MAX_BLOCK = 16 * 1024 * 1024

export interface RecordSink {
  /** One packet: data is buf[off, off+caplen); ts in seconds; linktype of its interface. */
  (buf: Uint8Array, off: number, caplen: number, origlen: number, ts: number, linktype: number, iface: number): void
}

export interface ReadWarning {
  kind: 'truncated' | 'bad-record' | 'bad-block' | 'bad-interface'
  /** Records read before the problem. */
  at: number
  /** in English (JSON, logs); warningText() gives it in the user's language */
  detail: string
}

/** The localizable text of each warning, beside it rather than in it (the JSON keeps `detail`). */
const warningMsgs = new WeakMap<object, Msg>()

/** A warning (of the reader or of analyze) with its text as a message: `detail` is its English. */
export function warning<K extends string>(kind: K, at: number, m: Msg): { kind: K; at: number; detail: string } {
  const w = { kind, at, detail: render('en', m) }
  warningMsgs.set(w, m)
  return w
}

/** A warning's detail in lang (its English text when it was not made by warning()). */
export function warningText(w: { detail: string }, lang: Lang): string {
  const m = warningMsgs.get(w)
  return m ? render(lang, m) : w.detail
}

export interface ReadSummary {
  format: 'pcap' | 'pcapng'
  records: number
  /** Records handed over, skipped ones excluded. */
  skipped: number
  warnings: ReadWarning[]
  linktypes: number[]
  bytes: number
}

/** A copy of b from `from` on: Buffer's slice() would be a view, and chunks are reused. */
function copyFrom(b: Uint8Array, from: number): Uint8Array {
  const c = new Uint8Array(b.length - from)
  c.set(b.subarray(from))
  return c
}

function formatError(m: Msg): TcpdoctorError {
  return new TcpdoctorError('TD_PCAP_FORMAT', m)
}

interface Iface {
  linktype: number
  snaplen: number
  /** seconds per tick */
  unit: number
  /** true when the resolution is a power of ten we can split exactly */
  offset: number
}

/**
 * A push parser: feed() chunks, end() at the end. Holds at most one partial record between
 * chunks. Throws TcpdoctorError TD_PCAP_FORMAT for a file it cannot read at all (bad magic,
 * bad version); damage after the header ends reading with a warning, keeping what was read.
 */
export class CaptureParser {
  private pending: Uint8Array | undefined
  private state: 'start' | 'pcap' | 'pcapng' | 'done' = 'start'
  private le = true
  private nano = false
  private linktype = 0
  private snaplen = 0
  private ifaces: Iface[] = []
  readonly summary: ReadSummary = { format: 'pcap', records: 0, skipped: 0, warnings: [], linktypes: [], bytes: 0 }

  constructor(private readonly sink: RecordSink) {}

  feed(chunk: Uint8Array): void {
    this.summary.bytes += chunk.length
    if (this.state === 'done') return
    const pend = this.pending
    if (!pend || !pend.length) {
      const used = this.parse(chunk)
      this.pending = used < chunk.length ? copyFrom(chunk, used) : undefined
      return
    }
    // Finish the partial record with the start of this chunk (copy only that much), then parse
    // the rest of the chunk in place.
    const k = Math.min(chunk.length, MAX_RECORD + 64)
    const joined = new Uint8Array(pend.length + k)
    joined.set(pend, 0)
    joined.set(chunk.subarray(0, k), pend.length)
    const used = this.parse(joined)
    if ((this.state as string) === 'done') { this.pending = undefined; return }
    if (used < pend.length) {
      // still inside the pending record (a block larger than k)
      this.pending = copyFrom(joined, used)
      if (k < chunk.length) this.feedRest(chunk.subarray(k))
      return
    }
    this.pending = undefined
    const rest = chunk.subarray(used - pend.length)
    const used2 = this.parse(rest)
    this.pending = used2 < rest.length ? copyFrom(rest, used2) : undefined
  }

  private feedRest(rest: Uint8Array): void {
    this.summary.bytes -= rest.length
    this.feed(rest)
  }

  end(): ReadSummary {
    const left = this.pending?.length ?? 0
    if (this.state === 'start') {
      if (this.summary.bytes === 0) throw formatError(msg('err.packets.emptyFileNoPcap'))
      throw formatError(msg('err.packets.fileTooShortFor', { bytes: this.summary.bytes }))
    }
    if (left > 0 && this.state !== 'done') this.summary.warnings.push(warning('truncated', this.summary.records, msg('packets.warn.truncated', { left })))
    this.state = 'done'
    this.pending = undefined
    return this.summary
  }

  private stop(kind: ReadWarning['kind'], detail: Msg): number {
    this.summary.warnings.push(warning(kind, this.summary.records, detail))
    this.state = 'done'
    return Number.MAX_SAFE_INTEGER
  }

  private parse(buf: Uint8Array): number {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
    let off = 0
    if (this.state === 'start') {
      if (buf.length < 4) return 0
      const m = dv.getUint32(0, false)
      if (m === 0x0a0d0d0a) {
        this.state = 'pcapng'
        this.summary.format = 'pcapng'
      } else {
        if (buf.length < 24) return 0
        if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) this.le = false
        else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) this.le = true
        else throw formatError(msg('err.packets.notAPcapOr', { m: m.toString(16).padStart(8, '0') }))
        this.nano = m === 0xa1b23c4d || m === 0x4d3cb2a1
        const major = dv.getUint16(4, this.le)
        if (major !== 2) throw formatError(msg('err.packets.unsupportedPcapVersion', { major, dv: dv.getUint16(6, this.le) }))
        this.snaplen = dv.getUint32(16, this.le)
        const lt = dv.getUint32(20, this.le)
        // libpcap: the upper bits hold FCS info (LT_FCS_DATA); bits 16-25 reserved must be 0
        if ((lt & 0x03ff0000) !== 0) throw formatError(msg('err.packets.pcapLinkTypeField', { lt: lt.toString(16) }))
        this.linktype = lt & 0xffff
        this.summary.linktypes.push(this.linktype)
        this.state = 'pcap'
        off = 24
      }
    }
    return this.state === 'pcap' ? this.parsePcap(buf, dv, off) : this.parseNg(buf, dv, off)
  }

  private parsePcap(buf: Uint8Array, dv: DataView, off: number): number {
    const le = this.le
    const div = this.nano ? 1e-9 : 1e-6
    const lt = this.linktype
    const sink = this.sink
    const n = buf.length
    while (off + 16 <= n) {
      const incl = dv.getUint32(off + 8, le)
      if (incl > MAX_RECORD) return this.stop('bad-record', msg('packets.warn.recordTooLong', { incl, max: MAX_RECORD }))
      if (off + 16 + incl > n) break
      const sec = dv.getUint32(off, le)
      const frac = dv.getUint32(off + 4, le)
      const orig = dv.getUint32(off + 12, le)
      this.summary.records++
      sink(buf, off + 16, incl, orig < incl ? incl : orig, sec + frac * div, lt, 0)
      off += 16 + incl
    }
    return off
  }

  private parseNg(buf: Uint8Array, dv: DataView, off: number): number {
    const n = buf.length
    while (off + 12 <= n) {
      // The SHB fixes the byte order of its section: read its magic first.
      const typeBE = dv.getUint32(off, false)
      if (typeBE === 0x0a0d0d0a) {
        const bom = dv.getUint32(off + 8, false)
        if (bom === 0x1a2b3c4d) this.le = false
        else if (bom === 0x4d3c2b1a) this.le = true
        else return this.stopOrThrow(msg('err.packets.pcapngBadMagic', { magic: bom.toString(16) }))
      }
      const le = this.le
      const type = dv.getUint32(off, le)
      const len = dv.getUint32(off + 4, le)
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) return this.stopOrThrow(msg('err.packets.pcapngBadLength', { type, len }))
      if (off + len > n) break
      const body = off + 8
      const bodyEnd = off + len - 4
      if (dv.getUint32(bodyEnd, le) !== len) return this.stopOrThrow(msg('err.packets.pcapngTrailingLength', { type, len }))
      if (type === 0x0a0d0d0a) {
        if (len < 28) return this.stopOrThrow(msg('err.packets.pcapngShortSection'))
        const major = dv.getUint16(body + 4, le)
        const minor = dv.getUint16(body + 6, le)
        if (major !== 1 || minor !== 0) return this.stopOrThrow(msg('err.packets.pcapngVersion', { major, minor }))
        this.checkOptions(dv, body + 16, bodyEnd, 'section header')
        this.ifaces = []
      } else if (type === 1) {
        if (len < 20) return this.stopOrThrow(msg('err.packets.pcapngShortIface'))
        const linktype = dv.getUint16(body, le)
        const snaplen = dv.getUint32(body + 4, le)
        const iface: Iface = { linktype, snaplen, unit: 1e-6, offset: 0 }
        this.readIfaceOptions(dv, body + 8, bodyEnd, iface)
        this.ifaces.push(iface)
        if (!this.summary.linktypes.includes(linktype)) this.summary.linktypes.push(linktype)
      } else if (type === 6 || type === 2) {
        const epb = type === 6
        if (len < 32) { this.skipRecord('bad-block', msg('packets.warn.blockShort')); off += len; continue }
        const ifIndex = epb ? dv.getUint32(body, le) : dv.getUint16(body, le)
        const hi = dv.getUint32(body + 4, le)
        const lo = dv.getUint32(body + 8, le)
        const cap = dv.getUint32(body + 12, le)
        const orig = dv.getUint32(body + 16, le)
        const iface = this.ifaces[ifIndex]
        this.summary.records++
        if (!iface) this.skipRecord('bad-interface', msg('packets.warn.noInterface', { ifIndex }))
        else if (body + 20 + cap > bodyEnd || cap > MAX_RECORD) this.skipRecord('bad-record', msg('packets.warn.dataPastBlock', { cap }))
        else this.sink(buf, body + 20, cap, orig < cap ? cap : orig, (hi * 4294967296 + lo) * iface.unit + iface.offset, iface.linktype, ifIndex)
      } else if (type === 3) {
        const iface = this.ifaces[0]
        this.summary.records++
        if (!iface) this.skipRecord('bad-interface', msg('packets.warn.spbFirst'))
        else {
          const orig = dv.getUint32(body, le)
          let cap = Math.min(orig, bodyEnd - (body + 4))
          if (iface.snaplen > 0 && cap > iface.snaplen) cap = iface.snaplen
          // An SPB has no timestamp: tshark shows 0 as well.
          this.sink(buf, body + 4, cap, orig, 0, iface.linktype, 0)
        }
      }
      // other blocks (ISB 5, NRB 4, DSB, custom): skipped by design
      off += len
    }
    return off
  }

  private skipRecord(kind: ReadWarning['kind'], detail: Msg): void {
    this.summary.skipped++
    if (this.summary.warnings.length < 100) this.summary.warnings.push(warning(kind, this.summary.records, detail))
  }

  /** Before the first packet a broken structure means it is not a file we can read: a coded error. */
  private stopOrThrow(detail: Msg): number {
    if (this.summary.records === 0 && this.ifaces.length === 0) throw formatError(detail)
    return this.stop('bad-block', detail)
  }

  private checkOptions(dv: DataView, off: number, end: number, what: string): void {
    while (off + 4 <= end) {
      const code = dv.getUint16(off, this.le)
      const olen = dv.getUint16(off + 2, this.le)
      if (code === 0) return
      const next = off + 4 + ((olen + 3) & ~3)
      if (next > end) throw formatError(msg('err.packets.pcapngOptionOfLength', { what, code, olen }))
      off = next
    }
  }

  private readIfaceOptions(dv: DataView, off: number, end: number, iface: Iface): void {
    while (off + 4 <= end) {
      const code = dv.getUint16(off, this.le)
      const olen = dv.getUint16(off + 2, this.le)
      if (code === 0) return
      const next = off + 4 + ((olen + 3) & ~3)
      if (next > end) { this.skipRecord('bad-block', msg('packets.warn.optionPastBlock', { code })); return }
      if (code === 9 && olen >= 1) {
        const r = dv.getUint8(off + 4)
        const v = r & 0x7f
        iface.unit = r & 0x80 ? Math.pow(2, -v) : Math.pow(10, -v)
      } else if (code === 14 && olen >= 8) {
        iface.offset = Number(dv.getBigInt64(off + 4, this.le))
      }
      off = next
    }
  }
}

/** Reads a whole stream (file or stdin) through the parser. */
export async function readCapture(stream: AsyncIterable<Uint8Array>, sink: RecordSink): Promise<ReadSummary> {
  const p = new CaptureParser(sink)
  for await (const chunk of stream) p.feed(chunk)
  return p.end()
}

const READ_CHUNK = 4 << 20

/**
 * A file's bytes in 4 MiB chunks, for readCapture. Two buffers, reused: the next read runs while
 * the parser works on the current chunk, and nothing is allocated per chunk. A chunk is valid
 * until the next one is asked for (CaptureParser copies the partial record it keeps).
 */
export async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  const fh = await open(path, 'r')
  const bufs = [Buffer.allocUnsafe(READ_CHUNK), Buffer.allocUnsafe(READ_CHUNK)]
  let i = 0
  let next: ReturnType<typeof fh.read<Buffer>> | undefined
  try {
    next = fh.read(bufs[0]!, 0, READ_CHUNK, null)
    for (;;) {
      const { bytesRead, buffer } = await next
      if (bytesRead === 0) return
      i ^= 1
      next = fh.read(bufs[i]!, 0, READ_CHUNK, null)
      yield buffer.subarray(0, bytesRead)
    }
  } finally {
    await next?.catch(() => undefined) // a read still in flight when the consumer stops early
    await fh.close()
  }
}

/** Parses bytes held in memory (tests, fuzzing). */
export function parseCapture(bytes: Uint8Array, sink: RecordSink): ReadSummary {
  const p = new CaptureParser(sink)
  p.feed(bytes)
  return p.end()
}
