/**
 * @module
 * Lowers the compiler's items (loads, tests, labels) to classic BPF and makes the code small.
 * All jumps go forward, so the program is a DAG in instruction order: one pass in order sees
 * every predecessor of an instruction before the instruction itself. That pass tracks what A and
 * X hold and which values are known on each edge (`A == 0x800` after a taken `jeq`); then:
 * a load of what A already holds is dropped, a jump whose next test is already decided goes
 * straight to that test's outcome, and code nothing reaches is dropped. Enough to match
 * libpcap's optimizer on single primitives and to keep combinations short.
 */
import { TcpdoctorError } from '../../errors.js'
import { BPF, type Insn } from './insn.js'
import { msg } from '../../i18n/index.js'

export interface Label { id: number; at: number }

export type Item =
  | { kind: 'label'; label: Label }
  | { kind: 'ld' | 'ldx'; key: string | null; body: Insn[] }
  | { kind: 'op'; body: Insn[]; clobX: boolean }
  | { kind: 'j'; code: number; k: number; t: Label; f: Label }
  | { kind: 'ja'; t: Label }
  | { kind: 'ret'; k: number }

type Node =
  | { kind: 'ld' | 'ldx'; key: string | null; body: Insn[] }
  | { kind: 'op'; body: Insn[]; clobX: boolean }
  | { kind: 'j'; code: number; k: number; t: number; f: number }
  | { kind: 'ja'; t: number }
  | { kind: 'ret'; k: number }

interface State { a: string | null; x: string | null; eq: Map<string, number>; ne: Map<string, Set<number>> }

const MAX_INSNS = 4096 // BPF_MAXINSNS

function merge(states: State[]): State | undefined {
  if (states.length === 0) return undefined
  const [first, ...rest] = states as [State, ...State[]]
  const out: State = { a: first.a, x: first.x, eq: new Map(first.eq), ne: new Map([...first.ne].map(([k, v]) => [k, new Set(v)])) }
  for (const s of rest) {
    if (s.a !== out.a) out.a = null
    if (s.x !== out.x) out.x = null
    for (const [k, v] of out.eq) if (s.eq.get(k) !== v) out.eq.delete(k)
    for (const [k, set] of out.ne) {
      const other = s.ne.get(k)
      for (const v of set) if (!other?.has(v)) set.delete(v)
      if (set.size === 0) out.ne.delete(k)
    }
  }
  return out
}

function copy(s: State): State {
  return { a: s.a, x: s.x, eq: new Map(s.eq), ne: new Map([...s.ne].map(([k, v]) => [k, new Set(v)])) }
}

function decide(s: State, a: string, n: Extract<Node, { kind: 'j' }>): boolean | undefined {
  if (n.code & BPF.X) return undefined
  const op = n.code & 0xf0
  const v = s.eq.get(a)
  if (v !== undefined) {
    if (op === BPF.JEQ) return v === n.k
    if (op === BPF.JGT) return v > n.k
    if (op === BPF.JGE) return v >= n.k
    if (op === BPF.JSET) return (v & n.k) !== 0
  }
  if (op === BPF.JEQ && s.ne.get(a)?.has(n.k)) return false
  return undefined
}

/** In-state of every node (undefined: unreachable) and, per jump node, the state on each edge. */
function flow(nodes: Node[]): { ins: (State | undefined)[]; edges: Map<number, { t: State; f: State }> } {
  const incoming: State[][] = nodes.map(() => [])
  const ins: (State | undefined)[] = []
  const edges = new Map<number, { t: State; f: State }>()
  incoming[0]?.push({ a: null, x: null, eq: new Map(), ne: new Map() })
  nodes.forEach((n, i) => {
    const s = merge(incoming[i]!)
    ins[i] = s
    if (!s) return
    const out = copy(s)
    switch (n.kind) {
      case 'ld': out.a = n.key; incoming[i + 1]?.push(out); break
      case 'ldx': out.x = n.key; incoming[i + 1]?.push(out); break
      case 'op': out.a = null; if (n.clobX) out.x = null; incoming[i + 1]?.push(out); break
      case 'ja': incoming[n.t]!.push(out); break
      case 'ret': break
      case 'j': {
        const t = copy(s)
        const f = copy(s)
        if (s.a !== null && !(n.code & BPF.X) && (n.code & 0xf0) === BPF.JEQ) {
          t.eq.set(s.a, n.k)
          const set = f.ne.get(s.a) ?? new Set<number>()
          set.add(n.k)
          f.ne.set(s.a, set)
        }
        edges.set(i, { t, f })
        incoming[n.t]!.push(t)
        incoming[n.f]!.push(f)
      }
    }
  })
  return { ins, edges }
}

