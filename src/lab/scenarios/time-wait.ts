/** `lab time-wait`: the client closes first; after the server's FIN it waits 2MSL (60 s on Linux). */
import type { Scenario } from '../scenario.js'
import { connectMany, pair } from '../recipes.js'

export const timeWait: Scenario = {
  name: 'time-wait',
  kind: 'state',
  defaultCount: 20,
  async setup(lab, count) {
    await pair(lab)
    const { client } = await connectMany(lab, count, { mode: 'close-on-eof' })
    await client.call('close', { group: 'conn' })
    return {
      expect: [{ role: 'client', states: { TIME_WAIT: count }, findings: [] }],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state time-wait -o`],
    }
  },
}
