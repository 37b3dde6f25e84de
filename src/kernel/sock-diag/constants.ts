/**
 * @module
 * Constants of include/uapi/linux/netlink.h, sock_diag.h and inet_diag.h that tcpdoctor uses.
 */
export const NLMSG_HDRLEN = 16
export const NLMSG_NOOP = 1
export const NLMSG_ERROR = 2
export const NLMSG_DONE = 3
export const NLM_F_DUMP_INTR = 0x10
export const SOCK_DIAG_BY_FAMILY = 20
/** The compat request type; the kernel answers it with one dump of both families (inet_diag_dump_compat). */
export const TCPDIAG_GETSOCK = 18
export const AF_UNSPEC = 0

export const AF_INET = 2
export const AF_INET6 = 10
export const IPPROTO_TCP = 6

/** sizeof(struct inet_diag_msg) */
export const INET_DIAG_MSG_LEN = 72

// enum { INET_DIAG_NONE, INET_DIAG_MEMINFO, INET_DIAG_INFO, ... }
export const INET_DIAG_MEMINFO = 1
export const INET_DIAG_INFO = 2
export const INET_DIAG_CONG = 4
export const INET_DIAG_SKMEMINFO = 7
export const INET_DIAG_SHUTDOWN = 8
/** u8: IPV6_V6ONLY of an IPv6 socket (sent for every full IPv6 socket, no request bit needed). */
export const INET_DIAG_SKV6ONLY = 11

/** idiag_ext bit for an attribute: 1 << (attr - 1). */
export const extBit = (attr: number): number => 1 << (attr - 1)

/**
 * Byte offsets of the fields of struct inet_diag_msg (include/uapi/linux/inet_diag.h): the one
 * table both the decoder (parse.ts) and the raw accessors (raw.ts) read through.
 */
export const IDIAG = {
  family: 0, state: 1, timer: 2, retrans: 3, sport: 4, dport: 6, src: 8, dst: 24,
  ifindex: 40, cookie: 44, expires: 52, rqueue: 56, wqueue: 60, uid: 64, inode: 68,
} as const
