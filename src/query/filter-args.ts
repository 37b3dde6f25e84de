/**
 * @module
 * ss filter words on the command line -> what the socket source needs: the states to dump, the
 * in-kernel bytecode when the expression compiles, and a userspace predicate when it does not.
 */
import type { Socket } from '../model/socket.js'
import type { StateName } from '../model/state.js'
import { parseFilter } from './parse.js'
import { matchFilter } from './match.js'
import { compileBytecode } from './compile.js'

export interface FilterArgs {
  states?: StateName[]
  bytecode?: Buffer
  match?: (s: Socket) => boolean
  text: string
}

export function filterFromArgs(words: string[]): FilterArgs {
  if (words.length === 0) return { text: '' }
  const f = parseFilter(words)
  const out: FilterArgs = { text: f.text, states: f.states }
  if (f.expr) {
    const expr = f.expr
    const bc = compileBytecode(expr)
    if (bc) out.bytecode = bc
    // The predicate always runs too: it is what the procfs fallback and --from rely on, and on
    // netlink it only re-checks what the kernel already kept.
    out.match = (s) => matchFilter(expr, s)
  }
  return out
}
