/* Probe sockets for ping and trace: ICMP (unprivileged ping socket or raw), UDP and TCP probes
 * with a per-probe TTL/hop limit, ICMP errors read from the socket error queue (IP_RECVERR /
 * IPV6_RECVERR, MSG_ERRQUEUE, as tracepath and mtr do) and kernel receive timestamps
 * (SO_TIMESTAMPNS) so an RTT does not include the time JavaScript took to notice the reply.
 * Byte oriented, no policy: TypeScript (src/probe/) decides what an event means. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "probe.h"
#include "tcpdoctor.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int to_sockaddr(int family, const uint8_t *addr, uint16_t port, struct sockaddr_storage *ss, socklen_t *len) {
  memset(ss, 0, sizeof *ss);
  if (family == 4) {
    struct sockaddr_in *s = (struct sockaddr_in *)ss;
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    memcpy(&s->sin_addr, addr, 4);
    *len = sizeof *s;
    return 0;
  }
  if (family == 6) {
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    memcpy(&s->sin6_addr, addr, 16);
    *len = sizeof *s;
    return 0;
  }
  return -EAFNOSUPPORT;
}

static int set_ttl(int fd, int family, int ttl) {
  int rc = family == 4 ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
                       : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl);
  return rc < 0 ? -errno : 0;
}

/* Options every probe socket gets: non-blocking, error queue, kernel timestamps, reply TTL. */
static int common_opts(int fd, int family) {
  int on = 1;
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) return -errno;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) return -errno;
  if (family == 4) {
    if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on) < 0) return -errno;
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
  } else {
    if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on) < 0) return -errno;
    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on);
  }
  return 0;
}

int td_probe_socket(const char *netns_path, int family, int kind, int ttl) {
  int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
  if (af < 0) return -EAFNOSUPPORT;
  int fd;
  switch (kind) {
    case TD_PROBE_ICMP_DGRAM:
      fd = td_socket_in_netns(netns_path, af, SOCK_DGRAM, family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
      break;
    case TD_PROBE_ICMP_RAW:
      fd = td_socket_in_netns(netns_path, af, SOCK_RAW, family == 4 ? IPPROTO_ICMP : IPPROTO_ICMPV6);
      break;
    case TD_PROBE_UDP:
      fd = td_socket_in_netns(netns_path, af, SOCK_DGRAM, IPPROTO_UDP);
      break;
    default:
      return -EINVAL;
  }
  if (fd < 0) return fd;
  int rc = common_opts(fd, family);
  if (rc == 0 && kind == TD_PROBE_ICMP_RAW) {
    /* Raw ICMP sockets see every ICMP message to the host: pass only echo replies as data.
     * Errors about our own probes still arrive on the error queue (raw_err/rawv6_err). */
    if (family == 4) {
      struct icmp_filter f = {.data = ~(1U << ICMP_ECHOREPLY)};
      if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &f, sizeof f) < 0) rc = -errno;
    } else {
      struct icmp6_filter f;
      ICMP6_FILTER_SETBLOCKALL(&f);
      ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
      if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f) < 0) rc = -errno;
    }
  }
  if (rc == 0 && kind == TD_PROBE_UDP && family == 4) {
    /* Path MTU discovery on (DF set), as tracepath: a too-big probe fails with EMSGSIZE and a
     * "fragmentation needed" from a router lands on the error queue with the MTU in ee_info. */
    int pmtu = IP_PMTUDISC_PROBE;
    setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  }
  if (rc == 0 && ttl > 0) rc = set_ttl(fd, family, ttl);
  if (rc < 0) {
    close(fd);
    return rc;
  }
  return fd;
}

int td_probe_send(int fd, int family, const uint8_t *addr, uint16_t port, const void *buf, size_t len, int ttl, double *sent_us) {
  struct sockaddr_storage ss;
  socklen_t sl;
  int rc = to_sockaddr(family, addr, port, &ss, &sl);
  if (rc < 0) return rc;
  if (ttl > 0 && (rc = set_ttl(fd, family, ttl)) < 0) return rc;
  /* With IP_RECVERR an ICMP error about an earlier probe is also reported by the next send as
   * its errno (sk_err); the details are on the error queue already. Such an error belongs to
   * another probe: send again. A real local error (no route) repeats and is returned. */
  for (int attempt = 0;; attempt++) {
    *sent_us = now_us();
    ssize_t n = sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl);
    if (n >= 0) return (int)n;
    int e = errno;
    if (attempt < 3 && (e == EHOSTUNREACH || e == ECONNREFUSED || e == ENETUNREACH || e == EHOSTDOWN || e == EPROTO || e == ENOPROTOOPT))
      continue;
    return -e;
  }
}

