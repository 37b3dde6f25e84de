/** `lab last-ack-pileup`: many passive closes whose last ACK never arrives (client vanished). */
import type { Scenario } from '../scenario.js'
import { lastAck } from '../recipes.js'

export const lastAckPileup: Scenario = {
  name: 'last-ack-pileup',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await lastAck(lab, count)
    return {
      expect: [{ role: 'server', states: { LAST_ACK: count }, findings: ['LAST_ACK_PILEUP'] }],
      look: [`tcpdoctor ls --netns ${lab.ns('server')} state last-ack -o`],
    }
  },
}
