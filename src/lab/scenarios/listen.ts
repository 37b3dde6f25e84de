/** `lab listen`: a service waiting on a port (LISTEN). */
import type { Scenario } from '../scenario.js'
import { pair, PORT } from '../recipes.js'

export const listen: Scenario = {
  name: 'listen',
  kind: 'state',
  defaultCount: 1,
  async setup(lab, count) {
    await pair(lab)
    const server = await lab.agent('server', 'tdlab-server')
    for (let i = 0; i < count; i++) await server.call('listen', { port: PORT + i, backlog: 128 })
    return { expect: [{ role: 'server', states: { LISTEN: count }, findings: [] }], look: [`tcpdoctor who :${PORT} --netns ${lab.ns('server')}`] }
  },
}
