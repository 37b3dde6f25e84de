/**
 * @module
 * A grid of terminal cells for box drawing: lines that meet merge into the right junction
 * glyph, wide (CJK) characters take two cells, and cells carry a style name the caller maps to
 * colour. Pure: cells in, text out.
 */
import stringWidth from 'string-width'

const U = 1
const D = 2
const L = 4
const R = 8

const LIGHT: Record<number, string> = {
  [U]: '│', [D]: '│', [U | D]: '│', [L]: '─', [R]: '─', [L | R]: '─',
  [D | R]: '┌', [D | L]: '┐', [U | R]: '└', [U | L]: '┘',
  [U | D | R]: '├', [U | D | L]: '┤', [L | R | D]: '┬', [L | R | U]: '┴', [U | D | L | R]: '┼',
}
const HEAVY: Record<number, string> = {
  [U]: '┃', [D]: '┃', [U | D]: '┃', [L]: '━', [R]: '━', [L | R]: '━',
  [D | R]: '┏', [D | L]: '┓', [U | R]: '┗', [U | L]: '┛',
  [U | D | R]: '┣', [U | D | L]: '┫', [L | R | D]: '┳', [L | R | U]: '┻', [U | D | L | R]: '╋',
}
const DOUBLE: Record<number, string> = {
  [U]: '║', [D]: '║', [U | D]: '║', [L]: '═', [R]: '═', [L | R]: '═',
  [D | R]: '╔', [D | L]: '╗', [U | R]: '╚', [U | L]: '╝',
  [U | D | R]: '╠', [U | D | L]: '╣', [L | R | D]: '╦', [L | R | U]: '╩', [U | D | L | R]: '╬',
}

export type LineStyle = 'light' | 'heavy' | 'double'

interface Cell {
  mask: number
  line: LineStyle
  /** A character placed on top (text, arrow); '' for the second half of a wide character. */
  char?: string
  style?: string
}

export class Canvas {
  readonly width: number
  readonly height: number
  private cells: Cell[][]

  constructor(width: number, height: number) {
    this.width = width
    this.height = height
    this.cells = Array.from({ length: height }, () => Array.from({ length: width }, () => ({ mask: 0, line: 'light' as LineStyle })))
  }

  private cell(x: number, y: number): Cell | undefined {
    return this.cells[y]?.[x]
  }

  private link(x: number, y: number, bits: number, line: LineStyle, style?: string): void {
    const c = this.cell(x, y)
    if (!c) return
    c.mask |= bits
    // The strongest style wins where lines meet: double > heavy > light.
    const rank = { light: 0, heavy: 1, double: 2 }
    if (rank[line] > rank[c.line]) c.line = line
    if (style) c.style = style
  }

  /** An axis-aligned polyline through points. */
  polyline(points: readonly (readonly [number, number])[], line: LineStyle = 'light', style?: string): void {
    for (let i = 0; i + 1 < points.length; i++) {
      const [x0, y0] = points[i]!
      const [x1, y1] = points[i + 1]!
      if (x0 === x1) {
        const step = y1 > y0 ? 1 : -1
        for (let y = y0; y !== y1 + step; y += step) this.link(x0, y, (y !== y0 ? (step > 0 ? U : D) : 0) | (y !== y1 ? (step > 0 ? D : U) : 0), line, style)
      } else {
        const step = x1 > x0 ? 1 : -1
        for (let x = x0; x !== x1 + step; x += step) this.link(x, y0, (x !== x0 ? (step > 0 ? L : R) : 0) | (x !== x1 ? (step > 0 ? R : L) : 0), line, style)
      }
    }
  }

  /** A rectangle of w x h cells with its corner at (x, y). */
  box(x: number, y: number, w: number, h: number, line: LineStyle = 'light', style?: string): void {
    this.polyline([[x, y], [x + w - 1, y], [x + w - 1, y + h - 1], [x, y + h - 1], [x, y]], line, style)
  }

  /** Writes text starting at (x, y); wide characters take two cells. Returns the width used. */
  text(x: number, y: number, text: string, style?: string): number {
    let col = x
    for (const ch of text) {
      const w = stringWidth(ch)
      const c = this.cell(col, y)
      if (!c || col + w > this.width) break
      c.char = ch
      c.style = style
      if (w === 2) {
        const next = this.cell(col + 1, y)
        if (next) next.char = ''
      }
      col += w
    }
    return col - x
  }

  /** Text centred in a span of width cells. */
  centered(x: number, y: number, width: number, text: string, style?: string): void {
    const w = stringWidth(text)
    this.text(x + Math.max(0, Math.floor((width - w) / 2)), y, text, style)
  }

  /** The grid as lines; style(name, text) may wrap runs in colour. Trailing spaces trimmed. */
  render(style?: (name: string, text: string) => string): string {
    const lines: string[] = []
    for (const row of this.cells) {
      let out = ''
      let run = ''
      let runStyle: string | undefined
      const flush = (): void => {
        out += runStyle && style ? style(runStyle, run) : run
        run = ''
      }
      for (const c of row) {
        let ch: string
        if (c.char !== undefined) ch = c.char
        else if (c.mask) ch = (c.line === 'double' ? DOUBLE : c.line === 'heavy' ? HEAVY : LIGHT)[c.mask] ?? '+'
        else ch = ' '
        const s = ch.trim() ? c.style : undefined
        if (s !== runStyle) {
          flush()
          runStyle = s
        }
        run += ch
      }
      flush()
      lines.push(out.replace(/\s+$/, ''))
    }
    return lines.join('\n')
  }
}
