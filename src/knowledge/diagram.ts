/**
 * @module
 * The RFC 9293 state diagram as data (nodes, edges, optional live counts) and as terminal text:
 * boxes with the state name, the Chinese name with --lang zh, the count with --live; numbered
 * arrows; --highlight and --path drawn in heavier lines. Fits 100 columns in both languages.
 */
import stringWidth from 'string-width'
import type { Lang } from '../i18n/index.js'
import type { StateName } from '../model/state.js'
import { Canvas } from './canvas.js'
import { BOXES, BOX_H, BOX_W, GRID_H, GRID_W, ROUTES } from './diagram-layout.js'
import { DIAGRAM_STATES, PATHS, STATE_LABELS, TRANSITIONS, pathStates, type DiagramState, type PathName } from './transitions.js'

export interface DiagramOptions {
  lang: Lang
  highlight?: DiagramState
  path?: PathName
  /** Sockets per kernel state (countStates); NEW_SYN_RECV already folded into SYN_RECV. */
  counts?: Partial<Record<StateName, number>>
}

export interface DiagramNode {
  id: DiagramState
  label: string
  zh: string
  topic: string
  boxes: { x: number; y: number; w: number; h: number }[]
  count?: number
  highlighted?: boolean
  onPath?: boolean
}

export interface DiagramEdge {
  n: number
  from: DiagramState
  to: DiagramState
  event: string
  action: string
  route: (readonly [number, number])[]
  onPath?: boolean
}

export interface DiagramModel {
  lang: Lang
  width: number
  height: number
  nodes: DiagramNode[]
  edges: DiagramEdge[]
  path?: { name: PathName; states: DiagramState[]; transitions: number[] }
  highlight?: DiagramState
  counts?: Partial<Record<StateName, number>>
}

/** The diagram as data: what --json prints and what the renderers draw. */
export function diagramModel(opts: DiagramOptions): DiagramModel {
  const pathEdges = new Set<number>(opts.path ? PATHS[opts.path] : [])
  const pathNodes = new Set<DiagramState>(opts.path ? pathStates(opts.path) : [])
  const nodes = DIAGRAM_STATES.map((id): DiagramNode => {
    const l = STATE_LABELS[id]
    const node: DiagramNode = {
      id, label: l.label, zh: l.zh, topic: l.topic,
      boxes: BOXES.filter((b) => b.state === id).map((b) => ({ x: b.x, y: b.y, w: BOX_W, h: BOX_H })),
    }
    if (opts.counts) node.count = opts.counts[id] ?? 0
    if (opts.highlight === id) node.highlighted = true
    if (pathNodes.has(id)) node.onPath = true
    return node
  })
  const edges = TRANSITIONS.map((tr): DiagramEdge => {
    const route = ROUTES.find((r) => r.n === tr.n)!
    const e: DiagramEdge = { n: tr.n, from: tr.from, to: tr.to, event: tr.event[opts.lang], action: tr.action[opts.lang], route: route.points.map((p) => [p[0], p[1]] as const) }
    if (pathEdges.has(tr.n)) e.onPath = true
    return e
  })
  return {
    lang: opts.lang,
    width: GRID_W,
    height: GRID_H,
    nodes,
    edges,
    ...(opts.path ? { path: { name: opts.path, states: pathStates(opts.path), transitions: [...PATHS[opts.path]] } } : {}),
    ...(opts.highlight ? { highlight: opts.highlight } : {}),
    ...(opts.counts ? { counts: opts.counts } : {}),
  }
}

/** The second line of a box: the Chinese name, the count, or both when they fit. */
function secondLine(node: DiagramNode, lang: Lang, first: boolean): string {
  const count = node.count !== undefined && first ? node.count.toLocaleString('en-US') : undefined
  const zh = lang === 'zh' ? node.zh : undefined
  if (count !== undefined && zh !== undefined) {
    const both = `${zh} ${count}`
    return stringWidth(both) <= BOX_W - 2 ? both : count
  }
  return count ?? zh ?? ''
}

/**
 * The diagram as terminal text. style(name, text) may colour: names are "highlight", "path",
 * "count", "label".
 */
export function renderDiagram(model: DiagramModel, style?: (name: string, text: string) => string): string {
  const canvas = new Canvas(model.width, model.height)
  const byId = new Map(model.nodes.map((n) => [n.id, n]))
  // Edges first, path edges last so they win where lines touch.
  const ordered = [...model.edges].sort((a, b) => Number(!!a.onPath) - Number(!!b.onPath))
  for (const e of ordered) {
    canvas.polyline(e.route, e.onPath ? 'heavy' : 'light', e.onPath ? 'path' : undefined)
  }
  for (const b of BOXES) {
    const node = byId.get(b.state)!
    const line = node.highlighted ? 'double' : node.onPath ? 'heavy' : 'light'
    const st = node.highlighted ? 'highlight' : node.onPath ? 'path' : undefined
    canvas.box(b.x, b.y, BOX_W, BOX_H, line, st)
  }
  // Arrow heads and number tags after the lines, so they sit on top.
  for (const e of model.edges) {
    const pts = e.route
    const [x1, y1] = pts[pts.length - 1]!
    const [x0, y0] = pts[pts.length - 2]!
    const head = x1 === x0 ? (y1 > y0 ? '▼' : '▲') : x1 > x0 ? '►' : '◄' // ▶ ◀ are emoji-capable and measure two cells
    canvas.text(x1, y1, head, e.onPath ? 'path' : undefined)
    const route = ROUTES.find((r) => r.n === e.n)!
    canvas.text(route.label[0], route.label[1], String(e.n), e.onPath ? 'path' : 'label')
  }
  for (const b of BOXES) {
    const node = byId.get(b.state)!
    const first = BOXES.find((x) => x.state === b.state) === b
    canvas.centered(b.x + 1, b.y + 1, BOX_W - 2, node.label, node.highlighted ? 'highlight' : undefined)
    const second = secondLine(node, model.lang, first)
    canvas.centered(b.x + 1, b.y + 2, BOX_W - 2, second, node.count ? 'count' : undefined)
  }
  return canvas.render(style)
}
