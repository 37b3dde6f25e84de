/**
 * What the page reads from `tcpdoctor serve`: GET /api/sample (the latest sample), GET
 * /api/history?from=MS&to=MS (state counts over time), and /api/events (server-sent "sample"
 * events, each one sample). Fields the page does not know are ignored; missing ones show as
 * empty, so a newer server never breaks an older page.
 */
export interface Group {
  key: string
  total: number
  states: Record<string, number | undefined>
}

export interface Listener {
  local: string
  queue: number
  backlog: number
  process?: string
}

export interface Finding {
  code: string
  severity: 'critical' | 'warning' | 'info'
  title: string
  summary: string
  details?: string[]
  fixes?: string[]
  explain?: string
  netns?: string
}

export interface Sample {
  at: number
  hostname?: string
  netns?: string
  total: number
  states: Record<string, number | undefined>
  rates?: { opens?: number; resets?: number; retrans?: number; overflows?: number }
  ports?: Group[]
  processes?: Group[]
  peers?: Group[]
  listeners?: Listener[]
  findings?: Finding[]
  /** When the doctor last ran (ms since the epoch): less often than the sample. */
  findingsAt?: number
}

export interface HistoryPoint {
  at: number
  states: Record<string, number | undefined>
}

export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: 'application/json' } })
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`)
  return (await r.json()) as T
}

/** History in [from, to] (ms since the epoch), oldest first. Accepts {samples: [...]} or [...]. */
export async function getHistory(from: number, to: number): Promise<HistoryPoint[]> {
  // About 1,000 points whatever the range: the server averages rows into buckets of `step` seconds.
  const step = Math.max(1, Math.round((to - from) / 1000 / 1000))
  const body = await getJson<{ samples?: HistoryPoint[]; points?: HistoryPoint[] } | HistoryPoint[]>(`/api/history?from=${from}&to=${to}&step=${step}`)
  const list = Array.isArray(body) ? body : (body.samples ?? body.points ?? [])
  return list.filter((p) => typeof p.at === 'number').sort((a, b) => a.at - b.at)
}

/** One row of GET /api/connections (src/monitor/connections.ts ConnectionRow). */
export interface Connection {
  id: string
  state: string
  local: string
  remote: string
  process: string | null
  recvQ: number
  sendQ: number
  rttMs: number | null
  bytesSent: number | null
  bytesReceived: number | null
}

export interface ConnectionsReply {
  at: number
  filter: string
  total: number
  connections: Connection[]
}

/** The body, or the server's coded error ({ error: { code, message } }) for a 4xx/5xx. */
export async function getJsonOrError<T>(path: string): Promise<T | { error: { code: string; message: string } }> {
  try {
    const r = await fetch(path, { headers: { accept: 'application/json' } })
    const body = (await r.json()) as T | { error: { code: string; message: string } }
    if (!r.ok && !(body && typeof body === 'object' && 'error' in body)) return { error: { code: `HTTP ${r.status}`, message: path } }
    return body
  } catch (err) {
    return { error: { code: 'NETWORK', message: (err as Error).message } }
  }
}
