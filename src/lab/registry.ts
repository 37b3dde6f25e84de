/**
 * @module
 * Every lab scenario, listed by hand: the TCP states of SPEC 3 first, then the troubles
 * diagnose detects (SPEC 5).
 */
import type { Scenario } from './scenario.js'
import { listen } from './scenarios/listen.js'
import { synSent } from './scenarios/syn-sent.js'
import { synRecv } from './scenarios/syn-recv.js'
import { synFlood } from './scenarios/syn-flood.js'
import { established } from './scenarios/established.js'
import { closeWaitScenario } from './scenarios/close-wait.js'
import { finWait1 } from './scenarios/fin-wait-1.js'
import { finWait2Scenario } from './scenarios/fin-wait-2.js'
import { closingScenario } from './scenarios/closing.js'
import { lastAckScenario } from './scenarios/last-ack.js'
import { timeWait } from './scenarios/time-wait.js'
import { simultaneousOpen } from './scenarios/simultaneous-open.js'
import { simultaneousClose } from './scenarios/simultaneous-close.js'
import { halfOpen } from './scenarios/half-open.js'
import { portExhaustion } from './scenarios/port-exhaustion.js'
import { listenOverflow } from './scenarios/listen-overflow.js'
import { synSentUnreachable } from './scenarios/syn-sent-unreachable.js'
import { outboundScan } from './scenarios/outbound-scan.js'
import { retransmissions } from './scenarios/retransmissions.js'
import { resets } from './scenarios/resets.js'
import { orphans } from './scenarios/orphans.js'
import { timeWaitExhaustion } from './scenarios/time-wait-exhaustion.js'
import { timeWaitBucketOverflow } from './scenarios/time-wait-bucket-overflow.js'
import { unexpectedListener } from './scenarios/unexpected-listener.js'
import { closeWaitLeak } from './scenarios/close-wait-leak.js'
import { finWait2Pileup } from './scenarios/fin-wait-2-pileup.js'
import { lastAckPileup } from './scenarios/last-ack-pileup.js'
import { closingPileup } from './scenarios/closing-pileup.js'
import { tcpMemoryPressure } from './scenarios/tcp-memory-pressure.js'

export const scenarios: readonly Scenario[] = [
  listen, synSent, synRecv, synFlood, established, closeWaitScenario, finWait1, finWait2Scenario, closingScenario,
  lastAckScenario, timeWait, simultaneousOpen, simultaneousClose, halfOpen, portExhaustion, listenOverflow,
  synSentUnreachable, outboundScan, retransmissions, resets, orphans, timeWaitExhaustion, timeWaitBucketOverflow,
  unexpectedListener, closeWaitLeak, finWait2Pileup, lastAckPileup, closingPileup, tcpMemoryPressure,
]

/** The names, in registry order. */
export const scenarioNames: readonly string[] = scenarios.map((s) => s.name)

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((s) => s.name === name.toLowerCase())
}
