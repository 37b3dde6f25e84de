/**
 * The dashboard: live state diagram, state counts over time (uPlot) with a range over the
 * history, listeners' accept queues, top ports and processes, findings with what to do.
 * Strict-CSP safe: no inline script or style; styles set through CSSOM only.
 */
import uPlot from 'uplot'
import { getHistory, getJson, type Finding, type Group, type HistoryPoint, type Listener, type Sample } from './api.js'
import { mountDiagram } from './diagram.js'
import { mountConnections, type ConnectionsView } from './connections.js'
import { initialLang, tr, type Key, type Lang } from './i18n.js'

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T
const h = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  if (text !== undefined) e.textContent = text
  return e
}

/** Series drawn in the chart, with their colours (the same hues as the diagram's). */
const SERIES: { state: string; color: string }[] = [
  { state: 'ESTABLISHED', color: '#2f9e44' },
  { state: 'TIME_WAIT', color: '#1c7ed6' },
  { state: 'CLOSE_WAIT', color: '#e8590c' },
  { state: 'SYN_RECV', color: '#c2255c' },
  { state: 'SYN_SENT', color: '#7048e8' },
  { state: 'FIN_WAIT1', color: '#f08c00' },
  { state: 'FIN_WAIT2', color: '#0ca678' },
  { state: 'LAST_ACK', color: '#862e9c' },
  { state: 'CLOSING', color: '#a61e4d' },
  { state: 'LISTEN', color: '#868e96' },
]
const RANGES: { key: Key; ms: number }[] = [
  { key: 'range.5m', ms: 5 * 60_000 },
  { key: 'range.1h', ms: 3600_000 },
  { key: 'range.6h', ms: 6 * 3600_000 },
  { key: 'range.24h', ms: 24 * 3600_000 },
  { key: 'range.7d', ms: 7 * 24 * 3600_000 },
]
/** Points kept for the live tail of the chart. */
const LIVE_MAX = 3600

let lang: Lang = initialLang()
let sample: Sample | undefined
let range = RANGES[0]!
let points: HistoryPoint[] = []
const diagram = mountDiagram($('diagram'), lang)
let chart: uPlot | undefined
let connections: ConnectionsView | undefined

function L(k: Key, vars?: Record<string, string | number>): string {
  return tr(lang, k, vars)
}

const fmt = (n: number | undefined, digits = 1): string => (n === undefined || Number.isNaN(n) ? '–' : n >= 1000 || Number.isInteger(n) ? Math.round(n).toLocaleString('en-US') : n.toFixed(digits))

function renderKpis(s: Sample): void {
  const r = s.rates ?? {}
  const items: { key: Key; value: string; tone?: string; id: string }[] = [
    { id: 'total', key: 'kpi.total', value: fmt(s.total) },
    { id: 'established', key: 'kpi.established', value: fmt(s.states.ESTABLISHED ?? 0) },
    { id: 'opens', key: 'kpi.opens', value: fmt(r.opens) },
    { id: 'resets', key: 'kpi.resets', value: fmt(r.resets), tone: r.resets ? 'warn' : undefined },
    { id: 'retrans', key: 'kpi.retrans', value: fmt(r.retrans), tone: r.retrans ? 'warn' : undefined },
    { id: 'overflows', key: 'kpi.overflows', value: fmt(r.overflows), tone: r.overflows ? 'bad' : undefined },
  ]
  $('kpis').replaceChildren(
    ...items.map((i) => {
      const card = h('div', `kpi${i.tone ? ' ' + i.tone : ''}`)
      card.dataset.kpi = i.id
      card.append(h('div', 'kpi-value', i.value), h('div', 'kpi-label', L(i.key)))
      return card
    }),
  )
}

