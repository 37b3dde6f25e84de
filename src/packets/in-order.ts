/**
 * @module
 * Hands on texts numbered 0, 1, 2, ... in number order although they arrive in any order
 * (connections finish out of tcp.stream order; the JSON lists them by stream). A text that
 * arrives early waits in memory up to a budget; past it the waiting texts go to a temporary file
 * (unlinked at once: nothing to clean up even after a crash) and are read back when their turn
 * comes. So memory stays bounded even when one connection stays open from the first packet to the
 * last and every later one must wait for it: the file then holds them, with 12 bytes of index each.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TcpdoctorError, fromSystemError } from '../errors.js'
import { msg } from '../i18n/index.js'

const READ_AHEAD = 1 << 20

export class InOrder {
  private next = 0
  private readonly held = new Map<number, string>()
  private heldBytes = 0
  private spill: Spill | undefined

  /** budget: bytes of text held in memory before spilling to a file */
  constructor(private readonly emit: (text: string) => void, private readonly budget = 16 << 20) {}

  /** Texts written to the temporary file so far. */
  get spilled(): number { return this.spill?.count ?? 0 }

  put(n: number, text: string): void {
    if (n !== this.next) {
      this.held.set(n, text)
      this.heldBytes += text.length
      if (this.heldBytes > this.budget) this.spillHeld()
      return
    }
    this.emit(text)
    this.next++
    for (;;) {
      let t = this.held.get(this.next)
      if (t !== undefined) {
        this.held.delete(this.next)
        this.heldBytes -= t.length
      } else if ((t = this.spill?.take(this.next)) === undefined) return
      this.emit(t)
      this.next++
    }
  }

  /** Closes the temporary file; every number below `count` must have been put. */
  end(count: number): void {
    this.spill?.close()
    this.spill = undefined
    if (this.next !== count) throw new TcpdoctorError('TD_INTERNAL', msg('err.packets.reportsMissing', { missing: count - this.next, next: this.next }))
  }

  private spillHeld(): void {
    this.spill ??= new Spill()
    this.spill.write([...this.held].sort((x, y) => x[0] - y[0]))
    this.held.clear()
    this.heldBytes = 0
  }
}

/** The temporary file: texts appended in batches sorted by number, read back in number order. */
class Spill {
  count = 0
  private readonly fd: number
  private size = 0
  private offsets = new Float64Array(1024)
  private lengths = new Int32Array(1024)
  private window = Buffer.alloc(READ_AHEAD)
  private winStart = 0
  private winLen = 0

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'tcpdoctor-analyze-'))
    const file = join(dir, 'waiting.json')
    this.fd = openSync(file, 'w+', 0o600)
    rmSync(dir, { recursive: true, force: true })
  }

  write(batch: [number, string][]): void {
    let bytes = 0
    for (const [, t] of batch) bytes += Buffer.byteLength(t)
    const b = Buffer.allocUnsafe(bytes)
    let o = 0
    for (const [n, t] of batch) {
      if (n >= this.offsets.length) this.growTo(n)
      const w = b.write(t, o)
      this.offsets[n] = this.size + o
      this.lengths[n] = w
      o += w
    }
    try {
      for (let at = 0; at < o; ) at += writeSync(this.fd, b, at, o - at, this.size + at)
    } catch (e) {
      throw fromSystemError(e, msg('err.packets.writingReportSpill'))
    }
    this.size += o
    this.count += batch.length
  }

  /** The text numbered n (removed), or undefined when it was never spilled. */
  take(n: number): string | undefined {
    const len = n < this.lengths.length ? this.lengths[n]! : 0
    if (len === 0) return undefined
    this.lengths[n] = 0
    const off = this.offsets[n]!
    if (off < this.winStart || off + len > this.winStart + this.winLen) {
      if (len > this.window.length) this.window = Buffer.alloc(len)
      this.winStart = off
      this.winLen = 0
      while (this.winLen < this.window.length) {
        const got = readSync(this.fd, this.window, this.winLen, this.window.length - this.winLen, off + this.winLen)
        if (got === 0) break
        this.winLen += got
      }
    }
    return this.window.toString('utf8', off - this.winStart, off - this.winStart + len)
  }

  close(): void {
    closeSync(this.fd)
  }

  private growTo(n: number): void {
    let size = this.offsets.length
    while (size <= n) size *= 2
    const o = new Float64Array(size), l = new Int32Array(size)
    o.set(this.offsets)
    l.set(this.lengths)
    this.offsets = o
    this.lengths = l
  }
}
