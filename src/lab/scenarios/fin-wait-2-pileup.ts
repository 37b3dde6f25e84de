/** `lab fin-wait-2-pileup`: many half-closed connections whose peer application never closes. */
import type { Scenario } from '../scenario.js'
import { finWait2 } from '../recipes.js'

export const finWait2Pileup: Scenario = {
  name: 'fin-wait-2-pileup',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await finWait2(lab, count, 'tdlab-stuck')
    return {
      expect: [
        { role: 'client', states: { FIN_WAIT2: count }, findings: ['FIN_WAIT_2_PILEUP'] },
        { role: 'server', states: { CLOSE_WAIT: count }, findings: ['CLOSE_WAIT_LEAK'] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state fin-wait-2 -o -p`],
    }
  },
}