/** Where a jump carrying state s into target can land instead, with the same outcome. */
function thread(nodes: Node[], target: number, s: State): number {
  let cur = target
  let candidate = target
  let a = s.a
  let skippedLoad = false
  for (let steps = 0; steps < 64; steps++) {
    const n = nodes[cur]!
    if (!skippedLoad || n.kind === 'ld' || n.kind === 'ret') { candidate = cur; skippedLoad = false }
    if (n.kind === 'ld' && n.key && (s.eq.has(n.key) || s.ne.has(n.key)) && n.body.length === 1) {
      a = n.key
      skippedLoad = true
      cur++
      continue
    }
    if (n.kind === 'ja') { cur = n.t; continue }
    if (n.kind === 'j' && a !== null) {
      const d = decide(s, a, n)
      if (d === undefined) break
      cur = d ? n.t : n.f
      continue
    }
    break
  }
  return candidate
}

function pass(nodes: Node[]): { nodes: Node[]; changed: boolean } {
  const { ins, edges } = flow(nodes)
  let changed = false
  nodes.forEach((n, i) => {
    if (!ins[i]) return
    if (n.kind === 'j') {
      const e = edges.get(i)!
      const t = thread(nodes, n.t, e.t)
      const f = thread(nodes, n.f, e.f)
      if (t !== n.t || f !== n.f) { n.t = t; n.f = f; changed = true }
    } else if (n.kind === 'ja') {
      const t = thread(nodes, n.t, ins[i]!)
      if (t !== n.t) { n.t = t; changed = true }
    }
  })
  // after threading, recompute what reaches what, then drop dead and redundant nodes
  const after = flow(nodes).ins
  const keep = nodes.map((n, i) => {
    const s = after[i]
    if (!s) return false
    if (n.kind === 'ld' && n.key !== null && s.a === n.key) return false
    if (n.kind === 'ldx' && n.key !== null && s.x === n.key) return false
    if (n.kind === 'ja' && n.t === i + 1) return false
    return true
  })
  if (keep.every(Boolean)) return { nodes, changed }
  const map: number[] = new Array<number>(nodes.length + 1)
  let next = nodes.filter((_, i) => keep[i]).length
  map[nodes.length] = next
  for (let i = nodes.length - 1; i >= 0; i--) { if (keep[i]) next--; map[i] = keep[i] ? next : map[i + 1]! }
  const out: Node[] = []
  nodes.forEach((n, i) => {
    if (!keep[i]) return
    if (n.kind === 'j') out.push(n.t === n.f ? { kind: 'ja', t: map[n.t]! } : { ...n, t: map[n.t]!, f: map[n.f]! })
    else if (n.kind === 'ja') out.push({ kind: 'ja', t: map[n.t]! })
    else out.push(n)
  })
  return { nodes: out, changed: true }
}

/** Resolves labels, optimizes (unless told not to) and encodes. */
export function optimize(items: Item[], enabled: boolean, text: string): Insn[] {
  const pending: Label[] = []
  const bare: Exclude<Item, { kind: 'label' }>[] = []
  for (const it of items) {
    if (it.kind === 'label') { pending.push(it.label); continue }
    for (const l of pending) l.at = bare.length
    pending.length = 0
    bare.push(it)
  }
  let nodes: Node[] = bare.map((it) => {
    if (it.kind === 'j') return { kind: 'j', code: it.code, k: it.k, t: it.t.at, f: it.f.at }
    if (it.kind === 'ja') return { kind: 'ja', t: it.t.at }
    return it
  })
  if (enabled) {
    for (let round = 0; round < 50; round++) {
      const r = pass(nodes)
      nodes = r.nodes
      if (!r.changed) break
    }
  }
  const pos: number[] = []
  let n = 0
  for (const node of nodes) { pos.push(n); n += node.kind === 'ld' || node.kind === 'ldx' || node.kind === 'op' ? node.body.length : 1 }
  pos.push(n)
  if (n > MAX_INSNS) throw new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterCompilesToInstructions', { text: JSON.stringify(text), n, MAX_INSNS }))
  const out: Insn[] = []
  nodes.forEach((node, i) => {
    const here = pos[i]!
    if (node.kind === 'j') {
      const jt = pos[node.t]! - here - 1
      const jf = pos[node.f]! - here - 1
      if (jt > 255 || jf > 255) throw new TcpdoctorError('TD_FILTER_SYNTAX', msg('err.packets.filterTooLargeFor', { text: JSON.stringify(text) }))
      out.push({ code: node.code, jt, jf, k: node.k })
    } else if (node.kind === 'ja') out.push({ code: BPF.JMP | BPF.JA, jt: 0, jf: 0, k: pos[node.t]! - here - 1 })
    else if (node.kind === 'ret') out.push({ code: BPF.RET | BPF.K, jt: 0, jf: 0, k: node.k })
    else out.push(...node.body)
  })
  return out
}
