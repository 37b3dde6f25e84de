/**
 * @module
 * Column tables for terminals: widths measured with string-width so Chinese text lines up.
 * No decisions here: rows in, text out.
 */
import { eastAsianWidth } from 'get-east-asian-width'

export type Align = 'left' | 'right'


const ANSI = /\x1b\[[0-9;]*m/g

/**
 * Terminal columns of a string: 2 for East Asian wide/fullwidth characters (CJK), 0 for
 * combining marks, zero-width characters and ANSI colour codes, else 1. Plain ASCII takes a fast
 * path. By hand over get-east-asian-width rather than string-width: string-width's emoji regex
 * costs ~25 ms at every start, and our tables hold no emoji.
 */
export function displayWidth(text: string): number {
  let ascii = true
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c > 0x7e) { ascii = false; break }
  }
  if (ascii) return text.length
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

/** Column widths over a header and rows (any iterable: rows may be produced on the fly). */
export function columnWidths(columns: Column[], rows: Iterable<string[]>, header = true): number[] {
  const widths = columns.map((c) => (header ? displayWidth(c.header) : 0))
  for (const r of rows) for (let i = 0; i < widths.length; i++) {
    const w = displayWidth(r[i] ?? '')
    if (w > widths[i]!) widths[i] = w
  }
  return widths
}

/** One line of a table; the last left-aligned column is not padded. */
export function formatRow(columns: Column[], widths: number[], cells: string[], gap = '  '): string {
  let line = ''
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i]!
    const cell = cells[i] ?? ''
    const last = i === columns.length - 1
    if (i > 0) line += gap
    line += last && col.align !== 'right' ? cell : pad(cell, widths[i]!, col.align ?? 'left')
  }
  return line
}

/** Renders rows under headers. */
export function formatTable(columns: Column[], rows: string[][], opts: { header?: boolean; gap?: number } = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2)
  const widths = columnWidths(columns, rows, opts.header !== false)
  const lines: string[] = []
  if (opts.header !== false) lines.push(formatRow(columns, widths, columns.map((c) => c.header), gap))
  for (const r of rows) lines.push(formatRow(columns, widths, r, gap))
  return lines.join('\n')
}

/** Thousands separators for counts in human output. */
export function formatCount(n: number): string {
  // By hand: the first toLocaleString call loads ICU data (~17 ms), a third of `states`' own time.
  const s = String(Math.trunc(Math.abs(n)))
  let out = ''
  for (let i = 0; i < s.length; i++) out += (i > 0 && (s.length - i) % 3 === 0 ? ',' : '') + s[i]
  return (n < 0 ? '-' : '') + out
}

/** A horizontal bar of width proportional to value/max (for state counts). */
export function formatBar(value: number, max: number, width = 30): string {
  if (max <= 0 || value <= 0) return ''
  const n = Math.max(1, Math.round((value / max) * width))
  return '█'.repeat(n)
}
