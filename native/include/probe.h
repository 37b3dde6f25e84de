/* Probe sockets (native/src/probe.c): ICMP echo, UDP and TCP probes with a TTL, ICMP errors from
 * the socket error queue, kernel receive timestamps. Every function returns >= 0 or -errno. */
#ifndef TCPDOCTOR_PROBE_H
#define TCPDOCTOR_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define TD_PROBE_ICMP_DGRAM 0 /* unprivileged ping socket (net.ipv4.ping_group_range) */
#define TD_PROBE_ICMP_RAW 1   /* raw ICMP socket (CAP_NET_RAW) */
#define TD_PROBE_UDP 2        /* UDP datagrams (unprivileged) */

#define TD_EV_DATA 1          /* a datagram (echo reply) */
#define TD_EV_ERROR 2         /* a message from the error queue (ICMP error about a probe) */
#define TD_EV_CONNECTED 3     /* a TCP probe's connect() completed (ee_info: the kernel's handshake RTT, µs) */
#define TD_EV_CONNECT_ERROR 4 /* a TCP probe's connect() failed (ee_errno = SO_ERROR) */

#define TD_PROBE_MAX_FDS 1024

typedef struct td_probe_event {
  int fd;
  int kind;
  double t_us;          /* CLOCK_REALTIME microseconds: kernel receive time when known */
  int ttl;              /* TTL / hop limit of the reply, -1 when unknown */
  int from_family;      /* 4, 6 or 0: msg_name (reply source, or the probe's destination for errors) */
  uint8_t from[16];
  int port;
  int ee_errno, ee_origin, ee_type, ee_code;
  uint32_t ee_info;
  int offender_family;  /* who sent the ICMP error */
  uint8_t offender[16];
  int data_len;
  uint8_t data[256];
} td_probe_event;

int td_probe_socket(const char *netns_path, int family, int kind, int ttl);
int td_probe_send(int fd, int family, const uint8_t *addr, uint16_t port, const void *buf, size_t len, int ttl, double *sent_us);
/* A non-blocking TCP connect with the TTL set: returns the fd; *err is the immediate errno or 0. */
int td_probe_connect(const char *netns_path, int family, const uint8_t *addr, uint16_t port, int ttl, double *sent_us, int *err);
/* poll() the fds (streams[i] != 0: a connecting TCP socket) up to timeout_ms, then drain what is
 * ready into evs. Returns the number of events. */
int td_probe_wait(const int *fds, const int *streams, int nfds, int timeout_ms, td_probe_event *evs, int cap);

#endif
