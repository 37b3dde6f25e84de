/* Live capture: an AF_PACKET socket with a TPACKET_V3 receive ring (libpcap pcap-linux.c does the
 * same), a classic BPF filter attached before the socket can receive anything, and kernel drop
 * counters (PACKET_STATISTICS). Blocks are read on a libuv worker thread (packetNext returns a
 * Promise), so Node's event loop stays free; packetStop wakes the worker through an eventfd.
 *
 * No unfiltered packet slips in: a packet socket created with protocol 0 has no protocol hook
 * and receives nothing (net/packet/af_packet.c packet_create), so the filter is attached and
 * locked first and bind(ETH_P_ALL) comes last. libpcap instead attaches a reject-all filter and
 * drains, because it binds before it knows the filter. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>
#include "tcpdoctor.h"

#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif

#define REC_HDR 36
#define MAX_BATCH (8u << 20)

typedef struct {
  int fd, efd;
  uint8_t *ring;
  size_t ring_len;
  unsigned block_size, block_nr, cur, tov_ms;
  int lo_index, cooked;
  uint64_t packets, drops, freezes;
  int busy, stopped, closed, close_pending;
  /* when the stop came (CLOCK_REALTIME, as the packets' time stamps), and whether a block that
   * began after it was seen: the drain then has everything that came before the stop */
  struct timespec stop_at;
  int past_stop;
} td_packet;

/* ---- C core ---- */

typedef struct {
  const char *ifname;
  int index, hatype, lo, err;
} ifinfo_job;

static void ifinfo_run(void *p) {
  ifinfo_job *j = p;
  j->lo = (int)if_nametoindex("lo");
  j->hatype = -1;
  if (!j->ifname) return;
  j->index = (int)if_nametoindex(j->ifname);
  if (!j->index) { j->err = errno ? errno : ENODEV; return; }
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) { j->err = errno; return; }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  strncpy(ifr.ifr_name, j->ifname, IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) j->hatype = ifr.ifr_hwaddr.sa_family;
  else j->err = errno;
  close(s);
}

typedef struct {
  int ifindex, cooked;
  const struct sock_filter *filter;
  unsigned short filter_len;
  unsigned block_size, block_nr, tov_ms;
  int fd, err;
  uint8_t *ring;
} open_job;

static void open_run(void *p) {
  open_job *j = p;
  int fd = socket(AF_PACKET, (j->cooked ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, 0);
  if (fd < 0) { j->err = errno; return; }
  int v = TPACKET_V3;
  struct tpacket_req3 req;
  memset(&req, 0, sizeof req);
  req.tp_block_size = j->block_size;
  req.tp_block_nr = j->block_nr;
  req.tp_frame_size = 2048;
  req.tp_frame_nr = (j->block_size / 2048) * j->block_nr;
  req.tp_retire_blk_tov = j->tov_ms;
  struct sock_fprog prog = {.len = j->filter_len, .filter = (struct sock_filter *)j->filter};
  int one = 1;
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = j->ifindex;
  if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0 ||
      setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) { j->err = errno; close(fd); return; }
  void *ring = mmap(NULL, (size_t)j->block_size * j->block_nr, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, fd, 0);
  if (ring == MAP_FAILED) ring = mmap(NULL, (size_t)j->block_size * j->block_nr, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (ring == MAP_FAILED) { j->err = errno; close(fd); return; }
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof one) < 0 ||
      bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    j->err = errno;
    munmap(ring, (size_t)j->block_size * j->block_nr);
    close(fd);
    return;
  }
  j->fd = fd;
  j->ring = ring;
}

