/**
 * `lab resets`: a client that keeps meeting and sending RSTs: connects to a closed port
 * (refused) and aborts connections to an open one with SO_LINGER 0, about 50 of each a second.
 */
import type { Scenario } from '../scenario.js'
import { pair, PORT, SERVER, waitCounter } from '../recipes.js'

export const resets: Scenario = {
  name: 'resets',
  kind: 'trouble',
  defaultCount: 50,
  async setup(lab, count) {
    await pair(lab)
    const server = await lab.agent('server', 'tdlab-server')
    await server.call('listen', { port: PORT, backlog: 1024, mode: 'drain' })
    const client = await lab.agent('client', 'tdlab-client')
    await client.call('resets', { host: SERVER, closedPort: PORT + 1, openPort: PORT, interval: 1 / count })
    return {
      expect: [
        { role: 'client', states: {}, findings: ['RESETS_HIGH'] },
        { role: 'server', states: { LISTEN: 1 }, findings: ['RESETS_HIGH'] },
      ],
      look: [`tcpdoctor counters --netns ${lab.ns('client')}`, `ip netns exec ${lab.ns('client')} nstat -az TcpOutRsts TcpAttemptFails TcpExtTCPAbortOnClose`],
      ready: async () => {
        await waitCounter(client.pid, 'snmp', 'Tcp', 'OutRsts', 20)
        await waitCounter(server.pid, 'snmp', 'Tcp', 'OutRsts', 20)
      },
    }
  },
}
