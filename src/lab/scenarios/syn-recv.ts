/** `lab syn-recv`: the client drops its own final ACK: the server waits in SYN_RECV. */
import type { Scenario } from '../scenario.js'
import { nftChain, pair, PORT, SERVER } from '../recipes.js'

export const synRecv: Scenario = {
  name: 'syn-recv',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await pair(lab)
    const server = await lab.agent('server', 'tdlab-server')
    await server.call('listen', { port: PORT })
    await lab.nft('client', nftChain('tdlab', 'output', [`tcp dport ${PORT} tcp flags & (syn | ack | fin | rst) == ack drop`]))
    const client = await lab.agent('client', 'tdlab-client')
    await client.call('connect', { host: SERVER, port: PORT, count, wait: 'established' })
    return {
      expect: [
        { role: 'server', states: { SYN_RECV: count, LISTEN: 1 }, findings: [] },
        { role: 'client', states: { ESTABLISHED: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('server')} state syn-recv -o`],
    }
  },
}