static void read_stats(td_packet *h) {
  struct tpacket_stats_v3 st;
  socklen_t len = sizeof st;
  memset(&st, 0, sizeof st);
  if (getsockopt(h->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0) {
    /* the kernel resets the counters on every read; tp_packets already includes the drops */
    h->packets += st.tp_packets;
    h->drops += st.tp_drops;
    h->freezes += st.tp_freeze_q_cnt;
  }
}

typedef struct { uint8_t *buf; size_t len, cap; int err; } outbuf;

static int out_reserve(outbuf *o, size_t n) {
  if (o->len + n <= o->cap) return 1;
  size_t cap = o->cap ? o->cap : 65536;
  while (cap < o->len + n) cap *= 2;
  uint8_t *p = realloc(o->buf, cap);
  if (!p) { o->err = ENOMEM; return 0; }
  o->buf = p;
  o->cap = cap;
  return 1;
}

static inline struct tpacket_block_desc *block_at(td_packet *h, unsigned i) {
  return (struct tpacket_block_desc *)(h->ring + (size_t)i * h->block_size);
}

/* Copies every packet of every block the kernel has handed over, and gives the blocks back. */
static int collect(td_packet *h, outbuf *o) {
  int n = 0;
  for (unsigned guard = 0; guard < h->block_nr && o->len < MAX_BATCH; guard++) {
    struct tpacket_block_desc *b = block_at(h, h->cur);
    if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER)) break;
    /* the socket keeps receiving while we drain (its filter is locked, it cannot be told to
     * reject): on a busy link the drain would never end. A block whose first packet came after
     * the stop ends it (given back unread). */
    if (h->stopped && b->hdr.bh1.num_pkts) {
      const struct tpacket3_hdr *f = (const struct tpacket3_hdr *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
      if (f->tp_sec > (uint32_t)h->stop_at.tv_sec || (f->tp_sec == (uint32_t)h->stop_at.tv_sec && f->tp_nsec > (uint32_t)h->stop_at.tv_nsec)) {
        h->past_stop = 1;
        __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
        h->cur = (h->cur + 1) % h->block_nr;
        break;
      }
    }
    uint32_t num = b->hdr.bh1.num_pkts;
    uint8_t *p = (uint8_t *)b + b->hdr.bh1.offset_to_first_pkt;
    uint8_t *end = (uint8_t *)b + h->block_size;
    for (uint32_t i = 0; i < num && p < end; i++) {
      struct tpacket3_hdr *th = (struct tpacket3_hdr *)p;
      struct sockaddr_ll *sll = (struct sockaddr_ll *)(p + TPACKET_ALIGN(sizeof(struct tpacket3_hdr)));
      uint8_t *data = p + th->tp_mac;
      uint32_t caplen = th->tp_snaplen;
      /* as libpcap: an outgoing packet on lo comes back as incoming; keep one copy */
      int skip = sll->sll_pkttype == PACKET_OUTGOING && sll->sll_ifindex == h->lo_index;
      /* The kernel strips an 802.1Q/802.1ad tag on receive (skb_vlan_untag) and hands it over
       * beside the frame; like libpcap (pcap-linux.c, vlan_offset 2 * ETH_ALEN) put it back after
       * the MAC addresses so the pcap shows the frame as it was on the wire. Cooked frames (SLL2)
       * carry no tag, as with libpcap. */
      int retag = !h->cooked && (th->tp_status & TP_STATUS_VLAN_VALID) && caplen >= 12;
      uint32_t outlen = caplen + (retag ? 4u : 0u);
      if (!skip && data + caplen <= end) {
        size_t need = REC_HDR + ((outlen + 3u) & ~3u);
        if (!out_reserve(o, need)) return n;
        uint8_t *r = o->buf + o->len;
        memset(r, 0, need);
        uint32_t u;
        u = th->tp_sec; memcpy(r, &u, 4);
        u = th->tp_nsec; memcpy(r + 4, &u, 4);
        memcpy(r + 8, &outlen, 4);
        u = th->tp_len + (retag ? 4u : 0u); memcpy(r + 12, &u, 4);
        int32_t ifx = sll->sll_ifindex; memcpy(r + 16, &ifx, 4);
        uint16_t proto = ntohs(sll->sll_protocol); memcpy(r + 20, &proto, 2);
        uint16_t hat = sll->sll_hatype; memcpy(r + 22, &hat, 2);
        r[24] = sll->sll_pkttype;
        r[25] = sll->sll_halen > 8 ? 8 : sll->sll_halen;
        memcpy(r + 28, sll->sll_addr, r[25]);
        if (retag) {
          uint16_t tpid = htons((th->tp_status & TP_STATUS_VLAN_TPID_VALID) ? th->hv1.tp_vlan_tpid : ETH_P_8021Q);
          uint16_t tci = htons((uint16_t)th->hv1.tp_vlan_tci);
          memcpy(r + REC_HDR, data, 12);
          memcpy(r + REC_HDR + 12, &tpid, 2);
          memcpy(r + REC_HDR + 14, &tci, 2);
          memcpy(r + REC_HDR + 16, data + 12, caplen - 12);
        } else {
          memcpy(r + REC_HDR, data, caplen);
        }
        o->len += need;
        n++;
      }
      if (!th->tp_next_offset) break;
      p += th->tp_next_offset;
    }
    __atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
    h->cur = (h->cur + 1) % h->block_nr;
  }
  return n;
}

