/** `lab unexpected-listener`: a process nobody expects listens on 0.0.0.0:31337 (a "trojan"). */
import type { Scenario } from '../scenario.js'
import { pair } from '../recipes.js'

export const unexpectedListener: Scenario = {
  name: 'unexpected-listener',
  kind: 'trouble',
  defaultCount: 1,
  async setup(lab, count) {
    await pair(lab)
    const backdoor = await lab.agent('server', 'tdlab-backdoor')
    for (let i = 0; i < count; i++) await backdoor.call('listen', { port: 31337 + i })
    return {
      expect: [{ role: 'server', states: { LISTEN: count }, findings: ['UNEXPECTED_LISTENER'] }],
      look: [`tcpdoctor who :31337 --netns ${lab.ns('server')}`, `tcpdoctor ls -l -p --netns ${lab.ns('server')}`],
    }
  },
}
