/* NETLINK_SOCK_DIAG dump: request out, raw reply bytes back. Parsing is done in TypeScript
 * (src/kernel/sock-diag/parse.ts) so recorded dumps and live dumps share one parser.
 * Reference: include/uapi/linux/inet_diag.h, iproute2 misc/ss.c sockdiag_send(). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include "tcpdoctor.h"

#define TD_MIN_FREE (64 * 1024)

typedef struct { int fd; int err; } sock_job;

static void make_socket(void *p) {
  sock_job *j = p;
  j->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  j->err = j->fd < 0 ? errno : 0;
}

/* A socket stays in the namespace it was created in: create it on a thread that entered the
 * namespace (td_in_netns), so this thread never leaves its own and has no way back to fail. */
static int open_in_netns(const char *netns_path) {
  sock_job j = {.fd = -1, .err = 0};
  int rc = td_in_netns(netns_path, make_socket, &j);
  if (rc < 0) return rc;
  return j.fd >= 0 ? j.fd : -j.err;
}

int td_diag_open(const char *netns_path, uint8_t family, uint8_t protocol, uint32_t states,
                 uint8_t ext, const void *bc, size_t bc_len) {
  /* rta_len is 16 bits: a longer program would be sent with a wrapped length. */
  if (bc_len > 0xffff - RTA_LENGTH(0)) return -EMSGSIZE;
  int fd = netns_path && netns_path[0]
               ? open_in_netns(netns_path)
               : socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return netns_path && netns_path[0] ? fd : -errno;

  int rcvbuf = 1 << 20;
  (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf); /* best effort */

  /* family AF_UNSPEC: the compat request (TCPDIAG_GETSOCK + struct inet_diag_req), which the
   * kernel serves as one dump of IPv4 and IPv6 together (inet_diag_dump_compat sets
   * sdiag_family = AF_UNSPEC). Each per-family v2 dump walks the whole established hash table
   * (~40 ms with 262,144 buckets, under a global mutex), so one walk instead of two matters. */
  union {
    struct { struct nlmsghdr nlh; struct inet_diag_req_v2 r; } v2;
    struct { struct nlmsghdr nlh; struct inet_diag_req r; } compat;
  } u;
  memset(&u, 0, sizeof u);
  size_t reqlen;
  if (family == AF_UNSPEC) {
    if (protocol != IPPROTO_TCP) { close(fd); return -EINVAL; }
    u.compat.nlh.nlmsg_type = TCPDIAG_GETSOCK;
    u.compat.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    u.compat.nlh.nlmsg_seq = 1;
    u.compat.r.idiag_states = states;
    u.compat.r.idiag_ext = ext;
    reqlen = sizeof u.compat;
  } else {
    u.v2.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    u.v2.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    u.v2.nlh.nlmsg_seq = 1;
    u.v2.r.sdiag_family = family;
    u.v2.r.sdiag_protocol = protocol;
    u.v2.r.idiag_states = states;
    u.v2.r.idiag_ext = ext;
    reqlen = sizeof u.v2;
  }
  struct nlmsghdr *nlh = &u.v2.nlh;

  struct rtattr rta;
  struct iovec iov[3];
  int iovcnt = 1;
  iov[0].iov_base = &u;
  iov[0].iov_len = reqlen;
  size_t total = reqlen;
  if (bc_len > 0) {
    rta.rta_type = INET_DIAG_REQ_BYTECODE;
    rta.rta_len = RTA_LENGTH(bc_len);
    iov[1].iov_base = &rta;
    iov[1].iov_len = sizeof rta;
    iov[2].iov_base = (void *)bc;
    iov[2].iov_len = bc_len;
    iovcnt = 3;
    total += RTA_SPACE(bc_len);
  }
  nlh->nlmsg_len = (uint32_t)total;

  struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
  struct msghdr msg = {.msg_name = &nladdr, .msg_namelen = sizeof nladdr,
                       .msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
  ssize_t n;
  do { n = sendmsg(fd, &msg, 0); } while (n < 0 && errno == EINTR);
  if (n < 0) { int e = errno; close(fd); return -e; }
  return fd;
}

long td_diag_read(int fd, uint8_t *buf, size_t cap, int *done) {
  size_t off = 0;
  *done = 0;
  if (cap < TD_MIN_FREE) return -EINVAL;
  while (cap - off >= TD_MIN_FREE) {
    struct sockaddr_nl nladdr;
    struct iovec iov = {.iov_base = buf + off, .iov_len = cap - off};
    struct msghdr msg = {.msg_name = &nladdr, .msg_namelen = sizeof nladdr,
                         .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -errno;
    }
    if (msg.msg_flags & MSG_TRUNC) return -EMSGSIZE;
    if (n == 0) { *done = 1; break; }
    /* Only look for the end of the dump here; every message is parsed in TypeScript. */
    int r = td_nl_scan(buf + off, (size_t)n);
    if (r < 0) return r;
    if (r == 1) *done = 1;
    size_t end = off + (size_t)n;
    off = end;
    if (*done) break;
  }
  return (long)off;
}

int td_nl_scan(const uint8_t *buf, size_t len) {
  size_t p = 0;
  while (len - p >= sizeof(struct nlmsghdr)) {
    const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + p);
    size_t l = h->nlmsg_len; /* size_t: NLMSG_ALIGN of 0xffffffff cannot wrap to 0 here */
    if (l < sizeof(struct nlmsghdr) || l > len - p) return -EPROTO;
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) return 1;
    size_t step = (l + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
    if (step >= len - p) break; /* the last message: padding may be cut */
    p += step;
  }
  return 0;
}