/* Waits for packets (or the stop signal) up to timeout_ms and collects them. *ended = 1 once the
 * capture was stopped and the last partly filled block was retired and read. */
static void next_batch(td_packet *h, int timeout_ms, outbuf *o, int *ended) {
  *ended = 0;
  /* the stop is noticed here too: on a busy link collect() always has packets and the poll
   * below, which reads the eventfd, would never run */
  if (!h->stopped) {
    uint64_t x;
    if (read(h->efd, &x, sizeof x) == (ssize_t)sizeof x) { h->stopped = 1; clock_gettime(CLOCK_REALTIME, &h->stop_at); }
  }
  if (h->past_stop) { *ended = 1; return; }
  if (collect(h, o) > 0 || o->err) return;
  struct pollfd fds[2] = {{.fd = h->fd, .events = POLLIN}, {.fd = h->efd, .events = POLLIN}};
  int stopped = h->stopped;
  if (!stopped) {
    int r = poll(fds, 2, timeout_ms);
    if (r < 0 && errno != EINTR) { o->err = errno; return; }
    if (fds[1].revents & POLLIN) { uint64_t x; ssize_t rd = read(h->efd, &x, sizeof x); (void)rd; h->stopped = stopped = 1; clock_gettime(CLOCK_REALTIME, &h->stop_at); }
    if (fds[0].revents & POLLERR) { o->err = ENETDOWN; return; }
  }
  collect(h, o);
  if (stopped) {
    /* drain: the block the kernel is filling retires after tp_retire_blk_tov */
    struct pollfd f = {.fd = h->fd, .events = POLLIN};
    if (o->len == 0 && !h->past_stop && poll(&f, 1, (int)h->tov_ms + 50) > 0) collect(h, o);
    if (o->len == 0) *ended = 1;
  }
}

static void packet_free(td_packet *h) {
  if (h->closed) return;
  h->closed = 1;
  if (h->ring) munmap(h->ring, h->ring_len);
  if (h->fd >= 0) close(h->fd);
  if (h->efd >= 0) close(h->efd);
  h->ring = NULL;
  h->fd = h->efd = -1;
}

/* ---- Node-API glue ---- */

#include "napi-glue.h"
#define KCHECK TD_CHECK

#define kerr td_throw_errno

static int get_str(napi_env env, napi_value v, char *buf, size_t cap) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) { buf[0] = 0; return 0; }
  size_t len;
  napi_get_value_string_utf8(env, v, buf, cap, &len);
  return 1;
}

static void set_int(napi_env env, napi_value obj, const char *name, double v) {
  napi_value x;
  napi_create_double(env, v, &x);
  napi_set_named_property(env, obj, name, x);
}

/* packetIfInfo(netnsPath | null, ifname | null): { index, hatype, lo } */
static napi_value if_info(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ns[4096], name[IFNAMSIZ + 1];
  get_str(env, argv[0], ns, sizeof ns);
  int has_name = get_str(env, argv[1], name, sizeof name);
  ifinfo_job j = {.ifname = has_name ? name : NULL};
  int rc = td_in_netns(ns[0] ? ns : NULL, ifinfo_run, &j);
  if (rc < 0) return kerr(env, -rc, "setns");
  if (j.err) return kerr(env, j.err, has_name ? name : "interface");
  napi_value o;
  napi_create_object(env, &o);
  set_int(env, o, "index", j.index);
  set_int(env, o, "hatype", j.hatype);
  set_int(env, o, "lo", j.lo);
  return o;
}

