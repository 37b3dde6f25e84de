/**
 * The kernel as judge for `diagnose`, part 2 (see diagnose.test.ts): the closing-state pile-ups,
 * TIME_WAIT troubles, orphans, the unexpected listener.
 */
import { describe, it } from 'vitest'
import { need } from '../helpers/can.js'
import { checkScenario } from './diagnose-helpers.js'

const skip = need(['root'], ['netns'], ['tool', 'nft'], ['tool', 'python3'])

describe.skipIf(skip)('diagnose names each trouble the lab makes (2/2)', () => {
  it('orphans -> ORPHAN_SOCKETS_HIGH and FIN_WAIT_1_PILEUP to :8080 (client); server quiet', () =>
    checkScenario('orphans', [{ role: 'client', code: 'ORPHAN_SOCKETS_HIGH', port: 8080 }, { role: 'client', code: 'FIN_WAIT_1_PILEUP', port: 8080 }]))
  it('time-wait-exhaustion -> TIME_WAIT_PORT_EXHAUSTION and EPHEMERAL_RANGE_NARROW to :8080 (client)', () =>
    checkScenario('time-wait-exhaustion', [{ role: 'client', code: 'TIME_WAIT_PORT_EXHAUSTION', port: 8080 }, { role: 'client', code: 'EPHEMERAL_RANGE_NARROW', port: 8080 }]))
  it('time-wait-bucket-overflow -> TIME_WAIT_BUCKET_OVERFLOW to :8080 (client)', () => checkScenario('time-wait-bucket-overflow', [{ role: 'client', code: 'TIME_WAIT_BUCKET_OVERFLOW', port: 8080 }]))
  it('unexpected-listener -> UNEXPECTED_LISTENER :31337, tdlab-backdoor (server)', () => checkScenario('unexpected-listener', [{ role: 'server', code: 'UNEXPECTED_LISTENER', port: 31337, process: 'tdlab-backdoor' }]))
  it('close-wait-leak -> CLOSE_WAIT_LEAK on :8080, tdlab-leaky (server)', () => checkScenario('close-wait-leak', [{ role: 'server', code: 'CLOSE_WAIT_LEAK', port: 8080, process: 'tdlab-leaky' }]))
  it('fin-wait-2-pileup -> FIN_WAIT_2_PILEUP to :8080, tdlab-client (client); CLOSE_WAIT_LEAK, tdlab-stuck (server)', () =>
    checkScenario('fin-wait-2-pileup', [{ role: 'client', code: 'FIN_WAIT_2_PILEUP', port: 8080, process: 'tdlab-client' }, { role: 'server', code: 'CLOSE_WAIT_LEAK', port: 8080, process: 'tdlab-stuck' }]))
  it('last-ack-pileup -> LAST_ACK_PILEUP on :8080, tdlab-server inferred (server)', () => checkScenario('last-ack-pileup', [{ role: 'server', code: 'LAST_ACK_PILEUP', port: 8080, process: 'tdlab-server' }]))
  it('closing-pileup -> CLOSING_PILEUP to :8080, tdlab-client (client)', () => checkScenario('closing-pileup', [{ role: 'client', code: 'CLOSING_PILEUP', port: 8080, process: 'tdlab-client' }]))
})
