/**
 * @module
 * Building blocks shared by scenarios: the two-host topology, and the ways to bring many
 * connections into one state (several scenarios differ only in count and where to look).
 */
import { readFileSync } from 'node:fs'
import { TcpdoctorError } from '../errors.js'
import { parseMibPairs } from '../kernel/procfs/snmp.js'
import type { Agent, Lab } from './kit.js'
import { sleep } from './kit.js'
import { msg } from '../i18n/index.js'

export const CLIENT = '10.199.0.1'
export const SERVER = '10.199.0.2'
export const PORT = 8080
/** Documentation range (RFC 5737) routed to the server namespace and dropped there. */
export const BLACKHOLE = '198.51.100'

/**
 * Sysctls that keep held states alive while the lab holds (all per-namespace). rfc1337: on
 * veth the kernel sometimes ACKs the peer's FIN twice; the peer, already CLOSED, answers the
 * second ACK with an RST, which would kill our TIME_WAIT socket (TIME_WAIT assassination).
 */
export const HOLD_SYSCTLS = {
  'net.ipv4.tcp_rfc1337': 1,
  'net.ipv4.tcp_syn_retries': 127,
  'net.ipv4.tcp_synack_retries': 60,
  'net.ipv4.tcp_orphan_retries': 15,
}

/** client 10.199.0.1 <-> server 10.199.0.2 over a veth pair (or the delaying TUN relay). */
export async function pair(
  lab: Lab,
  o: { relayDelayMs?: number; client?: Record<string, string | number>; server?: Record<string, string | number> } = {},
): Promise<void> {
  await lab.addNamespace('client', { sysctls: { ...HOLD_SYSCTLS, ...o.client } })
  await lab.addNamespace('server', { sysctls: { ...HOLD_SYSCTLS, ...o.server } })
  await lab.link('client', 'server', {
    addrA: `${CLIENT}/24`,
    addrB: `${SERVER}/24`,
    relay: o.relayDelayMs ? { delayMs: o.relayDelayMs } : undefined,
  })
}

/** An nftables table with one filter chain on `hook`, holding `rules` (one per line). */
export function nftChain(table: string, hook: 'input' | 'output' | 'prerouting', rules: string[]): string {
  // No '#' comments: inside a one-line chain spec one swallows the hook (RELIABILITY 4.3).
  return `table inet ${table} {\n  chain c {\n    type filter hook ${hook} priority 0; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n}\n`
}

export interface Connected {
  client: Agent
  server: Agent
  connected: number
}

/**
 * Starts a server agent listening on PORT and a client agent with `count` connections to it,
 * and waits until the server holds them all.
 */
export async function connectMany(
  lab: Lab,
  count: number,
  o: { serverComm?: string; clientComm?: string; mode?: 'hold' | 'drain' | 'close-on-eof'; rcvbuf?: number; sndbuf?: number } = {},
): Promise<Connected> {
  const server = await lab.agent('server', o.serverComm ?? 'tdlab-server')
  await server.call('listen', { port: PORT, backlog: Math.max(128, count), mode: o.mode ?? 'hold', rcvbuf: o.rcvbuf })
  const client = await lab.agent('client', o.clientComm ?? 'tdlab-client')
  const r = await client.call<{ connected: number }>('connect', { host: SERVER, port: PORT, count, wait: 'established', timeout: 15, sndbuf: o.sndbuf })
  if (r.connected < count) throw new TcpdoctorError('TD_IO', msg('err.lab.labOnlyOfConnections', { connected: r.connected, count }))
  if ((o.mode ?? 'hold') === 'hold') await waitAccepted(server, count)
  return { client, server, connected: r.connected }
}

/** Waits until the server agent has accepted n connections (they are in its "accepted" group). */
export async function waitAccepted(server: Agent, n: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await server.call<{ n: number }>('count', { group: 'accepted' })).n < n) {
    if (Date.now() > deadline) throw new TcpdoctorError('TD_IO', msg('err.lab.labTheServerAccepted', { n, timeoutMs }))
    await sleep(50)
  }
}

