/**
 * @module
 * Writes classic pcap (libpcap sf-pcap.c format): the 24-byte header first, then 16-byte record
 * headers and data, microsecond (0xa1b2c3d4) or nanosecond (0xa1b23c4d) timestamps, in host
 * byte order like libpcap. Records are buffered per batch and written with one synchronous
 * write, so the file is valid after every batch: a capture stopped by Ctrl-C, or killed between
 * batches, leaves a complete file.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs'
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export interface PcapWriterOptions {
  linktype: number
  snaplen?: number
  /** nanosecond timestamps (magic 0xa1b23c4d); default microseconds, as tcpdump -w */
  nanosecond?: boolean
}

export interface PcapRecord { sec: number; nsec: number; data: Uint8Array; len: number }

/** The 24-byte pcap file header. */
export function pcapHeader(o: PcapWriterOptions): Buffer {
  const h = Buffer.alloc(24)
  h.writeUInt32LE(o.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4, 0)
  h.writeUInt16LE(2, 4)
  h.writeUInt16LE(4, 6)
  h.writeUInt32LE(o.snaplen ?? 262144, 16)
  h.writeUInt32LE(o.linktype, 20)
  return h
}

/** Record headers and data of a batch, ready to append. */
export function pcapRecords(records: readonly PcapRecord[], nanosecond = false): Buffer {
  let size = 0
  for (const r of records) size += 16 + r.data.length
  const b = Buffer.allocUnsafe(size)
  let o = 0
  for (const r of records) {
    b.writeUInt32LE(r.sec >>> 0, o)
    b.writeUInt32LE(nanosecond ? r.nsec : Math.floor(r.nsec / 1000), o + 4)
    b.writeUInt32LE(r.data.length, o + 8)
    b.writeUInt32LE(r.len, o + 12)
    b.set(r.data, o + 16)
    o += 16 + r.data.length
  }
  return b
}

/** A pcap file being written; `-` writes to stdout (fd 1). */
export class PcapWriter {
  private fd: number
  private readonly own: boolean
  readonly nanosecond: boolean
  packets = 0

  constructor(path: string, options: PcapWriterOptions) {
    this.nanosecond = options.nanosecond ?? false
    this.own = path !== '-'
    try {
      this.fd = this.own ? openSync(path, 'w', 0o644) : 1
      this.write(pcapHeader(options))
    } catch (err) {
      throw new TcpdoctorError('TD_IO', msg('err.packets.cannotWrite', { path, detail: (err as Error).message }), { cause: err })
    }
  }

  /** The file descriptor (to hand the file to the unprivileged user). */
  get descriptor(): number { return this.fd }

  private write(b: Buffer): void {
    let off = 0
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off)
  }

  /** Appends a batch with one write. */
  append(records: readonly PcapRecord[]): void {
    if (records.length === 0) return
    this.write(pcapRecords(records, this.nanosecond))
    this.packets += records.length
  }

  close(): void {
    if (this.fd < 0) return
    if (this.own) {
      try {
        fsyncSync(this.fd)
      } catch {
        // a pipe or a FIFO cannot fsync; the data is written either way
      }
      closeSync(this.fd)
    }
    this.fd = -1
  }
}
