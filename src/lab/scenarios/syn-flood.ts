/**
 * `lab syn-flood`: SYNs from many source addresses that never answer. The client kernel sends
 * real SYNs from 64 addresses, drops the SYN/ACKs on input (so it neither completes nor
 * resets) and forgets the sockets: the server's SYN queue fills up to its backlog and the
 * rest is answered with SYN cookies.
 */
import type { Scenario } from '../scenario.js'
import { CLIENT, nftChain, pair, PORT, SERVER } from '../recipes.js'

const BACKLOG = 128

export const synFlood: Scenario = {
  name: 'syn-flood',
  kind: 'trouble',
  defaultCount: 256,
  async setup(lab, count) {
    await pair(lab)
    const sources = Array.from({ length: 64 }, (_, i) => `10.199.1.${i + 1}`)
    await lab.ipBatch('client', sources.map((a) => `addr add ${a}/32 dev eth0`))
    await lab.ip('server', 'route', 'add', '10.199.1.0/24', 'via', CLIENT)
    const server = await lab.agent('server', 'tdlab-server')
    await server.call('listen', { port: PORT, backlog: BACKLOG })
    await lab.nft('client', nftChain('tdlab', 'input', [`tcp sport ${PORT} tcp flags & (syn | ack) == syn | ack drop`]))
    const client = await lab.agent('client', 'tdlab-flooder')
    await client.call('connect', { host: SERVER, port: PORT, count, bind: sources })
    // Closing a SYN_SENT socket sends nothing: the SYNs now look spoofed.
    await client.call('close', { group: 'conn' })
    const want = Math.min(count, BACKLOG)
    return {
      expect: [{ role: 'server', states: { SYN_RECV: want, LISTEN: 1 }, findings: ['SYN_FLOOD'] }],
      look: [
        `tcpdoctor ls --netns ${lab.ns('server')} state syn-recv`,
        `ip netns exec ${lab.ns('server')} nstat -az TcpExtSyncookiesSent TcpExtTCPReqQFullDoCookies`,
      ],
    }
  },
}
