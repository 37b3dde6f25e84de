/**
 * @module
 * A full-screen terminal view (top/mtr style): the alternate screen, raw keys, resize-safe
 * redraw, and the terminal put back as it was on close -- on q, on Ctrl-C (raw mode delivers it
 * as a key, not SIGINT), on SIGTERM and on an error, since close() runs in the caller's finally
 * and on process exit. No decisions here: the command decides what the lines say.
 * Hand-written: the view needs five escape sequences, not a widget library.
 */
import type { ReadStream } from 'node:tty'
import type { Writable } from 'node:stream'
import stringWidth from 'string-width'

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J'
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l'

export interface TuiOptions {
  stdin: ReadStream | (NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown })
  stdout: Writable & { columns?: number; rows?: number; on?: (ev: 'resize', fn: () => void) => unknown; off?: (ev: 'resize', fn: () => void) => unknown }
  onKey(key: string): void
  onResize(): void
}

export interface Tui {
  size(): { columns: number; rows: number }
  /** Replaces the screen with these lines, each cut to the width (ANSI colour kept). */
  draw(lines: readonly string[]): void
  close(): void
}

/** Cuts text to `width` terminal columns, keeping escape sequences and never splitting a wide character. */
export function fitLine(text: string, width: number): string {
  if (stringWidth(text) <= width) return text
  let out = ''
  let w = 0
  // Walk escape sequences and code points separately so colours survive the cut.
  const re = /\x1b\[[0-9;?]*[A-Za-z]|[\s\S]/gu
  for (const m of text.matchAll(re)) {
    const part = m[0]
    if (part.startsWith('\x1b')) {
      out += part
      continue
    }
    const cw = stringWidth(part)
    if (w + cw > width) break
    out += part
    w += cw
  }
  return out + '\x1b[0m'
}

/** Enters the full-screen view. Call close() in a finally. */
export function openTui(o: TuiOptions): Tui {
  const stdin = o.stdin as NodeJS.ReadableStream & { setRawMode?: (raw: boolean) => unknown; isTTY?: boolean }
  let closed = false
  const onData = (buf: Buffer | string): void => {
    const s = typeof buf === 'string' ? buf : buf.toString('utf8')
    // Escape sequences (arrows) as one key; everything else one character at a time (pasted text).
    const keys = s.match(/\x1b\[[0-9;]*[A-Za-z~]|\x1b|[\s\S]/gu) ?? []
    for (const k of keys) o.onKey(k)
  }
  const onResize = (): void => o.onResize()
  const restore = (): void => {
    if (closed) return
    closed = true
    stdin.off('data', onData)
    o.stdout.off?.('resize', onResize)
    if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(false)
    stdin.pause()
    o.stdout.write(LEAVE)
    process.off('exit', restore)
  }
  process.on('exit', restore)
  if (stdin.isTTY && stdin.setRawMode) stdin.setRawMode(true)
  stdin.on('data', onData)
  stdin.resume()
  o.stdout.on?.('resize', onResize)
  o.stdout.write(ENTER)
  const size = (): { columns: number; rows: number } => ({ columns: o.stdout.columns || 80, rows: o.stdout.rows || 24 })
  return {
    size,
    draw(lines) {
      if (closed) return
      const { columns, rows } = size()
      const shown = lines.slice(0, rows)
      // Home, then each line cleared to its end: no flicker from a full clear, nothing left over from a wider frame.
      let frame = '\x1b[H'
      for (let i = 0; i < shown.length; i++) frame += fitLine(shown[i]!, columns) + '\x1b[K' + (i < shown.length - 1 ? '\r\n' : '')
      frame += '\x1b[J'
      o.stdout.write(frame)
    },
    close: restore,
  }
}

const BLOCKS = '▁▂▃▄▅▆▇█'

/** A sparkline of the last `width` values, scaled from 0 to the largest (all zero: a flat line). */
export function sparkline(values: readonly number[], width: number): string {
  const v = values.slice(-width)
  const max = Math.max(0, ...v)
  const line = v.map((x) => (max === 0 ? BLOCKS[0]! : BLOCKS[Math.min(7, Math.round((x / max) * 7))]!)).join('')
  return line.padStart(width, ' ')
}

/** A bar of `width` cells filled to used/total (accept queue vs backlog). */
export function gauge(used: number, total: number, width: number): string {
  const f = total <= 0 ? 0 : Math.min(1, used / total)
  const n = Math.round(f * width)
  return '█'.repeat(n) + '░'.repeat(width - n)
}
