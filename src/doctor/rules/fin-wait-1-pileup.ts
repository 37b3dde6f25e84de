/**
 * @module
 * FIN_WAIT_1_PILEUP: our FIN is not acknowledged (peer gone after a restart with many clients,
 * or a zero window holding the FIN behind unsent data). Orphans retry tcp_orphan_retries times.
 */
import { perNamespace } from '../rule.js'
import { judgePileup } from '../pileup.js'

export const finWait1Pileup = perNamespace('FIN_WAIT_1_PILEUP', 'warning', (ns, config) => {
  const t = config.thresholds.FIN_WAIT_1_PILEUP
  return judgePileup(ns, {
    state: 'FIN_WAIT1',
    ...t,
    extra: (n, piled) => {
      const zeroWindow = piled.filter((s) => s.timer?.name === 'persist').length
      const queued = piled.reduce((a, s) => a + Math.max(0, s.sendQ - 1), 0)
      const orphanRetries = n.sysctls?.tcp.orphanRetries
      return {
        evidence: { zeroWindowProbing: zeroWindow, unsentBytes: queued, tcp_orphan_retries: orphanRetries ?? null },
        details: [['doctor.ev.fw1', { zeroWindow, bytes: queued, retries: orphanRetries ?? '?' }]],
        fixes: [['doctor.FIN_WAIT_1_PILEUP.fix.peer'], ['doctor.FIN_WAIT_1_PILEUP.fix.orphanRetries', { value: orphanRetries ?? '?' }], ['doctor.fix.kill', { state: 'fin-wait-1' }]],
      }
    },
  })
})
