/**
 * `lab simultaneous-open`: both ends connect to each other at once, no listener anywhere. A
 * 300 ms relay makes the SYNs cross; each end receives a SYN in SYN_SENT and moves to SYN_RECV.
 * The SYN/ACKs are dropped on input, so both ends stay in SYN_RECV to be seen.
 */
import type { Scenario } from '../scenario.js'
import { CLIENT, nftChain, pair, SERVER } from '../recipes.js'

const A = 40001
const B = 40002

export const simultaneousOpen: Scenario = {
  name: 'simultaneous-open',
  kind: 'state',
  defaultCount: 1,
  async setup(lab) {
    await pair(lab, { relayDelayMs: 300 })
    const rule = nftChain('tdlab', 'input', ['tcp flags & (syn | ack) == syn | ack drop'])
    await lab.nft('client', rule)
    await lab.nft('server', rule)
    const a = await lab.agent('client', 'tdlab-peer-a')
    const b = await lab.agent('server', 'tdlab-peer-b')
    await Promise.all([
      a.call('connect', { host: SERVER, port: B, bind: [CLIENT], localPort: A }),
      b.call('connect', { host: CLIENT, port: A, bind: [SERVER], localPort: B }),
    ])
    return {
      expect: [
        { role: 'client', states: { SYN_RECV: 1 }, findings: [] },
        { role: 'server', states: { SYN_RECV: 1 }, findings: [] },
      ],
    }
  },
}
