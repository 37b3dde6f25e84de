/**
 * @module
 * LAST_ACK_PILEUP: we closed after the peer did, and its last ACK never comes (clients killed
 * abruptly, e.g. a load test stopped, or a firewall dropping them). Orphans retry
 * tcp_orphan_retries times.
 */
import { perNamespace } from '../rule.js'
import { judgePileup } from './pileup.js'

export const lastAckPileup = perNamespace('LAST_ACK_PILEUP', 'warning', (ns, config) => {
  const t = config.thresholds.LAST_ACK_PILEUP
  return judgePileup(ns, {
    state: 'LAST_ACK',
    ...t,
    extra: (n) => {
      const r = n.sysctls?.tcp.orphanRetries
      return {
        evidence: { tcp_orphan_retries: r ?? null },
        details: [],
        fixes: [['doctor.LAST_ACK_PILEUP.fix.peer'], ['doctor.LAST_ACK_PILEUP.fix.orphanRetries', { value: r ?? '?' }], ['doctor.fix.kill', { state: 'last-ack' }]],
      }
    },
  })
})
