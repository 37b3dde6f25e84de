/**
 * @module
 * The ss filter language as data: what parse.ts produces and match.ts / compile.ts consume.
 */
import type { StateName } from '../model/state.js'

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>='

/** A host condition: an address with an optional prefix length and/or port (`10.0.0.0/8:80`, `[::1]`). */
export interface HostSpec {
  family: 'inet' | 'inet6' | undefined
  /** Network-order bytes (4 or 16); undefined when only a port was given (`*:80`). */
  address: Uint8Array | undefined
  prefixLength: number
  port: number | undefined
}

export type FilterNode =
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'port'; side: 'sport' | 'dport'; op: CompareOp; port: number }
  | { kind: 'host'; side: 'src' | 'dst'; op: '=' | '!='; host: HostSpec }
  | { kind: 'true' }

export interface Filter {
  /** States selected with `state X` / `exclude X` (undefined: ss's default for the command). */
  states: StateName[] | undefined
  /** The address/port expression; undefined when there is none. */
  expr: FilterNode | undefined
  /** The text it was parsed from, for messages. */
  text: string
}
