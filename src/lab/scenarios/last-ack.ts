/** `lab last-ack`: the passive closer sent its FIN and waits for the last ACK. */
import type { Scenario } from '../scenario.js'
import { lastAck } from '../recipes.js'

export const lastAckScenario: Scenario = {
  name: 'last-ack',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await lastAck(lab, count)
    return {
      expect: [
        { role: 'server', states: { LAST_ACK: count }, findings: [] },
        { role: 'client', states: { TIME_WAIT: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('server')} state last-ack -o`],
    }
  },
}