function table(head: string[], rows: (string | Node)[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', 'empty', empty)
  const t = h('table')
  const tr = h('tr')
  for (const c of head) tr.append(h('th', undefined, c))
  t.append(h('thead'))
  t.tHead!.append(tr)
  const body = h('tbody')
  for (const r of rows) {
    const row = h('tr')
    for (const c of r) {
      const td = h('td')
      td.append(c)
      row.append(td)
    }
    body.append(row)
  }
  t.append(body)
  return t
}

/** A stacked bar of a group's states, coloured as the chart. */
function stateBar(g: Group, max: number): HTMLElement {
  const bar = h('div', 'stack')
  bar.title = Object.entries(g.states).map(([k, v]) => `${k} ${v}`).join(', ')
  for (const s of SERIES) {
    const n = g.states[s.state] ?? 0
    if (!n) continue
    const seg = h('span')
    seg.style.width = `${(n / max) * 100}%`
    seg.style.background = s.color
    bar.append(seg)
  }
  return bar
}

function renderGroups(id: string, keyLabel: Key, groups: Group[] | undefined): void {
  const list = (groups ?? []).slice(0, 8)
  const max = Math.max(1, ...list.map((g) => g.total))
  $(id).replaceChildren(table([L(keyLabel), L('col.total'), ''], list.map((g) => [h('code', undefined, g.key), fmt(g.total), stateBar(g, max)]), L('none')))
}

function renderListeners(ls: Listener[] | undefined): void {
  const list = (ls ?? []).slice(0, 10)
  $('listeners').replaceChildren(
    table(
      [L('listeners.local'), L('listeners.queue'), L('listeners.process')],
      list.map((l) => {
        const cell = h('div', 'queue')
        const bar = h('div', 'meter')
        const fill = h('span')
        const f = l.backlog > 0 ? Math.min(1, l.queue / l.backlog) : 0
        fill.style.width = `${Math.max(f * 100, l.queue > 0 ? 2 : 0)}%`
        if (f >= 1) bar.classList.add('full')
        else if (f >= 0.5) bar.classList.add('high')
        bar.append(fill)
        cell.append(bar, h('span', 'queue-n', `${l.queue} / ${l.backlog}`))
        return [h('code', undefined, l.local), cell, l.process ?? '–']
      }),
      L('listeners.none'),
    ),
  )
}

function renderFindings(fs: Finding[] | undefined, at: number | undefined): void {
  const list = fs ?? []
  const when = at === undefined ? [] : [h('div', 'findings-at', L('findings.at', { time: new Date(at).toLocaleTimeString() }))]
  if (list.length === 0) {
    const ok = h('div', 'all-good', L('findings.none'))
    $('findings').replaceChildren(...when, ok)
    return
  }
  $('findings').replaceChildren(
    ...when,
    ...list.map((f) => {
      const d = h('details', `finding ${f.severity}`)
      if (f.severity !== 'info') d.open = true
      const sum = h('summary')
      sum.append(h('span', `sev ${f.severity}`, L(`sev.${f.severity}` as Key)), h('span', 'f-title', f.title), h('code', 'f-code', f.code))
      d.append(sum, h('p', 'f-summary', f.summary))
      if (f.details?.length) {
        const ul = h('ul', 'f-details')
        for (const x of f.details.slice(0, 6)) ul.append(h('li', undefined, x))
        d.append(ul)
      }
      if (f.fixes?.length) {
        d.append(h('div', 'f-fix-head', L('findings.fix')))
        const ol = h('ol', 'f-fixes')
        for (const x of f.fixes) ol.append(h('li', undefined, x))
        d.append(ol)
      }
      if (f.explain) d.append(h('div', 'f-explain', L('findings.explain', { topic: f.explain })))
      return d
    }),
  )
}

function chartData(): uPlot.AlignedData {
  const xs = points.map((p) => p.at / 1000)
  return [xs, ...SERIES.map((s) => points.map((p) => p.states[s.state] ?? 0))]
}

function makeChart(): void {
  const host = $('chart')
  chart?.destroy()
  const width = Math.max(300, host.clientWidth || 600)
  chart = new uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: true } },
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      axes: [{ stroke: '#8a94a6', grid: { stroke: '#eef0f4' } }, { stroke: '#8a94a6', grid: { stroke: '#eef0f4' }, size: 56 }],
      series: [{}, ...SERIES.map((s) => ({ label: s.state, stroke: s.color, width: 2, points: { show: false }, fill: s.state === 'ESTABLISHED' ? 'rgba(47,158,68,0.08)' : undefined, show: s.state !== 'LISTEN' }))],
    },
    chartData(),
    host,
  )
}

