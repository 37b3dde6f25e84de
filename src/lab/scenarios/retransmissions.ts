/**
 * `lab retransmissions`: data flows client -> server while the server's input drops 10% of
 * the data segments at random (nftables numgen; no sch_netem needed): the client retransmits.
 */
import type { Scenario } from '../scenario.js'
import { connectMany, nftChain, pair, PORT, waitCounter } from '../recipes.js'

export const retransmissions: Scenario = {
  name: 'retransmissions',
  kind: 'trouble',
  defaultCount: 4,
  async setup(lab, count) {
    await pair(lab)
    const { client } = await connectMany(lab, count, { mode: 'drain' })
    await lab.nft('server', nftChain('tdlab', 'input', [`tcp dport ${PORT} meta length > 200 numgen random mod 100 < 10 drop`]))
    await client.call('stream', { group: 'conn', rate: 1_000_000 })
    return {
      expect: [
        { role: 'client', states: { ESTABLISHED: count }, findings: ['RETRANSMISSION_HIGH'] },
        { role: 'server', states: { ESTABLISHED: count, LISTEN: 1 }, findings: [] },
      ],
      look: [`tcpdoctor ls --netns ${lab.ns('client')} state established -i`, `tcpdoctor counters --netns ${lab.ns('client')}`],
      ready: () => waitCounter(client.pid, 'snmp', 'Tcp', 'RetransSegs', 20),
    }
  },
}
