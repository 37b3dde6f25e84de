/**
 * `lab orphans`: the application closes connections whose peer advertises a zero window (it
 * never reads): the sockets lose their process and wait in FIN_WAIT1 behind unsent data.
 */
import type { Scenario } from '../scenario.js'
import { zeroWindowClose } from '../recipes.js'

export const orphans: Scenario = {
  name: 'orphans',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await zeroWindowClose(lab, count, 'close')
    return {
      expect: [
        { role: 'client', states: { FIN_WAIT1: count }, findings: ['ORPHAN_SOCKETS_HIGH', 'FIN_WAIT_1_PILEUP'] },
        { role: 'server', states: { ESTABLISHED: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state fin-wait-1 -p -o`, `ip netns exec ${lab.ns('client')} cat /proc/net/sockstat`],
    }
  },
}
