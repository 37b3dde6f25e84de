/**
 * The TCP state diagram with live counts, drawn as SVG from the same boxes, routes and
 * transitions as `tcpdoctor diagram` (src/knowledge, bundled in: one layout for terminal and page).
 */
import { BOXES, BOX_H, BOX_W, GRID_H, GRID_W, ROUTES } from '../src/knowledge/diagram-layout.js'
import { STATE_LABELS, TRANSITIONS } from '../src/knowledge/transitions.js'
import type { Lang } from './i18n.js'

const NS = 'http://www.w3.org/2000/svg'
const CW = 10
const CH = 20

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  parent?.appendChild(e)
  return e
}

export interface LiveDiagram {
  update(states: Record<string, number | undefined>): void
  setLang(lang: Lang): void
}

/** States whose sockets pile up when something is wrong: shown amber when not empty. */
const TROUBLE = new Set(['CLOSE_WAIT', 'SYN_RECV', 'FIN_WAIT1', 'LAST_ACK', 'CLOSING', 'SYN_SENT'])

export function mountDiagram(host: HTMLElement, lang: Lang): LiveDiagram {
  const svg = el('svg', { viewBox: `0 -4 ${GRID_W * CW} ${GRID_H * CH + 8}`, class: 'diagram', role: 'img' })
  const defs = el('defs', {}, svg)
  const marker = el('marker', { id: 'arr', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs)
  el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }, marker)
  const cx = (x: number): number => x * CW + CW / 2
  const cy = (y: number): number => y * CH + CH / 2
  const edgeTitles: { t: SVGTitleElement; n: number }[] = []
  for (const r of ROUTES) {
    const pts = r.points.map(([x, y]) => [cx(x), cy(y)] as [number, number])
    const [lx, ly] = pts[pts.length - 1]!
    const [px, py] = pts[pts.length - 2]!
    pts[pts.length - 1] = [lx + Math.sign(lx - px) * (CW / 2), ly + Math.sign(ly - py) * (CH / 2)]
    const g = el('g', { class: 'edge' }, svg)
    el('polyline', { points: pts.map((p) => p.join(',')).join(' '), class: 'edge-line', 'marker-end': 'url(#arr)' }, g)
    // A wide invisible twin so the thin arrow is easy to hover.
    const hit = el('polyline', { points: pts.map((p) => p.join(',')).join(' '), class: 'edge-hit' }, g)
    edgeTitles.push({ t: el('title', {}, hit), n: r.n })
    const tag = el('text', { x: r.label[0] * CW, y: cy(r.label[1]) + 4, class: 'edge-tag' }, g)
    tag.textContent = String(r.n)
  }
  const boxes: { state: string; g: SVGGElement; count: SVGTextElement | undefined; sub: SVGTextElement; name: SVGTextElement }[] = []
  for (const b of BOXES) {
    const first = BOXES.find((x) => x.state === b.state) === b
    const g = el('g', { class: 'state', 'data-state': b.state }, svg)
    const x = b.x * CW + CW / 2
    const y = b.y * CH + CH / 2
    const w = (BOX_W - 1) * CW
    const h = (BOX_H - 1) * CH
    el('rect', { x, y, width: w, height: h, rx: 8 }, g)
    const name = el('text', { x: x + w / 2, y: y + 19, class: 'state-name' }, g)
    name.textContent = STATE_LABELS[b.state].label
    const sub = el('text', { x: x + w / 2, y: y + 34, class: 'state-zh' }, g)
    const count = first ? el('text', { x: x + w / 2, y: y + 53, class: 'state-count', 'data-count': b.state }, g) : undefined
    boxes.push({ state: b.state, g, count, sub, name })
  }
  host.replaceChildren(svg)
  let last: Record<string, number | undefined> = {}
  const api: LiveDiagram = {
    update(states) {
      const max = Math.max(1, ...Object.values(states).map((v) => v ?? 0))
      for (const b of boxes) {
        const n = states[b.state] ?? 0
        if (b.count) {
          const changed = (last[b.state] ?? 0) !== n
          b.count.textContent = n.toLocaleString('en-US')
          if (changed) {
            b.g.classList.remove('flash')
            void b.g.getBoundingClientRect() // restart the animation
            b.g.classList.add('flash')
          }
        }
        b.g.classList.toggle('empty', n === 0)
        b.g.classList.toggle('trouble', n > 0 && TROUBLE.has(b.state))
        // Heat 0..5 by share of the largest state: the busy states stand out at a glance.
        const heat = n === 0 ? 0 : 1 + Math.min(4, Math.floor((n / max) * 4.999))
        b.g.setAttribute('data-heat', String(heat))
      }
      last = { ...states }
    },
    setLang(l) {
      for (const b of boxes) b.sub.textContent = l === 'zh' ? STATE_LABELS[b.state as keyof typeof STATE_LABELS].zh : ''
      for (const e of edgeTitles) {
        const t = TRANSITIONS.find((x) => x.n === e.n)!
        e.t.textContent = `${t.n}: ${t.event[l]} — ${t.action[l]}`
      }
    },
  }
  api.setLang(lang)
  return api
}
