/**
 * @module
 * Every transition of RFC 9293's state diagram (section 3.3.2, figure 5, with note 3's
 * FIN_WAIT_1 -> TIME_WAIT), numbered as the diagram labels them, with event and action in
 * English and Chinese. States use the kernel's names (SPEC 3a).
 */
import type { StateName } from '../model/state.js'

export type DiagramState = Extract<StateName, 'CLOSE' | 'LISTEN' | 'SYN_SENT' | 'SYN_RECV' | 'ESTABLISHED' | 'FIN_WAIT1' | 'FIN_WAIT2' | 'CLOSE_WAIT' | 'CLOSING' | 'LAST_ACK' | 'TIME_WAIT'>

export interface Bilingual {
  en: string
  zh: string
}

export interface Transition {
  n: number
  from: DiagramState
  to: DiagramState
  /** What happens (RFC: the line above the bar). */
  event: Bilingual
  /** What TCP sends or does (RFC: the line below the bar); "-" when nothing. */
  action: Bilingual
}

const tr = (n: number, from: DiagramState, to: DiagramState, event: [string, string], action: [string, string]): Transition => ({
  n, from, to, event: { en: event[0], zh: event[1] }, action: { en: action[0], zh: action[1] },
})

export const TRANSITIONS: readonly Transition[] = [
  tr(1, 'CLOSE', 'LISTEN', ['passive open: listen()', '被动打开：listen()'], ['create TCB', '创建 TCB']),
  tr(2, 'CLOSE', 'SYN_SENT', ['active open: connect()', '主动打开：connect()'], ['send SYN', '发送 SYN']),
  tr(3, 'LISTEN', 'CLOSE', ['close()', 'close()'], ['delete TCB', '删除 TCB']),
  tr(4, 'LISTEN', 'SYN_RECV', ['receive SYN', '收到 SYN'], ['send SYN+ACK', '发送 SYN+ACK']),
  tr(5, 'LISTEN', 'SYN_SENT', ['send data (SEND call; not possible with sockets)', '发送数据（SEND 调用；套接字 API 无法做到）'], ['send SYN', '发送 SYN']),
  tr(6, 'SYN_SENT', 'SYN_RECV', ['receive SYN (simultaneous open)', '收到 SYN（同时打开）'], ['send SYN+ACK', '发送 SYN+ACK']),
  tr(7, 'SYN_SENT', 'ESTABLISHED', ['receive SYN+ACK', '收到 SYN+ACK'], ['send ACK', '发送 ACK']),
  tr(8, 'SYN_SENT', 'CLOSE', ['close() or timeout (tcp_syn_retries), or RST', 'close() 或超时（tcp_syn_retries），或收到 RST'], ['delete TCB', '删除 TCB']),
  tr(9, 'SYN_RECV', 'ESTABLISHED', ['receive ACK of SYN', '收到对 SYN 的 ACK'], ['-', '-']),
  tr(10, 'SYN_RECV', 'LISTEN', ['receive RST (after a passive open)', '收到 RST（被动打开时）'], ['drop the request', '丢弃该请求']),
  tr(11, 'SYN_RECV', 'FIN_WAIT1', ['close()', 'close()'], ['send FIN', '发送 FIN']),
  tr(12, 'ESTABLISHED', 'FIN_WAIT1', ['close() (active close)', 'close()（主动关闭）'], ['send FIN', '发送 FIN']),
  tr(13, 'ESTABLISHED', 'CLOSE_WAIT', ['receive FIN (passive close)', '收到 FIN（被动关闭）'], ['send ACK', '发送 ACK']),
  tr(14, 'FIN_WAIT1', 'FIN_WAIT2', ['receive ACK of FIN', '收到对 FIN 的 ACK'], ['-', '-']),
  tr(15, 'FIN_WAIT1', 'CLOSING', ['receive FIN (simultaneous close)', '收到 FIN（同时关闭）'], ['send ACK', '发送 ACK']),
  tr(16, 'FIN_WAIT1', 'TIME_WAIT', ['receive FIN+ACK of our FIN', '收到确认了我方 FIN 的 FIN+ACK'], ['send ACK', '发送 ACK']),
  tr(17, 'FIN_WAIT2', 'TIME_WAIT', ['receive FIN', '收到 FIN'], ['send ACK', '发送 ACK']),
  tr(18, 'CLOSING', 'TIME_WAIT', ['receive ACK of FIN', '收到对 FIN 的 ACK'], ['-', '-']),
  tr(19, 'CLOSE_WAIT', 'LAST_ACK', ['close() by the application', '应用程序 close()'], ['send FIN', '发送 FIN']),
  tr(20, 'LAST_ACK', 'CLOSE', ['receive ACK of FIN', '收到对 FIN 的 ACK'], ['delete TCB', '删除 TCB']),
  tr(21, 'TIME_WAIT', 'CLOSE', ['timeout: 2MSL (Linux: fixed 60 s)', '超时：2MSL（Linux 固定 60 秒）'], ['delete TCB', '删除 TCB']),
]

/** The article's two routes through the diagram, as transition numbers. */
export const PATHS = {
  client: [2, 7, 12, 14, 17, 21],
  server: [1, 4, 9, 13, 19, 20],
} as const satisfies Record<string, readonly number[]>

export type PathName = keyof typeof PATHS

/** The states a path visits, in order. */
export function pathStates(path: PathName): DiagramState[] {
  const steps = PATHS[path].map((n) => TRANSITIONS.find((t) => t.n === n)!)
  return [steps[0]!.from, ...steps.map((t) => t.to)]
}

/** Human labels for diagram states: the RFC/article spelling and Chinese. */
export const STATE_LABELS: Record<DiagramState, { label: string; zh: string; topic: string }> = {
  CLOSE: { label: 'CLOSED', zh: '关闭', topic: 'closed' },
  LISTEN: { label: 'LISTEN', zh: '监听', topic: 'listen' },
  SYN_SENT: { label: 'SYN_SENT', zh: '同步已发送', topic: 'syn-sent' },
  SYN_RECV: { label: 'SYN_RCVD', zh: '同步已接收', topic: 'syn-recv' },
  ESTABLISHED: { label: 'ESTABLISHED', zh: '已建立', topic: 'established' },
  FIN_WAIT1: { label: 'FIN_WAIT_1', zh: '终止等待1', topic: 'fin-wait-1' },
  FIN_WAIT2: { label: 'FIN_WAIT_2', zh: '终止等待2', topic: 'fin-wait-2' },
  CLOSE_WAIT: { label: 'CLOSE_WAIT', zh: '关闭等待', topic: 'close-wait' },
  CLOSING: { label: 'CLOSING', zh: '同时关闭中', topic: 'closing' },
  LAST_ACK: { label: 'LAST_ACK', zh: '最后确认', topic: 'last-ack' },
  TIME_WAIT: { label: 'TIME_WAIT', zh: '时间等待', topic: 'time-wait' },
}

export const DIAGRAM_STATES = Object.keys(STATE_LABELS) as DiagramState[]