typedef struct { char text[8192]; size_t len; } names_job;

static void names_run(void *p) {
  names_job *j = p;
  struct if_nameindex *ni = if_nameindex();
  if (!ni) return;
  for (struct if_nameindex *i = ni; i->if_index && j->len + IFNAMSIZ + 16 < sizeof j->text; i++)
    j->len += (size_t)snprintf(j->text + j->len, sizeof j->text - j->len, "%u %s\n", i->if_index, i->if_name);
  if_freenameindex(ni);
}

/* packetIfNames(netnsPath | null): "index name\n" lines for the interfaces of the namespace */
static napi_value if_names(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char ns[4096];
  get_str(env, argv[0], ns, sizeof ns);
  names_job *j = calloc(1, sizeof *j);
  if (!j) return kerr(env, ENOMEM, "if_nameindex");
  int rc = td_in_netns(ns[0] ? ns : NULL, names_run, j);
  if (rc < 0) { free(j); return kerr(env, -rc, "setns"); }
  napi_value r;
  napi_create_string_utf8(env, j->text, j->len, &r);
  free(j);
  return r;
}

static void handle_finalize(napi_env env, void *data, void *hint) {
  td_packet *h = data;
  if (h->busy) { h->close_pending = 1; return; } /* the running batch frees it */
  packet_free(h);
  free(h);
}

static td_packet *get_handle(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || !p) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "not a capture handle"); return NULL; }
  return p;
}

/* packetOpen(netnsPath | null, ifindex, cooked, filter: Buffer, blockSize, blockCount, timeoutMs, loIndex): handle */
static napi_value packet_open(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 8) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "packetOpen takes 8 arguments"); return NULL; }
  char ns[4096];
  get_str(env, argv[0], ns, sizeof ns);
  int32_t ifindex, lo;
  uint32_t bs, bn, tov;
  bool cooked;
  void *filter;
  size_t flen;
  KCHECK(napi_get_value_int32(env, argv[1], &ifindex));
  KCHECK(napi_get_value_bool(env, argv[2], &cooked));
  KCHECK(napi_get_buffer_info(env, argv[3], &filter, &flen));
  KCHECK(napi_get_value_uint32(env, argv[4], &bs));
  KCHECK(napi_get_value_uint32(env, argv[5], &bn));
  KCHECK(napi_get_value_uint32(env, argv[6], &tov));
  KCHECK(napi_get_value_int32(env, argv[7], &lo));
  long page = sysconf(_SC_PAGESIZE);
  if (flen == 0 || flen % 8 || flen / 8 > 4096 || bs < (uint32_t)page || bs % (uint32_t)page || bn < 2 || bn > 1024) {
    napi_throw_range_error(env, "TD_NATIVE_ARGS", "packetOpen: bad filter or ring size");
    return NULL;
  }
  open_job j = {.ifindex = ifindex, .cooked = cooked, .filter = filter, .filter_len = (unsigned short)(flen / 8),
                .block_size = bs, .block_nr = bn, .tov_ms = tov, .fd = -1};
  int rc = td_in_netns(ns[0] ? ns : NULL, open_run, &j);
  if (rc < 0) return kerr(env, -rc, "setns");
  if (j.err) return kerr(env, j.err, "AF_PACKET socket");
  td_packet *h = calloc(1, sizeof *h);
  int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!h || efd < 0) {
    int e = errno ? errno : ENOMEM;
    munmap(j.ring, (size_t)bs * bn);
    close(j.fd);
    if (efd >= 0) close(efd);
    free(h);
    return kerr(env, e, "capture handle");
  }
  h->fd = j.fd;
  h->efd = efd;
  h->ring = j.ring;
  h->ring_len = (size_t)bs * bn;
  h->block_size = bs;
  h->block_nr = bn;
  h->tov_ms = tov;
  h->lo_index = lo;
  h->cooked = cooked;
  napi_value ext;
  KCHECK(napi_create_external(env, h, handle_finalize, NULL, &ext));
  return ext;
}

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  td_packet *h;
  int timeout_ms, ended;
  outbuf out;
} next_job;

