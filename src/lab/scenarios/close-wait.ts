/** `lab close-wait`: the client closed; the server application has not: server CLOSE_WAIT. */
import type { Scenario } from '../scenario.js'
import { closeWait } from '../recipes.js'

export const closeWaitScenario: Scenario = {
  name: 'close-wait',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await closeWait(lab, count)
    return {
      expect: [
        { role: 'server', states: { CLOSE_WAIT: count }, findings: [] },
        { role: 'client', states: { FIN_WAIT2: count }, findings: [] },
      ],
    }
  },
}
