/**
 * `lab port-exhaustion`: the client's ephemeral range is narrowed to `count` ports and every
 * one of them holds an open connection to the same server ip:port: the next connect() fails
 * with EADDRNOTAVAIL ("Cannot assign requested address").
 */
import type { Scenario } from '../scenario.js'
import { connectMany, pair, PORT, SERVER } from '../recipes.js'
import { TcpdoctorError } from '../../errors.js'
import { msg } from '../../i18n/index.js'

export const LOW_PORT = 40000

export const portExhaustion: Scenario = {
  name: 'port-exhaustion',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    await pair(lab, { client: { 'net.ipv4.ip_local_port_range': `${LOW_PORT} ${LOW_PORT + count - 1}`, 'net.ipv4.tcp_tw_reuse': 0 } })
    const { client } = await connectMany(lab, count)
    const more = await client.call<{ errors: Record<string, number> }>('connect', { host: SERVER, port: PORT, count: 5, group: 'extra' })
    if (!more.errors.EADDRNOTAVAIL) throw new TcpdoctorError('TD_IO', msg('err.lab.labPortExhaustionExpected', { errors: JSON.stringify(more.errors) }))
    return {
      expect: [
        { role: 'client', states: { ESTABLISHED: count }, findings: ['EPHEMERAL_RANGE_NARROW'] },
        { role: 'server', states: { ESTABLISHED: count, LISTEN: 1 }, findings: [] },
      ],
      look: [`tcpdoctor states --by remote --netns ${lab.ns('client')}`, `ip netns exec ${lab.ns('client')} sysctl net.ipv4.ip_local_port_range`],
    }
  },
}
