/**
 * `lab listen-overflow`: a listener with backlog 8 whose application never calls accept():
 * the accept queue fills (backlog + 1), later SYNs and final ACKs are dropped
 * (TcpExtListenOverflows, TcpExtListenDrops) and clients wait in SYN_SENT.
 */
import type { Scenario } from '../scenario.js'
import { pair, PORT, SERVER } from '../recipes.js'

const BACKLOG = 8

export const listenOverflow: Scenario = {
  name: 'listen-overflow',
  kind: 'trouble',
  defaultCount: 50,
  async setup(lab, count) {
    await pair(lab)
    const server = await lab.agent('server', 'tdlab-slowapp')
    await server.call('listen', { port: PORT, backlog: BACKLOG, accept: false })
    const client = await lab.agent('client', 'tdlab-client')
    await client.call('connect', { host: SERVER, port: PORT, count })
    return {
      expect: [
        { role: 'server', states: { LISTEN: 1, ESTABLISHED: BACKLOG + 1 }, findings: ['LISTEN_QUEUE_OVERFLOW'] },
        { role: 'client', states: { ESTABLISHED: BACKLOG + 1, SYN_SENT: Math.max(1, Math.floor((count - BACKLOG - 1) / 2)) }, findings: [] },
      ],
      look: [`tcpdoctor ls -l --netns ${lab.ns('server')}`, `ip netns exec ${lab.ns('server')} nstat -az TcpExtListenOverflows TcpExtListenDrops`],
    }
  },
}
