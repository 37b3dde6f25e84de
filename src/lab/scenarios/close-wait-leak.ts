/** `lab close-wait-leak`: a named application (tdlab-leaky) never closes what its clients closed. */
import type { Scenario } from '../scenario.js'
import { closeWait } from '../recipes.js'

export const closeWaitLeak: Scenario = {
  name: 'close-wait-leak',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await closeWait(lab, count, 'tdlab-leaky')
    return {
      expect: [{ role: 'server', states: { CLOSE_WAIT: count, LISTEN: 1 }, findings: ['CLOSE_WAIT_LEAK'] }],
      look: [`tcpdoctor ls --netns ${lab.ns('server')} state close-wait -p`, `tcpdoctor states --by process --netns ${lab.ns('server')}`],
    }
  },
}
