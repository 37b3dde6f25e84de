/** `lab closing`: both ends sent FIN; the client waits for the ACK of its FIN in CLOSING. */
import type { Scenario } from '../scenario.js'
import { closing } from '../recipes.js'

export const closingScenario: Scenario = {
  name: 'closing',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await closing(lab, count)
    return {
      expect: [
        { role: 'client', states: { CLOSING: count }, findings: [] },
        { role: 'server', states: { FIN_WAIT2: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state closing -o`],
    }
  },
}
