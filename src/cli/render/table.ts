/**
 * @module
 * Column tables for terminals: widths measured with string-width so Chinese text lines up.
 * No decisions here: rows in, text out.
 */
import stringWidth from 'string-width'

export type Align = 'left' | 'right'

export interface Column {
  header: string
  align?: Align
}

function pad(text: string, width: number, align: Align): string {
  const gap = Math.max(0, width - stringWidth(text))
  return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap)
}

/** Renders rows under headers; the last left-aligned column is not padded. */
export function formatTable(columns: Column[], rows: string[][], opts: { header?: boolean; gap?: number } = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2)
  const widths = columns.map((c, i) => Math.max(opts.header === false ? 0 : stringWidth(c.header), ...rows.map((r) => stringWidth(r[i] ?? ''))))
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
