/** `lab established`: open connections, both ends ESTABLISHED. */
import type { Scenario } from '../scenario.js'
import { connectMany, pair } from '../recipes.js'

export const established: Scenario = {
  name: 'established',
  kind: 'state',
  defaultCount: 5,
  async setup(lab, count) {
    await pair(lab)
    await connectMany(lab, count)
    return {
      expect: [
        { role: 'server', states: { ESTABLISHED: count, LISTEN: 1 }, findings: [] },
        { role: 'client', states: { ESTABLISHED: count }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state established -i`],
    }
  },
}
