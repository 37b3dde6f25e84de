/**
 * @module
 * CLOSING_PILEUP: both sides sent FIN at once (simultaneous close) and the ACK of ours never
 * comes. Normally too brief to see; many of them mean the peer's ACKs are lost or filtered.
 */
import { perNamespace } from '../rule.js'
import { judgePileup, orphanRetryExtra } from '../pileup.js'

export const closingPileup = perNamespace('CLOSING_PILEUP', 'warning', (ns, config) => {
  const t = config.thresholds.CLOSING_PILEUP
  return judgePileup(ns, {
    state: 'CLOSING',
    ...t,
    extra: orphanRetryExtra('doctor.CLOSING_PILEUP.fix.path', 'doctor.CLOSING_PILEUP.fix.orphanRetries', 'closing'),
  })
})
