/**
 * @module
 * What kind of reset: the kernel's reason (sent) or what the received RST answered, grouped for
 * the RESETS_HIGH finding (doctor/reset-groups.ts). A leaf, so the snapshot schema validates a
 * saved group's kind against the same list.
 */
export const RESET_KINDS = [
  'refused', // sent: a SYN to a port nothing listens on (NO_SOCKET)
  'noSocket', // sent: a segment of a connection this host no longer has (NO_SOCKET)
  'abortOnClose', // sent: close() with unread data (TCP_ABORT_ON_CLOSE)
  'abortOnData', // sent: data arrived after close(), or TCP_LINGER2 < 0 (TCP_ABORT_ON_DATA)
  'abortOnLinger', // sent: close() in FIN_WAIT2 with TCP_LINGER2 < 0 (TCP_ABORT_ON_LINGER)
  'abortOnMemory', // sent: too many orphans or out of TCP memory (TCP_ABORT_ON_MEMORY)
  'keepaliveTimeout', // sent: keepalive probes unanswered (TCP_KEEPALIVE_TIMEOUT)
  'disconnect', // sent: close() with SO_LINGER 0, or connect(AF_UNSPEC) (TCP_STATE, TCP_DISCONNECT_WITH_DATA)
  'timeWait', // sent: a TIME_WAIT socket refused a segment (TCP_TIMEWAIT_SOCKET)
  'invalid', // sent: a segment that breaks the protocol (bad ACK, PAWS, flags, SYN)
  'other', // sent: another reason (named in the group)
  'refusedByPeer', // received: our connect() was refused
  'resetByPeer', // received: the peer or a middlebox reset an established connection
] as const

export type ResetKind = (typeof RESET_KINDS)[number]
