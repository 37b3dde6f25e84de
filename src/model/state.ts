/**
 * @module
 * TCP states: one table with every spelling. Values from include/net/tcp_states.h
 * (https://github.com/torvalds/linux/blob/master/include/net/tcp_states.h); ss names from
 * iproute2 misc/ss.c sstate_name[]; article names from the seed article; metric labels lower case.
 */
import { TcpdoctorError } from '../errors.js'
import { msg } from '../i18n/index.js'

export const TCP_STATES = [
  { num: 1, kernel: 'ESTABLISHED', ss: 'ESTAB', article: 'ESTABLISHED' },
  { num: 2, kernel: 'SYN_SENT', ss: 'SYN-SENT', article: 'SYN_SENT' },
  { num: 3, kernel: 'SYN_RECV', ss: 'SYN-RECV', article: 'SYN_RCVD' },
  { num: 4, kernel: 'FIN_WAIT1', ss: 'FIN-WAIT-1', article: 'FIN_WAIT_1' },
  { num: 5, kernel: 'FIN_WAIT2', ss: 'FIN-WAIT-2', article: 'FIN_WAIT_2' },
  { num: 6, kernel: 'TIME_WAIT', ss: 'TIME-WAIT', article: 'TIME_WAIT' },
  { num: 7, kernel: 'CLOSE', ss: 'UNCONN', article: 'CLOSED' },
  { num: 8, kernel: 'CLOSE_WAIT', ss: 'CLOSE-WAIT', article: 'CLOSE_WAIT' },
  { num: 9, kernel: 'LAST_ACK', ss: 'LAST-ACK', article: 'LAST_ACK' },
  { num: 10, kernel: 'LISTEN', ss: 'LISTEN', article: 'LISTEN' },
  { num: 11, kernel: 'CLOSING', ss: 'CLOSING', article: 'CLOSING' },
  { num: 12, kernel: 'NEW_SYN_RECV', ss: 'SYN-RECV', article: 'SYN_RCVD' },
  { num: 13, kernel: 'BOUND_INACTIVE', ss: 'BOUND-INACTIVE', article: 'BOUND_INACTIVE' },
] as const

export type StateInfo = (typeof TCP_STATES)[number]
export type StateName = StateInfo['kernel']

/** Kernel state names in kernel order, as they appear in JSON. */
export const STATE_NAMES: readonly StateName[] = TCP_STATES.map((s) => s.kernel)

const byNum = new Map<number, StateInfo>(TCP_STATES.map((s) => [s.num, s]))
const byName = new Map<StateName, StateInfo>(TCP_STATES.map((s) => [s.kernel, s]))

/** Kernel name of a state number; `UNKNOWN_<n>` for numbers the table does not know. */
export function stateName(num: number): StateName {
  const s = byNum.get(num)
  if (!s) return `UNKNOWN_${num}` as StateName
  return s.kernel
}

export function stateInfo(name: StateName): StateInfo {
  const s = byName.get(name)
  if (!s) throw new TcpdoctorError('TD_INTERNAL', msg('err.model.noState', { name }))
  return s
}

/** ss's spelling of a state, for human output. */
export function ssName(name: StateName): string {
  return byName.get(name)?.ss ?? name
}

/** Bit of a state in inet_diag_req_v2.idiag_states. */
export function stateBit(name: StateName): number {
  return 1 << stateInfo(name).num
}

/** All states ss dumps with `-a` (everything but bound-inactive): (1 << 12) - 1 with bit 0 clear. */
export const SS_ALL_BITS = 0xffe | (1 << 12)

// ss accepts these group names (misc/ss.c sstate_namel + ss.8).
const GROUPS: Record<string, readonly StateName[]> = {
  all: STATE_NAMES.filter((s) => s !== 'BOUND_INACTIVE'),
  // ss.8: "all the states except for listening and closed" (TIME_WAIT and SYN_RECV included).
  connected: ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'NEW_SYN_RECV'],
  // ss.8: "all the connected states except for syn-sent".
  synchronized: ['ESTABLISHED', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING', 'NEW_SYN_RECV'],
  bucket: ['SYN_RECV', 'TIME_WAIT', 'NEW_SYN_RECV'],
  big: ['ESTABLISHED', 'SYN_SENT', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING'],
  listening: ['LISTEN'],
  closed: ['CLOSE'],
  unconnected: ['CLOSE', 'LISTEN'],
}

function normalize(text: string): string {
  return text.trim().toUpperCase().replace(/[-\s]+/g, '_')
}

const aliases = new Map<string, StateName[]>()
for (const s of TCP_STATES) {
  for (const spelling of [s.kernel, s.ss, s.article]) {
    const key = normalize(spelling)
    const list = aliases.get(key) ?? []
    if (!list.includes(s.kernel)) list.push(s.kernel)
    aliases.set(key, list)
  }
  aliases.set(normalize(s.kernel).replace(/_/g, ''), [s.kernel])
}
// Spellings users type that the table does not derive.
for (const [alias, name] of [
  ['SYN_RECEIVED', 'SYN_RECV'], ['SYNRECV', 'SYN_RECV'], ['ESTAB', 'ESTABLISHED'], ['FIN_WAIT_1', 'FIN_WAIT1'],
  ['FIN_WAIT_2', 'FIN_WAIT2'], ['FINWAIT1', 'FIN_WAIT1'], ['FINWAIT2', 'FIN_WAIT2'], ['CLOSED', 'CLOSE'],
  ['TIMEWAIT', 'TIME_WAIT'], ['CLOSEWAIT', 'CLOSE_WAIT'], ['LASTACK', 'LAST_ACK'], ['UNCONN', 'CLOSE'],
] as const) aliases.set(alias, [name])
// SYN-RECV covers request sockets too, as in ss.
aliases.set('SYN_RECV', ['SYN_RECV', 'NEW_SYN_RECV'])

/** Parses a state or group name in any spelling (`close-wait`, `CLOSE_WAIT`, `closewait`, `connected`). */
export function parseStates(text: string): StateName[] {
  const lower = text.trim().toLowerCase()
  const group = GROUPS[lower]
  if (group) return [...group]
  const found = aliases.get(normalize(text))
  if (found) return [...found]
  throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.model.unknownTcpStateOr', { text }), {
    hint: msg('hint.model.statesGroups', { TCP_STATES: TCP_STATES.map((s) => s.ss.toLowerCase()).join(', '), GROUPS: Object.keys(GROUPS).join(', ') }),
  })
}

/** idiag_states bitmask for a set of states. */
export function stateMask(states: Iterable<StateName>): number {
  let mask = 0
  for (const s of states) mask |= stateBit(s)
  return mask >>> 0
}

/**
 * The state a count or a group files a socket under: NEW_SYN_RECV (a request socket, 4.4+)
 * counts as SYN_RECV, as ss and netstat show it. The one place this fold is written.
 */
export function countedState(name: StateName): StateName {
  return name === 'NEW_SYN_RECV' ? 'SYN_RECV' : name
}
