/**
 * `lab half-open`: the peer vanishes without FIN or RST (every packet between the two hosts
 * is dropped after the connections are up). The server still holds ESTABLISHED sockets; its
 * data to the vanished peer is retransmitted and never acknowledged.
 */
import type { Scenario } from '../scenario.js'
import { CLIENT, connectMany, nftChain, pair, SERVER } from '../recipes.js'

export const halfOpen: Scenario = {
  name: 'half-open',
  kind: 'trouble',
  defaultCount: 5,
  async setup(lab, count) {
    await pair(lab)
    const { client, server } = await connectMany(lab, count, { serverComm: 'tdlab-app' })
    await lab.nft('client', nftChain('tdlab', 'output', [`ip daddr ${SERVER} drop`]) + nftChain('tdlab2', 'input', [`ip saddr ${SERVER} drop`]))
    await lab.nft('server', nftChain('tdlab', 'input', [`ip saddr ${CLIENT} drop`]))
    await client.call('close', { group: 'conn' })
    await server.call('send', { group: 'accepted', bytes: 100 })
    return {
      expect: [{ role: 'server', states: { ESTABLISHED: count, LISTEN: 1 }, findings: ['HALF_OPEN_SUSPECTED'] }],
      look: [`tcpdoctor ls --netns ${lab.ns('server')} state established -i -o`, `tcpdoctor keepalive --netns ${lab.ns('server')}`],
    }
  },
}