static void next_execute(napi_env env, void *data) {
  next_job *j = data;
  next_batch(j->h, j->timeout_ms, &j->out, &j->ended);
}

static void next_complete(napi_env env, napi_status status, void *data) {
  next_job *j = data;
  td_packet *h = j->h;
  h->busy = 0;
  napi_value result;
  if (j->out.err) {
    napi_value code, msg;
    napi_create_string_utf8(env, td_errno_name(j->out.err), NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, strerror(j->out.err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &result);
    napi_reject_deferred(env, j->deferred, result);
  } else {
    if (j->ended) napi_get_null(env, &result);
    else napi_create_buffer_copy(env, j->out.len, j->out.len ? j->out.buf : (const uint8_t *)"", NULL, &result);
    napi_resolve_deferred(env, j->deferred, result);
  }
  free(j->out.buf);
  napi_delete_async_work(env, j->work);
  if (h->close_pending) { packet_free(h); free(h); }
  free(j);
}

/* packetNext(handle, timeoutMs): Promise<Buffer | null> (records; null: stopped and drained) */
static napi_value packet_next(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  td_packet *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  int32_t t;
  KCHECK(napi_get_value_int32(env, argv[1], &t));
  if (h->closed) return kerr(env, EBADF, "capture closed");
  if (h->busy) return kerr(env, EBUSY, "packetNext already waiting");
  next_job *j = calloc(1, sizeof *j);
  if (!j) return kerr(env, ENOMEM, "packetNext");
  j->h = h;
  j->timeout_ms = t;
  napi_value promise, name;
  KCHECK(napi_create_promise(env, &j->deferred, &promise));
  napi_create_string_utf8(env, "tcpdoctor:packetNext", NAPI_AUTO_LENGTH, &name);
  KCHECK(napi_create_async_work(env, NULL, name, next_execute, next_complete, j, &j->work));
  h->busy = 1;
  KCHECK(napi_queue_async_work(env, j->work));
  return promise;
}

/* packetStop(handle): wakes a waiting packetNext; later calls drain and then give null */
static napi_value packet_stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  td_packet *h = get_handle(env, argv[0]);
  if (!h || h->closed) return NULL;
  uint64_t one = 1;
  ssize_t w = write(h->efd, &one, sizeof one);
  (void)w;
  return NULL;
}

/* packetStats(handle): { packets, drops, freezes } since open (packets counts what passed the filter) */
static napi_value packet_stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  td_packet *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  if (!h->closed) read_stats(h);
  napi_value o;
  napi_create_object(env, &o);
  set_int(env, o, "packets", (double)h->packets);
  set_int(env, o, "drops", (double)h->drops);
  set_int(env, o, "freezes", (double)h->freezes);
  return o;
}

/* packetClose(handle) */
static napi_value packet_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  td_packet *h = get_handle(env, argv[0]);
  if (!h) return NULL;
  if (h->busy) return kerr(env, EBUSY, "packetClose while packetNext waits (call packetStop first)");
  if (!h->closed) read_stats(h);
  packet_free(h);
  return NULL;
}

void td_packet_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"packetIfInfo", NULL, if_info, NULL, NULL, NULL, napi_default, NULL},
      {"packetIfNames", NULL, if_names, NULL, NULL, NULL, napi_default, NULL},
      {"packetOpen", NULL, packet_open, NULL, NULL, NULL, napi_default, NULL},
      {"packetNext", NULL, packet_next, NULL, NULL, NULL, napi_default, NULL},
      {"packetStop", NULL, packet_stop, NULL, NULL, NULL, napi_default, NULL},
      {"packetStats", NULL, packet_stats, NULL, NULL, NULL, napi_default, NULL},
      {"packetClose", NULL, packet_close, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
