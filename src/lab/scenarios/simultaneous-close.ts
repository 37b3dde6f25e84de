/**
 * `lab simultaneous-close`: both ends close at once. A 300 ms relay makes the FINs cross:
 * FIN_WAIT1 -> CLOSING -> TIME_WAIT on both sides (one connection, TIME_WAIT at each end).
 */
import type { Scenario } from '../scenario.js'
import { connectMany, pair } from '../recipes.js'

export const simultaneousClose: Scenario = {
  name: 'simultaneous-close',
  kind: 'state',
  defaultCount: 1,
  async setup(lab, count) {
    await pair(lab, { relayDelayMs: 300 })
    const { client, server } = await connectMany(lab, count)
    await Promise.all([client.call('shutdown', { group: 'conn' }), server.call('shutdown', { group: 'accepted' })])
    return {
      expect: [
        { role: 'client', states: { TIME_WAIT: count }, findings: [] },
        { role: 'server', states: { TIME_WAIT: count }, findings: [] },
      ],
    }
  },
}
