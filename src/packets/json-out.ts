/**
 * @module
 * Text written straight into a byte buffer, for the `analyze --json` hot path: each report's
 * string is encoded once into a 256 KiB chunk as it is made (it was joined into a bigger string,
 * then encoded by the stream's write: twice the copying and a long-lived string per chunk).
 * Full chunks go to `sink` as fresh buffers (a stream may hold on to what it was given), never
 * reused.
 */

/**
 * Buffer's own encoder, without buf.write()'s argument handling (which took as long as the
 * encoding itself for a few hundred bytes). Node has it on every Buffer (undocumented, there since
 * 0.x); write() is the fallback.
 */
const utf8Write: (this: Buffer, s: string, offset: number) => number =
  (Buffer.prototype as unknown as { utf8Write?: (this: Buffer, s: string, offset: number) => number }).utf8Write ??
  function (this: Buffer, s: string, offset: number): number { return this.write(s, offset, 'utf8') }

/** Room every report needs at most (keys, 2 IPv6 addresses, 2 histories of 64 changes, 16 counts). */
const REPORT_MAX = 8 << 10

export class JsonOut {
  private buf: Buffer
  /** bytes written into buf */
  pos = 0

  constructor(private readonly sink: (chunk: Uint8Array) => void, private readonly chunk = 256 << 10) {
    this.buf = Buffer.allocUnsafe(chunk)
  }

  /** set by begin(): the bytes from there on stay in buf until takeFrom() */
  private held = false

  /** Makes room for n more bytes (flushing what is there); call before each report. */
  room(n = REPORT_MAX): void {
    if (this.pos + n <= this.buf.length) return
    if (this.held) {
      // a report being taken apart: grow instead of flushing (offsets into buf stay valid)
      const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
      this.buf.copy(b, 0, 0, this.pos)
      this.buf = b
      return
    }
    this.flush()
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n)
  }

  /** Where a report that may have to wait starts: its bytes stay in place until takeFrom(). */
  begin(): number {
    this.room()
    this.held = true
    return this.pos
  }

  /** Hands the bytes so far to the sink. */
  flush(): void {
    if (this.pos === 0) return
    this.sink(this.buf.subarray(0, this.pos))
    this.buf = Buffer.allocUnsafe(this.chunk)
    this.pos = 0
  }

  /** A copy of the bytes from `from` on, which are then taken back (a report that must wait). */
  takeFrom(from: number): Uint8Array {
    this.held = false
    const b = Buffer.allocUnsafe(this.pos - from)
    this.buf.copy(b, 0, from, this.pos)
    this.pos = from
    return b
  }

  bytes(b: Uint8Array): void {
    this.room(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** A string, UTF-8 (a report's text: written where it goes, no copy of it as a Buffer). */
  text(s: string): void {
    if (this.pos + s.length * 3 > this.buf.length) this.room(s.length * 3)
    this.pos += utf8Write.call(this.buf, s, this.pos)
  }
}
