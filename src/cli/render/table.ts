/**
 * @module
 * Column tables for terminals: widths measured with string-width so Chinese text lines up.
 * No decisions here: rows in, text out.
 */
import { eastAsianWidth } from 'get-east-asian-width'

export type Align = 'left' | 'right'

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

const ANSI = /\x1b\[[0-9;]*m/g

/**
 * Terminal columns of a string: 2 for East Asian wide/fullwidth characters (CJK), 0 for
 * combining marks, zero-width characters and ANSI colour codes, else 1. Plain ASCII takes a fast
 * path. By hand over get-east-asian-width rather than string-width: string-width's emoji regex
 * costs ~25 ms at every start, and our tables hold no emoji.
 */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length
  let w = 0
  for (const ch of text.replace(ANSI, '')) {
    const cp = ch.codePointAt(0)!
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue // control characters
    if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x2060 || cp === 0xfeff) continue
    w += eastAsianWidth(cp)
  }
  return w
}

export interface Column {
  header: string
  align?: Align
}

function pad(text: string, width: number, align: Align): string {
  const gap = Math.max(0, width - displayWidth(text))
  return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap)
}

/** Renders rows under headers; the last left-aligned column is not padded. */
export function formatTable(columns: Column[], rows: string[][], opts: { header?: boolean; gap?: number } = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2)
  const widths = columns.map((c, i) => {
    let w = opts.header === false ? 0 : displayWidth(c.header)
    for (const r of rows) w = Math.max(w, displayWidth(r[i] ?? '')) // no spread: 300k rows overflow the stack
    return w
  })
  const lines: string[] = []
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        const col = columns[i]!
        const last = i === cells.length - 1
        return last && col.align !== 'right' ? cell : pad(cell, widths[i]!, col.align ?? 'left')
      })
      .join(gap)
  if (opts.header !== false) lines.push(line(columns.map((c) => c.header)))
  for (const r of rows) lines.push(line(columns.map((_, i) => r[i] ?? '')))
  return lines.join('\n')
}

/** Thousands separators for counts in human output. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** A horizontal bar of width proportional to value/max (for state counts). */
export function formatBar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return ''
  const n = Math.max(1, Math.round((value / max) * width))
  return '█'.repeat(n)
}
