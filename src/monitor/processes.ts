/**
 * @module
 * Owners from a raw socket table (sockets/raw.ts, no object per socket): sockets per owning
 * process with their states (`states --by process`: the first holder, `~` when inferred from the
 * listener of an fd-less socket) and the owner of every listener, keyed as tally.ts keys them.
 */
import { stateName, type StateName } from '../model/state.js'
import type { RawTable } from '../sockets/raw.js'
import type { StateGroup } from '../sockets/group.js'

export interface Owners {
  /** Processes by sockets, most first; sockets without a visible owner are left out. */
  processes: StateGroup[]
  /** Listener text (`addr:port`, `[v6]:port`) -> `command[pid]`. */
  listeners: Map<string, string>
}

export function ownersOf(table: RawTable): Owners {
  const { raw } = table
  // Keyed by pid * 2 + inferred: the text is built once per process, not once per socket.
  const groups = new Map<number, { key: string; total: number; counts: Float64Array }>()
  const listeners = new Map<string, string>()
  let pid = -1
  let command = ''
  let inferred = false
  const first = (p: number, _fd: number, c: string, inf: boolean): void => {
    if (pid !== -1) return
    pid = p
    command = c
    inferred = inf
  }
  for (let i = 0; i < raw.count; i++) {
    pid = -1
    table.forEachOwner(i, first)
    if (pid === -1) continue
    const id = pid * 2 + (inferred ? 1 : 0)
    let g = groups.get(id)
    if (!g) groups.set(id, (g = { key: `${command}[${pid}]${inferred ? '~' : ''}`, total: 0, counts: new Float64Array(16) }))
    const st = raw.stateNum(i)
    g.counts[st]!++
    g.total++
    if (st === 10) {
      const a = raw.localAddress(i)
      listeners.set(`${raw.family(i) === 'inet6' ? `[${a}]` : a}:${raw.localPort(i)}`, g.key)
    }
  }
  const processes: StateGroup[] = []
  for (const g of groups.values()) {
    const states: Partial<Record<StateName, number>> = {}
    for (let st = 1; st < 16; st++) if (g.counts[st]) states[stateName(st)] = g.counts[st]!
    processes.push({ key: g.key, total: g.total, states })
  }
  processes.sort((a, b) => b.total - a.total || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return { processes, listeners }
}
