/**
 * The connection table (TCPView's main view): every socket the filter keeps, with its owner,
 * state, queues, RTT and bytes, from GET /api/connections. Polled every 2 s while the page is
 * visible; a row that appeared since the last poll is green, one that went away stays one poll
 * longer in red (as TCPView marks them). The filter is ss's language, parsed by the server.
 * Text goes in through textContent only: process names are not ours to trust.
 */
import { getJsonOrError, type Connection, type ConnectionsReply } from './api.js'
import type { Key } from './i18n.js'

const POLL_MS = 2000
const LIMIT = 500

type Tr = (k: Key, vars?: Record<string, string | number>) => string

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag)
  if (cls) e.className = cls
  if (text !== undefined) e.textContent = text
  return e
}

const bytes = (n: number | null): string => (n === null ? '–' : n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : n < 1 << 30 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / (1 << 30)).toFixed(2)} GiB`)

export interface ConnectionsView {
  /** Re-render the labels in the current language. */
  relabel(): void
}

export function mountConnections(host: HTMLElement, L: Tr): ConnectionsView {
  const form = el('form', 'conn-form')
  const input = el('input', 'conn-filter')
  input.type = 'search'
  input.name = 'filter'
  input.spellcheck = false
  input.autocomplete = 'off'
  const apply = el('button', undefined)
  apply.type = 'submit'
  const status = el('span', 'conn-status')
  form.append(input, apply, status)
  const error = el('div', 'conn-error')
  error.hidden = true
  const wrap = el('div', 'conn-wrap')
  host.replaceChildren(form, error, wrap)

  let filter = ''
  let previous = new Map<string, Connection>()
  let last: ConnectionsReply | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let seq = 0

  function relabel(): void {
    input.placeholder = L('conn.placeholder')
    apply.textContent = L('conn.apply')
    if (last) render(last, new Set(), [])
  }

  function render(r: ConnectionsReply, fresh: Set<string>, gone: Connection[]): void {
    status.textContent = r.total > r.connections.length ? L('conn.countLimited', { shown: r.connections.length, total: r.total }) : L('conn.count', { total: r.total })
    if (r.connections.length === 0 && gone.length === 0) {
      wrap.replaceChildren(el('p', 'empty', L('conn.none')))
      return
    }
    const t = el('table', 'conn-table')
    const head = el('tr')
    for (const k of ['conn.process', 'conn.state', 'conn.local', 'conn.remote', 'conn.recvq', 'conn.sendq', 'conn.rtt', 'conn.sent', 'conn.received'] as Key[]) head.append(el('th', undefined, L(k)))
    t.append(el('thead'))
    t.tHead!.append(head)
    const body = el('tbody')
    const line = (c: Connection, cls: string | undefined): HTMLTableRowElement => {
      const tr = el('tr', cls)
      tr.dataset.id = c.id
      tr.dataset.state = c.state
      const cells: (string | Node)[] = [c.process ?? '–', el('span', `st st-${c.state}`, c.state), el('code', undefined, c.local), el('code', undefined, c.remote), String(c.recvQ), String(c.sendQ), c.rttMs === null ? '–' : `${c.rttMs} ms`, bytes(c.bytesSent), bytes(c.bytesReceived)]
      for (const x of cells) {
        const td = el('td')
        td.append(x)
        tr.append(td)
      }
      return tr
    }
    for (const c of r.connections) body.append(line(c, fresh.has(c.id) ? 'new' : undefined))
    for (const c of gone) body.append(line(c, 'gone'))
    t.append(body)
    wrap.replaceChildren(t)
  }

  async function poll(): Promise<void> {
    const mine = ++seq
    const q = new URLSearchParams({ filter, limit: String(LIMIT) })
    const r = await getJsonOrError<ConnectionsReply>(`/api/connections?${q}`)
    if (mine !== seq) return // a newer poll (the filter changed) owns the table
    if ('error' in r) {
      error.hidden = false
      error.textContent = `${r.error.code}: ${r.error.message}`
    } else {
      error.hidden = true
      const now = new Map(r.connections.map((c) => [c.id, c]))
      // The first listing after a filter change marks nothing: every row is "new" to it.
      const first = last === undefined
      const fresh = new Set(first ? [] : r.connections.filter((c) => !previous.has(c.id)).map((c) => c.id))
      const gone = first || r.total > r.connections.length ? [] : [...previous.values()].filter((c) => !now.has(c.id))
      previous = now
      last = r
      render(r, fresh, gone)
    }
  }

  function schedule(): void {
    clearTimeout(timer)
    timer = setTimeout(() => {
      if (document.visibilityState === 'visible') void poll().finally(schedule)
      else schedule()
    }, POLL_MS)
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault()
    filter = input.value.trim()
    last = undefined
    previous = new Map()
    void poll().finally(schedule)
  })
  relabel()
  void poll().finally(schedule)
  return { relabel }
}
