/**
 * @module
 * FIN_WAIT_2_PILEUP: our FIN was acknowledged but the peer never sends its own (its application
 * keeps its side open: CLOSE_WAIT over there). Orphaned ones end after tcp_fin_timeout; ones an
 * application still holds (shutdown(), not close()) last as long as it waits.
 */
import { perNamespace } from '../rule.js'
import { judgePileup } from '../pileup.js'

export const finWait2Pileup = perNamespace('FIN_WAIT_2_PILEUP', 'warning', (ns, config) => {
  const t = config.thresholds.FIN_WAIT_2_PILEUP
  return judgePileup(ns, {
    state: 'FIN_WAIT2',
    ...t,
    extra: (n) => {
      const fin = n.sysctls?.tcp.finTimeoutS
      return {
        evidence: { tcp_fin_timeout: fin ?? null },
        details: [['doctor.ev.finTimeout', { value: fin ?? '?' }]],
        fixes: [['doctor.FIN_WAIT_2_PILEUP.fix.peer'], ['doctor.FIN_WAIT_2_PILEUP.fix.close'], ['doctor.FIN_WAIT_2_PILEUP.fix.finTimeout', { value: fin ?? '?' }]],
      }
    },
  })
})
