/**
 * @module
 * The topic each diagnose finding explains (SPEC 5): the `explain` field of a finding.
 */

export const FINDING_TOPICS = {
  SYN_SENT_UNREACHABLE: 'syn-sent',
  OUTBOUND_SCAN_SUSPECTED: 'outbound-scan',
  SYN_FLOOD: 'syn-flood',
  LISTEN_QUEUE_OVERFLOW: 'listen-overflow',
  CLOSE_WAIT_LEAK: 'close-wait',
  HALF_OPEN_SUSPECTED: 'half-open',
  FIN_WAIT_1_PILEUP: 'fin-wait-1',
  FIN_WAIT_2_PILEUP: 'fin-wait-2',
  CLOSING_PILEUP: 'closing',
  LAST_ACK_PILEUP: 'last-ack',
  TIME_WAIT_PORT_EXHAUSTION: 'port-exhaustion',
  TIME_WAIT_BUCKET_OVERFLOW: 'tcp_max_tw_buckets',
  ORPHAN_SOCKETS_HIGH: 'orphan-sockets',
  RETRANSMISSION_HIGH: 'retransmission',
  RESETS_HIGH: 'reset',
  TCP_MEMORY_PRESSURE: 'tcp-memory',
  UNEXPECTED_LISTENER: 'unexpected-listener',
  SYSCTL_RISK: 'sysctl-risk',
  EPHEMERAL_RANGE_NARROW: 'ephemeral-port-range',
} as const satisfies Record<string, string>

export type FindingCode = keyof typeof FINDING_TOPICS
