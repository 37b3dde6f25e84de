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
  const groups = new Map<string, { key: string; total: number; counts: Float64Array }>()
  const listeners = new Map<string, string>()
  for (let i = 0; i < raw.count; i++) {
    let key: string | undefined
    table.forEachOwner(i, (pid, _fd, command, inferred) => {
      key ??= `${command}[${pid}]${inferred ? '~' : ''}`
    })
    if (key === undefined) continue
    const st = raw.stateNum(i)
    if (st === 10) {
      const a = raw.localAddress(i)
      listeners.set(`${raw.family(i) === 'inet6' ? `[${a}]` : a}:${raw.localPort(i)}`, key)
    }
    let g = groups.get(key)
    if (!g) groups.set(key, (g = { key, total: 0, counts: new Float64Array(16) }))
    g.counts[st]!++
    g.total++
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
