/** `lab closing-pileup`: many connections stuck in CLOSING (their FINs are never acknowledged). */
import type { Scenario } from '../scenario.js'
import { closing } from '../recipes.js'

export const closingPileup: Scenario = {
  name: 'closing-pileup',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await closing(lab, count)
    return {
      expect: [
        { role: 'client', states: { CLOSING: count }, findings: ['CLOSING_PILEUP'] },
        // The server's side really is a FIN_WAIT2 pile-up too: its peer's FIN never gets through.
        { role: 'server', states: { FIN_WAIT2: count }, findings: ['FIN_WAIT_2_PILEUP'] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state closing -o`],
    }
  },
}
