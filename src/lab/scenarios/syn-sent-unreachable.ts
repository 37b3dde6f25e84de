/**
 * `lab syn-sent-unreachable`: connections to an address that never answers (routed to the
 * server namespace, dropped there without ICMP): the client piles up SYN_SENT sockets.
 */
import type { Scenario } from '../scenario.js'
import { BLACKHOLE, nftChain, pair, SERVER } from '../recipes.js'

export const synSentUnreachable: Scenario = {
  name: 'syn-sent-unreachable',
  kind: 'trouble',
  defaultCount: 50,
  async setup(lab, count) {
    await pair(lab)
    await lab.ip('client', 'route', 'add', `${BLACKHOLE}.0/24`, 'via', SERVER)
    await lab.nft('server', nftChain('tdlab', 'prerouting', [`ip daddr ${BLACKHOLE}.0/24 drop`]))
    const client = await lab.agent('client', 'tdlab-app')
    await client.call('connect', { host: `${BLACKHOLE}.10`, port: 443, count })
    return {
      expect: [{ role: 'client', states: { SYN_SENT: count }, findings: ['SYN_SENT_UNREACHABLE'] }],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state syn-sent -o -p`, `ip netns exec ${lab.ns('client')} tcpdoctor ping --tcp 443 ${BLACKHOLE}.10`],
    }
  },
}
