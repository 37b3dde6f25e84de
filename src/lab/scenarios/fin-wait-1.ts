/**
 * `lab fin-wait-1`: the client half-closes while its data still waits for a zero receive
 * window (the server never reads): its FIN is queued and never acknowledged.
 */
import type { Scenario } from '../scenario.js'
import { zeroWindowClose } from '../recipes.js'

export const finWait1: Scenario = {
  name: 'fin-wait-1',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await zeroWindowClose(lab, count, 'shutdown')
    return {
      expect: [
        { role: 'client', states: { FIN_WAIT1: count }, findings: [] },
        { role: 'server', states: { ESTABLISHED: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state fin-wait-1 -i -o`],
    }
  },
}
