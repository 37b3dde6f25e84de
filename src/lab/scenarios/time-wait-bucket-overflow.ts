/**
 * `lab time-wait-bucket-overflow`: the client's tcp_max_tw_buckets is lowered to `count`; more
 * short connections than that overflow it and the kernel skips TIME_WAIT
 * (TcpExtTCPTimeWaitOverflow, "TCP: time wait bucket table overflow" in dmesg).
 */
import type { Scenario } from '../scenario.js'
import { churn, PORT, SERVER, waitCounter } from '../recipes.js'

export const timeWaitBucketOverflow: Scenario = {
  name: 'time-wait-bucket-overflow',
  kind: 'trouble',
  defaultCount: 50,
  async setup(lab, count) {
    const client = await churn(lab, { 'net.ipv4.tcp_max_tw_buckets': count, 'net.ipv4.ip_local_port_range': `40000 ${40000 + 2 * count - 1}` })
    await client.call('churn', { host: SERVER, port: PORT, timeout: 30, replyAfter: 2 * count })
    return {
      expect: [{ role: 'client', states: { TIME_WAIT: count }, findings: ['TIME_WAIT_BUCKET_OVERFLOW'] }],
      look: [`ip netns exec ${lab.ns('client')} nstat -az TcpExtTCPTimeWaitOverflow`],
      ready: () => waitCounter(client.pid, 'netstat', 'TcpExt', 'TCPTimeWaitOverflow', count),
    }
  },
}
