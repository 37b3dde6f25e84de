/**
 * `lab outbound-scan`: one process SYN-probes 10 ports on each of many hosts (a scanner or
 * worm on this host). The targets never answer, so the probes sit in SYN_SENT.
 */
import type { Scenario } from '../scenario.js'
import { BLACKHOLE, nftChain, pair, SERVER } from '../recipes.js'

const PORTS = [21, 22, 23, 25, 80, 110, 143, 443, 3306, 8080]

export const outboundScan: Scenario = {
  name: 'outbound-scan',
  kind: 'trouble',
  defaultCount: 200,
  async setup(lab, count) {
    await pair(lab)
    await lab.ip('client', 'route', 'add', `${BLACKHOLE}.0/24`, 'via', SERVER)
    await lab.nft('server', nftChain('tdlab', 'prerouting', [`ip daddr ${BLACKHOLE}.0/24 drop`]))
    const targets = Array.from({ length: count }, (_, i) => [`${BLACKHOLE}.${1 + Math.floor(i / PORTS.length)}`, PORTS[i % PORTS.length]!])
    const scanner = await lab.agent('client', 'tdlab-scanner')
    await scanner.call('connect', { targets })
    return {
      expect: [{ role: 'client', states: { SYN_SENT: count }, findings: ['OUTBOUND_SCAN_SUSPECTED'] }],
      look: [`tcpdoctor states --by remote --netns ${lab.ns('client')}`, `tcpdoctor ls --netns ${lab.ns('client')} state syn-sent -p`],
    }
  },
}