int td_probe_connect(const char *netns_path, int family, const uint8_t *addr, uint16_t port, int ttl, double *sent_us, int *err) {
  int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : -1;
  if (af < 0) return -EAFNOSUPPORT;
  struct sockaddr_storage ss;
  socklen_t sl;
  to_sockaddr(family, addr, port, &ss, &sl);
  int fd = td_socket_in_netns(netns_path, af, SOCK_STREAM, IPPROTO_TCP);
  if (fd < 0) return fd;
  int rc = common_opts(fd, family);
  if (rc == 0 && ttl > 0) rc = set_ttl(fd, family, ttl);
  /* Do not retransmit the SYN: one probe is one packet (a retransmission would be a second
   * probe with the same TTL, counted as one). */
  int one = 1;
  if (rc == 0) setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof one);
  if (rc < 0) {
    close(fd);
    return rc;
  }
  *sent_us = now_us();
  *err = 0;
  if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) *err = errno;
  return fd;
}

static void addr_from(const struct sockaddr *sa, td_probe_event *ev, int offender) {
  uint8_t *dst = offender ? ev->offender : ev->from;
  int *fam = offender ? &ev->offender_family : &ev->from_family;
  if (sa->sa_family == AF_INET) {
    memcpy(dst, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    *fam = 4;
    if (!offender) ev->port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    memcpy(dst, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    *fam = 6;
    if (!offender) ev->port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
  }
}

/* Reads one message (errqueue or not) into ev. Returns 1 when one was read, 0 when none, -errno. */
static int read_one(int fd, int errqueue, td_probe_event *ev) {
  struct sockaddr_storage name;
  char control[512];
  struct iovec iov = {.iov_base = ev->data, .iov_len = sizeof ev->data};
  struct msghdr msg = {.msg_name = &name, .msg_namelen = sizeof name, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | (errqueue ? MSG_ERRQUEUE : 0));
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    return -errno;
  }
  ev->fd = fd;
  ev->kind = errqueue ? TD_EV_ERROR : TD_EV_DATA;
  ev->data_len = (int)(n > (ssize_t)sizeof ev->data ? (ssize_t)sizeof ev->data : n);
  ev->ttl = -1;
  ev->t_us = 0;
  if (msg.msg_namelen > 0) addr_from((struct sockaddr *)&name, ev, 0);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      ev->t_us = (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
               (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
      int v;
      memcpy(&v, CMSG_DATA(c), sizeof v);
      ev->ttl = v;
    } else if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
               (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
      struct sock_extended_err ee;
      memcpy(&ee, CMSG_DATA(c), sizeof ee);
      ev->ee_errno = (int)ee.ee_errno;
      ev->ee_origin = ee.ee_origin;
      ev->ee_type = ee.ee_type;
      ev->ee_code = ee.ee_code;
      ev->ee_info = ee.ee_info;
      const struct sockaddr *off = SO_EE_OFFENDER((struct sock_extended_err *)CMSG_DATA(c));
      if (off->sa_family == AF_INET || off->sa_family == AF_INET6) addr_from(off, ev, 1);
    }
  }
  if (ev->t_us == 0) ev->t_us = now_us();
  return 1;
}

int td_probe_wait(const int *fds, const int *streams, int nfds, int timeout_ms, td_probe_event *evs, int cap) {
  struct pollfd p[TD_PROBE_MAX_FDS];
  if (nfds > TD_PROBE_MAX_FDS) nfds = TD_PROBE_MAX_FDS;
  for (int i = 0; i < nfds; i++) {
    p[i].fd = fds[i];
    p[i].events = streams[i] ? POLLOUT : POLLIN;
    p[i].revents = 0;
  }
  int rc = poll(p, (nfds_t)nfds, timeout_ms);
  double woke = now_us();
  if (rc < 0) return errno == EINTR ? 0 : -errno;
  int n = 0;
  for (int i = 0; i < nfds && n < cap; i++) {
    if (!p[i].revents) continue;
    /* The error queue first (ICMP errors), then ordinary data (echo replies). */
    for (int q = 1; q >= 0 && n < cap; q--) {
      if (streams[i] && q == 0) break;
      for (int k = 0; k < 64 && n < cap; k++) {
        memset(&evs[n], 0, sizeof evs[n]);
        int r = read_one(fds[i], q, &evs[n]);
        if (r < 0 && !streams[i]) {
          /* ECONNREFUSED etc. on an unconnected datagram socket: pending error reported; read on. */
          continue;
        }
        if (r <= 0) break;
        n++;
      }
    }
    if (streams[i] && (p[i].revents & (POLLOUT | POLLERR | POLLHUP)) && n < cap) {
      int soerr = 0;
      socklen_t l = sizeof soerr;
      getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &soerr, &l);
      memset(&evs[n], 0, sizeof evs[n]);
      evs[n].fd = fds[i];
      evs[n].kind = soerr ? TD_EV_CONNECT_ERROR : TD_EV_CONNECTED;
      evs[n].ee_errno = soerr;
      if (!soerr) {
        /* The kernel's own handshake RTT (SYN -> SYN/ACK, microseconds): its first RTT sample,
         * free of the time this thread took to wake up. */
        struct tcp_info ti;
        socklen_t tl = sizeof ti;
        memset(&ti, 0, sizeof ti);
        if (getsockopt(fds[i], IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 && tl >= offsetof(struct tcp_info, tcpi_rtt) + sizeof ti.tcpi_rtt)
          evs[n].ee_info = ti.tcpi_rtt;
      }
      evs[n].t_us = woke;
      evs[n].ttl = -1;
      n++;
    }
  }
  return n;
}
