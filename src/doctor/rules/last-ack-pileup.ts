/**
 * @module
 * LAST_ACK_PILEUP: we closed after the peer did, and its last ACK never comes (clients killed
 * abruptly, e.g. a load test stopped, or a firewall dropping them). Orphans retry
 * tcp_orphan_retries times.
 */
import { perNamespace } from '../rule.js'
import { judgePileup, orphanRetryExtra } from '../pileup.js'

export const lastAckPileup = perNamespace('LAST_ACK_PILEUP', 'warning', (ns, config) => {
  const t = config.thresholds.LAST_ACK_PILEUP
  return judgePileup(ns, {
    state: 'LAST_ACK',
    ...t,
    extra: orphanRetryExtra('doctor.LAST_ACK_PILEUP.fix.peer', 'doctor.LAST_ACK_PILEUP.fix.orphanRetries', 'last-ack'),
  })
})
