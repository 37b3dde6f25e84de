/**
 * @module
 * The state diagram as a standalone SVG, drawn from the same model and grid as the terminal
 * version (one cell = 10 x 20 px).
 */
import type { DiagramModel } from './diagram.js'
import { BOXES, BOX_H, BOX_W, ROUTES } from './diagram-layout.js'

const CW = 10
const CH = 20

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

const cx = (x: number): number => x * CW + CW / 2
const cy = (y: number): number => y * CH + CH / 2

/** The SVG document text. */
export function renderSvg(model: DiagramModel, title: string): string {
  const W = model.width * CW + 20
  const H = model.height * CH + 50
  const byId = new Map(model.nodes.map((n) => [n.id, n]))
  const out: string[] = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="-10 -40 ${W} ${H}" font-family="DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace" font-size="13">`)
  out.push(`<title>${esc(title)}</title>`)
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>',
    '<marker id="arrow-path" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#0b7285"/></marker></defs>')
  out.push(`<text x="0" y="-18" font-size="16" font-weight="bold">${esc(title)}</text>`)
  for (const e of model.edges) {
    const pts = e.route.map(([x, y]) => [cx(x), cy(y)] as [number, number])
    // Extend the last segment half a cell so the arrow touches the box border.
    const [lx, ly] = pts[pts.length - 1]!
    const [px, py] = pts[pts.length - 2]!
    pts[pts.length - 1] = [lx + Math.sign(lx - px) * (CW / 2), ly + Math.sign(ly - py) * (CH / 2)]
    const stroke = e.onPath ? '#0b7285' : '#555'
    out.push(`<polyline class="edge" data-n="${e.n}" points="${pts.map((p) => p.join(',')).join(' ')}" fill="none" stroke="${stroke}" stroke-width="${e.onPath ? 3 : 1.3}" marker-end="url(#${e.onPath ? 'arrow-path' : 'arrow'})"><title>${e.n}: ${esc(e.event)} / ${esc(e.action)}</title></polyline>`)
    const r = ROUTES.find((x) => x.n === e.n)!
    out.push(`<text class="tag" x="${r.label[0] * CW}" y="${cy(r.label[1]) + 4}" fill="${e.onPath ? '#0b7285' : '#c92a2a'}" font-weight="bold">${e.n}</text>`)
  }
  for (const b of BOXES) {
    const node = byId.get(b.state)!
    const first = BOXES.find((x) => x.state === b.state) === b
    const fill = node.highlighted ? '#fff3bf' : node.onPath ? '#e3fafc' : '#f8f9fa'
    const stroke = node.highlighted ? '#e67700' : node.onPath ? '#0b7285' : '#343a40'
    const x = b.x * CW + CW / 2
    const y = b.y * CH + CH / 2
    const w = (BOX_W - 1) * CW
    const h = (BOX_H - 1) * CH
    out.push(`<g class="state" data-state="${node.id}"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="${node.highlighted || node.onPath ? 3 : 1.5}"/>`)
    out.push(`<text x="${x + w / 2}" y="${y + 24}" text-anchor="middle" font-weight="bold">${esc(node.label)}</text>`)
    const second = [model.lang === 'zh' ? node.zh : '', node.count !== undefined && first ? node.count.toLocaleString('en-US') : ''].filter(Boolean).join('  ')
    if (second) out.push(`<text class="count" x="${x + w / 2}" y="${y + 44}" text-anchor="middle">${esc(second)}</text>`)
    out.push('</g>')
  }
  out.push('</svg>')
  return out.join('\n') + '\n'
}
