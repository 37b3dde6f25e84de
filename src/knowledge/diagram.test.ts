import { describe, expect, it } from 'vitest'
import stringWidth from 'string-width'
import { diagramModel, renderDiagram } from './diagram.js'
import { renderSvg } from './svg.js'
import { BOXES, BOX_H, BOX_W, GRID_W, ROUTES } from './diagram-layout.js'
import { PATHS, TRANSITIONS, pathStates } from './transitions.js'

const variants = [
  { lang: 'en' as const },
  { lang: 'zh' as const },
  { lang: 'zh' as const, counts: { ESTABLISHED: 123456, TIME_WAIT: 9, SYN_RECV: 1, CLOSE: 3 } },
  { lang: 'en' as const, path: 'client' as const, highlight: 'TIME_WAIT' as const },
  { lang: 'zh' as const, path: 'server' as const, highlight: 'CLOSE_WAIT' as const },
]

describe('the state diagram', () => {
  it.each(variants)('fits 100 columns and keeps every line aligned: %o', (v) => {
    const text = renderDiagram(diagramModel(v))
    for (const line of text.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(100)
    // Box borders line up: the right border of every box is at the same cell in all its rows.
    const lines = text.split('\n')
    for (const b of BOXES) {
      for (let y = b.y; y < b.y + BOX_H; y++) {
        const line = lines[y] ?? ''
        let col = 0
        let ch = ''
        for (const c of line) {
          if (col === b.x + BOX_W - 1) ch = c
          col += stringWidth(c)
        }
        expect(ch, `${b.state} row ${y}: ${line}`).toMatch(/[│┃║┤┫╣┐┓╗┘┛╝├┣╠]/)
      }
    }
  })

  it('draws every transition once, with its number, and arrows end next to the target box', () => {
    expect(ROUTES.map((r) => r.n).sort((a, b) => a - b)).toEqual(TRANSITIONS.map((t) => t.n))
    for (const tr of TRANSITIONS) {
      const route = ROUTES.find((r) => r.n === tr.n)!
      const [x, y] = route.points[route.points.length - 1]!
      const target = BOXES.filter((b) => b.state === tr.to)
      const touches = target.some((b) => (x === b.x - 1 || x === b.x + BOX_W) ? y > b.y && y < b.y + BOX_H - 1 : (y === b.y - 1 || y === b.y + BOX_H) && x > b.x && x < b.x + BOX_W - 1)
      expect(touches, `transition ${tr.n}`).toBe(true)
      const [sx, sy] = route.points[0]!
      const source = BOXES.filter((b) => b.state === tr.from)
      expect(source.some((b) => sx >= b.x && sx < b.x + BOX_W && sy >= b.y && sy < b.y + BOX_H), `start of ${tr.n}`).toBe(true)
    }
    const text = renderDiagram(diagramModel({ lang: 'en' }))
    for (const tr of TRANSITIONS) expect(text).toMatch(new RegExp(`(^|[^0-9])${tr.n}([^0-9]|$)`, 'm'))
  })

  it('no two arrows share a cell (routes never cross or overlap)', () => {
    const used = new Map<string, number>()
    for (const r of ROUTES) {
      for (let i = 0; i + 1 < r.points.length; i++) {
        const [x0, y0] = r.points[i]!
        const [x1, y1] = r.points[i + 1]!
        const cells = x0 === x1 ? Array.from({ length: Math.abs(y1 - y0) + 1 }, (_, k) => [x0, Math.min(y0, y1) + k]) : Array.from({ length: Math.abs(x1 - x0) + 1 }, (_, k) => [Math.min(x0, x1) + k, y0])
        for (const [x, y] of cells) {
          const inBox = BOXES.some((b) => x! >= b.x && x! < b.x + BOX_W && y! >= b.y && y! < b.y + BOX_H)
          if (inBox) continue // starting points sit on borders
          const key = `${x},${y}`
          const other = used.get(key)
          if (other !== undefined && other !== r.n) throw new Error(`transitions ${other} and ${r.n} share cell ${key}`)
          used.set(key, r.n)
        }
      }
    }
    expect(GRID_W).toBeLessThanOrEqual(100)
  })

  it('shows live counts, Chinese names and the article\'s paths', () => {
    const text = renderDiagram(diagramModel(variants[2]!))
    expect(text).toContain('123,456')
    expect(text).toContain('时间等待 9')
    expect(text).toContain('关闭等待')
    expect(pathStates('client')).toEqual(['CLOSE', 'SYN_SENT', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE'])
    expect(pathStates('server')).toEqual(['CLOSE', 'LISTEN', 'SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE'])
    const model = diagramModel({ lang: 'en', path: 'client' })
    expect(model.edges.filter((e) => e.onPath).map((e) => e.n)).toEqual([...PATHS.client])
    const path = renderDiagram(model)
    expect(path).toContain('━')
    expect(renderDiagram(diagramModel({ lang: 'en', highlight: 'LISTEN' }))).toContain('╔')
  })

  it('writes an SVG with every state and transition', () => {
    const svg = renderSvg(diagramModel({ lang: 'zh', counts: { ESTABLISHED: 2 }, path: 'server' }), 'TCP 状态迁移图')
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true)
    expect(svg.match(/<polyline /g)?.length).toBe(TRANSITIONS.length)
    expect(svg.match(/<rect /g)?.length).toBe(BOXES.length)
    expect(svg).toContain('已建立  2')
    expect(svg.match(/<g /g)?.length).toBe(svg.match(/<\/g>/g)?.length)
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/)
  })
})
