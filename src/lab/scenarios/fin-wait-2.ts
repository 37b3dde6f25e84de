/** `lab fin-wait-2`: the client half-closed, its FIN was ACKed; the server keeps its side open. */
import type { Scenario } from '../scenario.js'
import { finWait2 } from '../recipes.js'

export const finWait2Scenario: Scenario = {
  name: 'fin-wait-2',
  kind: 'state',
  defaultCount: 3,
  async setup(lab, count) {
    await finWait2(lab, count)
    return {
      expect: [
        { role: 'client', states: { FIN_WAIT2: count }, findings: [] },
        { role: 'server', states: { CLOSE_WAIT: count }, findings: [] },
      ],
    }
  },
}