/** Client half-closes; the server app never closes: client FIN_WAIT2, server CLOSE_WAIT. */
export async function finWait2(lab: Lab, count: number, serverComm?: string): Promise<void> {
  await pair(lab)
  const { client } = await connectMany(lab, count, { serverComm })
  await client.call('shutdown', { group: 'conn' })
}

/** Client closes; the server app never closes: server CLOSE_WAIT (client orphans in FIN_WAIT2). */
export async function closeWait(lab: Lab, count: number, serverComm?: string): Promise<void> {
  await pair(lab)
  const { client } = await connectMany(lab, count, { serverComm })
  await client.call('close', { group: 'conn' })
}

/**
 * One-sided simultaneous close held in CLOSING: the server never receives the client's FIN
 * (dropped on its input), then closes too; the client, in FIN_WAIT1, gets the server's FIN
 * that does not ACK its own FIN -> CLOSING, and the ACK it waits for never comes.
 */
export async function closing(lab: Lab, count: number): Promise<void> {
  await pair(lab)
  const { client, server } = await connectMany(lab, count)
  await lab.nft('server', nftChain('tdlab', 'input', [`ip saddr ${CLIENT} tcp dport ${PORT} tcp flags & fin == fin drop`]))
  await client.call('shutdown', { group: 'conn' })
  await lab.waitStates('client', { FIN_WAIT1: count })
  await server.call('shutdown', { group: 'accepted' })
}

/**
 * Passive close held in LAST_ACK: the client closes first, the server app closes after the
 * server stops hearing ACKs and RSTs from the client, so its FIN is never acknowledged.
 */
export async function lastAck(lab: Lab, count: number): Promise<void> {
  await pair(lab)
  const { client, server } = await connectMany(lab, count)
  await client.call('shutdown', { group: 'conn' })
  await lab.waitStates('server', { CLOSE_WAIT: count })
  await lab.nft('server', nftChain('tdlab', 'input', [`ip saddr ${CLIENT} tcp dport ${PORT} tcp flags & (fin | syn) == 0 drop`]))
  await server.call('close', { group: 'accepted' })
}

/**
 * A receiver that never reads with a tiny receive buffer: the sender fills the window to zero,
 * then closes (or half-closes), so its FIN waits behind unsent data in FIN_WAIT1 while the
 * receiver keeps answering zero-window probes.
 */
export async function zeroWindowClose(lab: Lab, count: number, how: 'close' | 'shutdown'): Promise<void> {
  await pair(lab)
  const { client } = await connectMany(lab, count, { rcvbuf: 4096, sndbuf: 4608 })
  await client.call('fill', { group: 'conn', timeout: 15 })
  await client.call(how, { group: 'conn' })
}

/** Many connections from the client to one ip:port, closed by the client first (TIME_WAIT). */
export async function churn(lab: Lab, client: Record<string, string | number>): Promise<Agent> {
  await pair(lab, { client: { 'net.ipv4.tcp_tw_reuse': 0, ...client } })
  const server = await lab.agent('server', 'tdlab-server')
  await server.call('listen', { port: PORT, backlog: 1024, mode: 'close-on-eof' })
  return lab.agent('client', 'tdlab-loadgen')
}

/** Sums named fields of a /proc/net/snmp or /proc/net/netstat table ("Tcp", "TcpExt"). */
export function readCounter(pid: number, file: 'snmp' | 'netstat', table: string, field: string): number {
  const path = `/proc/${pid}/net/${file}`
  return parseMibPairs(readFileSync(path, 'utf8'), path)[table]?.[field] ?? 0
}

/** Polls a counter of the namespace `pid` lives in until it reaches `min`. */
export async function waitCounter(pid: number, file: 'snmp' | 'netstat', table: string, field: string, min: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (readCounter(pid, file, table, field) < min) {
    if (Date.now() > deadline) throw new TcpdoctorError('TD_IO', msg('err.lab.labStayedBelowFor', { table, field, min, timeoutMs }))
    await sleep(100)
  }
}
