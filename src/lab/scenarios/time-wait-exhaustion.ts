/**
 * `lab time-wait-exhaustion`: short connections to one server ip:port from a client whose
 * ephemeral range is narrowed to `count` ports: every port ends in TIME_WAIT and connect()
 * fails with EADDRNOTAVAIL until one expires (tcp_tw_reuse=0 here).
 */
import type { Scenario } from '../scenario.js'
import { churn, PORT, SERVER } from '../recipes.js'
import { TcpdoctorError } from '../../errors.js'
import { msg } from '../../i18n/index.js'

export const timeWaitExhaustion: Scenario = {
  name: 'time-wait-exhaustion',
  kind: 'trouble',
  defaultCount: 100,
  async setup(lab, count) {
    const client = await churn(lab, { 'net.ipv4.ip_local_port_range': `40000 ${40000 + count - 1}` })
    const r = await client.call<{ exhausted: boolean }>('churn', { host: SERVER, port: PORT, timeout: 30 })
    if (!r.exhausted) throw new TcpdoctorError('TD_IO', msg('err.lab.labTimeWaitExhaustion'))
    return {
      expect: [{ role: 'client', states: { TIME_WAIT: Math.floor(count * 0.9) }, findings: ['TIME_WAIT_PORT_EXHAUSTION', 'EPHEMERAL_RANGE_NARROW'] }],
      look: [`tcpdoctor states --by remote --netns ${lab.ns('client')}`, `tcpdoctor explain EADDRNOTAVAIL`],
    }
  },
}
