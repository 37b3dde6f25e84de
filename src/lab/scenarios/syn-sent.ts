/** `lab syn-sent`: the server drops SYNs, so the client waits in SYN_SENT, retransmitting. */
import type { Scenario } from '../scenario.js'
import { nftChain, pair, PORT, SERVER } from '../recipes.js'

export const synSent: Scenario = {
  name: 'syn-sent',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await pair(lab)
    const server = await lab.agent('server', 'tdlab-server')
    await server.call('listen', { port: PORT })
    await lab.nft('server', nftChain('tdlab', 'input', [`tcp dport ${PORT} tcp flags & (syn | ack) == syn drop`]))
    const client = await lab.agent('client', 'tdlab-client')
    await client.call('connect', { host: SERVER, port: PORT, count })
    return {
      expect: [
        { role: 'client', states: { SYN_SENT: count }, findings: [] },
        { role: 'server', states: { LISTEN: 1 }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state syn-sent -o`],
    }
  },
}