async function loadRange(): Promise<void> {
  const now = Date.now()
  try {
    points = await getHistory(now - range.ms, now)
  } catch {
    points = [] // the server has no history store: the chart fills from the live stream
  }
  if (sample && (points.length === 0 || points[points.length - 1]!.at < sample.at)) points.push({ at: sample.at, states: sample.states })
  chart?.setData(chartData())
}

function renderRange(): void {
  $('range').replaceChildren(
    ...RANGES.map((r) => {
      const b = h('button', r === range ? 'on' : undefined, L(r.key))
      b.type = 'button'
      b.dataset.range = r.key
      b.addEventListener('click', () => {
        range = r
        renderRange()
        void loadRange()
      })
      return b
    }),
  )
}

function renderAll(): void {
  if (!sample) return
  const s = sample
  $('host').textContent = s.hostname ?? location.hostname
  $('netns').textContent = s.netns ? `netns ${s.netns}` : ''
  diagram.update(s.states)
  renderKpis(s)
  renderGroups('ports', 'ports.key', s.ports)
  renderGroups('processes', 'processes.key', s.processes)
  renderGroups('peers', 'peers.key', s.peers)
  renderListeners(s.listeners)
  renderFindings(s.findings, s.findingsAt)
}

function onSample(s: Sample): void {
  sample = s
  const last = points[points.length - 1]
  if (!last || last.at < s.at) {
    points.push({ at: s.at, states: s.states })
    const cutoff = Date.now() - range.ms
    while (points.length > LIVE_MAX || (points.length > 1 && points[0]!.at < cutoff)) points.shift()
    chart?.setData(chartData())
  }
  renderAll()
}

function setLive(state: 'connecting' | 'live' | 'lost'): void {
  $('live').dataset.state = state
  $('live-text').textContent = L(`live.${state}` as Key)
}

function applyLang(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
  for (const e of document.querySelectorAll<HTMLElement>('[data-i18n]')) e.textContent = L(e.dataset.i18n as Key)
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang button')) b.classList.toggle('on', b.dataset.lang === lang)
  setLive(($('live').dataset.state as 'connecting' | 'live' | 'lost') ?? 'connecting')
  diagram.setLang(lang)
  connections?.relabel()
  renderRange()
  renderAll()
}

function connect(): void {
  const es = new EventSource('/api/events')
  es.addEventListener('open', () => setLive('live'))
  es.addEventListener('error', () => setLive('lost'))
  es.addEventListener('sample', (ev) => {
    setLive('live')
    onSample(JSON.parse((ev as MessageEvent<string>).data) as Sample)
  })
}

async function start(): Promise<void> {
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang button')) {
    b.addEventListener('click', () => {
      lang = b.dataset.lang === 'zh' ? 'zh' : 'en'
      localStorage.setItem('tcpdoctor.lang', lang)
      applyLang()
      // Findings are worded by the server: fetch them again in the new language.
      getJson<Sample>(`/api/sample?lang=${lang}`).then(onSample, () => undefined)
    })
  }
  connections = mountConnections($('connections'), L)
  applyLang()
  makeChart()
  new ResizeObserver(() => chart?.setSize({ width: Math.max(300, $('chart').clientWidth), height: 260 })).observe($('chart'))
  try {
    onSample(await getJson<Sample>(`/api/sample?lang=${lang}`))
  } catch {
    setLive('lost')
  }
  await loadRange()
  connect()
}

void start()
