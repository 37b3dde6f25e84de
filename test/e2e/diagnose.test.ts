/**
 * The kernel as judge for `diagnose`, part 1: each trouble reproduced for real by the lab, and
 * `tcpdoctor diagnose --json` run inside the scenario's namespaces must name it (the right code,
 * port and process) and nothing else at warning or above. Part 2 (diagnose-more.test.ts) holds
 * the other half of the scenarios, so the two files run side by side (maxWorkers 2).
 * Needs root, network namespaces, nft, python3 and a built dist/ (npx tsc -p tsconfig.build.json).
 */
import { describe, it } from 'vitest'
import { need } from '../helpers/can.js'
import { checkScenario } from './diagnose-helpers.js'

const skip = need(['root'], ['netns'], ['tool', 'nft'], ['tool', 'python3'])

describe.skipIf(skip)('diagnose names each trouble the lab makes (1/2)', () => {
  it('syn-flood -> SYN_FLOOD on :8080 (server)', () => checkScenario('syn-flood', [{ role: 'server', code: 'SYN_FLOOD', port: 8080, process: 'tdlab-server' }]))
  it('half-open -> HALF_OPEN_SUSPECTED on :8080, tdlab-app (server)', () => checkScenario('half-open', [{ role: 'server', code: 'HALF_OPEN_SUSPECTED', port: 8080, process: 'tdlab-app' }]))
  it('port-exhaustion -> EPHEMERAL_RANGE_NARROW to :8080, tdlab-client (client)', () => checkScenario('port-exhaustion', [{ role: 'client', code: 'EPHEMERAL_RANGE_NARROW', port: 8080, process: 'tdlab-client' }]))
  it('listen-overflow -> LISTEN_QUEUE_OVERFLOW on :8080, tdlab-slowapp (server); client quiet', () => checkScenario('listen-overflow', [{ role: 'server', code: 'LISTEN_QUEUE_OVERFLOW', port: 8080, process: 'tdlab-slowapp' }]))
  it('syn-sent-unreachable -> SYN_SENT_UNREACHABLE to :443, tdlab-app (client)', () => checkScenario('syn-sent-unreachable', [{ role: 'client', code: 'SYN_SENT_UNREACHABLE', port: 443, process: 'tdlab-app' }]))
  it('outbound-scan -> OUTBOUND_SCAN_SUSPECTED, tdlab-scanner (client)', () => checkScenario('outbound-scan', [{ role: 'client', code: 'OUTBOUND_SCAN_SUSPECTED', port: 3306, process: 'tdlab-scanner' }]))
  it('retransmissions -> RETRANSMISSION_HIGH to :8080, tdlab-client (client); server quiet', () => checkScenario('retransmissions', [{ role: 'client', code: 'RETRANSMISSION_HIGH', port: 8080, process: 'tdlab-client' }]))
  it('resets -> RESETS_HIGH (client and server)', () => checkScenario('resets', []))
})
