/**
 * @module
 * Every diagnose rule, listed by hand (SPEC 5 order): the whole list visible in one place.
 */
import type { Rule } from './rule.js'
import { synSentUnreachable } from './rules/syn-sent-unreachable.js'
import { outboundScanSuspected } from './rules/outbound-scan-suspected.js'
import { synFlood } from './rules/syn-flood.js'
import { listenQueueOverflow } from './rules/listen-queue-overflow.js'
import { closeWaitLeak } from './rules/close-wait-leak.js'
import { halfOpenSuspected } from './rules/half-open-suspected.js'
import { finWait1Pileup } from './rules/fin-wait-1-pileup.js'
import { finWait2Pileup } from './rules/fin-wait-2-pileup.js'
import { closingPileup } from './rules/closing-pileup.js'
import { lastAckPileup } from './rules/last-ack-pileup.js'
import { timeWaitPortExhaustion } from './rules/time-wait-port-exhaustion.js'
import { timeWaitBucketOverflow } from './rules/time-wait-bucket-overflow.js'
import { orphanSocketsHigh } from './rules/orphan-sockets-high.js'
import { retransmissionHigh } from './rules/retransmission-high.js'
import { resetsHigh } from './rules/resets-high.js'
import { tcpMemoryPressure } from './rules/tcp-memory-pressure.js'
import { unexpectedListener } from './rules/unexpected-listener.js'
import { sysctlRisk } from './rules/sysctl-risk.js'
import { ephemeralRangeNarrow } from './rules/ephemeral-range-narrow.js'

export const rules: readonly Rule[] = [
  synSentUnreachable,
  outboundScanSuspected,
  synFlood,
  listenQueueOverflow,
  closeWaitLeak,
  halfOpenSuspected,
  finWait1Pileup,
  finWait2Pileup,
  closingPileup,
  lastAckPileup,
  timeWaitPortExhaustion,
  timeWaitBucketOverflow,
  orphanSocketsHigh,
  retransmissionHigh,
  resetsHigh,
  tcpMemoryPressure,
  unexpectedListener,
  sysctlRisk,
  ephemeralRangeNarrow,
]
