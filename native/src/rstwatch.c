/* Who resets, and why, without a packet capture: two raw tracepoint BPF programs on
 * tcp:tcp_send_reset (sk, skb, reason; Linux 6.10+) and tcp:tcp_receive_reset (sk) count every
 * reset into a hash map keyed by {netns inode, family, direction, reason, addresses, ports}. The
 * programs are hand-assembled (no clang or libbpf); offsets come from the kernel's BTF.
 *
 * A sent reset carries its socket when there is one (the addresses are the socket's); a reset for
 * a segment no socket wanted (sk NULL: NO_SOCKET) takes them from the segment's IP and TCP
 * headers, reversed (the segment came from the peer), and the namespace from the device it came
 * in on. Kernel pointers are read with bpf_probe_read_kernel, so a bad read gives zeroes, never
 * a fault. Any failure returns -errno and the caller keeps the counter-only view. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "tcpdoctor.h"
#include "btf.h"
#include "bpf-asm.h"

static long sys_bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof *attr); }

#ifndef BPF_FUNC_probe_read_kernel
#define BPF_FUNC_probe_read_kernel 113
#endif
#ifndef BPF_ATOMIC
#define BPF_ATOMIC 0xc0
#endif

/* Distinct keys (connections, mostly) counted; allocated as they come (BPF_F_NO_PREALLOC). */
#define RST_MAX_ENTRIES 65536

struct td_rst_watch {
  int map_fd, drops_fd;
  int prog_fd[2];
  int link_fd[2];
};

typedef struct {
  int rc;
  const char *why; /* what was missing, for the error */
  long o_sk_common;                         /* sock.__sk_common */
  long o_daddr, o_rcv_saddr, o_dport, o_num, o_family, o_state, o_net, o_v6_daddr, o_v6_rcv_saddr;
  long o_sport;                             /* inet_sock.inet_sport */
  long o_pnet_net;                          /* possible_net_t.net */
  long o_net_inum;                          /* net.ns.inum */
  long o_head, o_network_header, o_transport_header, o_dev; /* sk_buff */
  long o_nd_net;                            /* net_device.nd_net */
} rst_offsets;

static rst_offsets g_offs;
/* "value NAME\n" for each enum sk_rst_reason entry (SK_RST_REASON_ stripped), from BTF. */
static char g_reasons[4096];
/* The reasons a task's own call sends (close(), shutdown(), connect(AF_UNSPEC)): the current
 * task is the socket's owner then; timers and softirqs run on behalf of whoever was interrupted. */
static const char *const TASK_REASONS[] = {"SK_RST_REASON_TCP_ABORT_ON_CLOSE", "SK_RST_REASON_TCP_ABORT_ON_LINGER", "SK_RST_REASON_TCP_STATE", "SK_RST_REASON_TCP_DISCONNECT_WITH_DATA"};
#define N_TASK_REASONS (sizeof TASK_REASONS / sizeof TASK_REASONS[0])
static int g_task_reason[N_TASK_REASONS];
static int g_n_task_reasons;

static void load_reasons(const td_btf *b) {
  const struct btf_type *t;
  size_t len = 0;
  g_reasons[0] = 0;
  if (!td_btf_find(b, BTF_KIND_ENUM, "sk_rst_reason", &t)) return;
  const struct btf_enum *e = (const void *)(t + 1);
  for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
    const char *name = td_btf_str(b, e[i].name_off);
    for (size_t k = 0; k < N_TASK_REASONS; k++)
      if (strcmp(name, TASK_REASONS[k]) == 0 && g_n_task_reasons < (int)N_TASK_REASONS) g_task_reason[g_n_task_reasons++] = e[i].val;
    if (strncmp(name, "SK_RST_REASON_", 14) == 0) name += 14;
    int w = snprintf(g_reasons + len, sizeof g_reasons - len, "%d %s\n", e[i].val, name);
    if (w < 0 || (size_t)w >= sizeof g_reasons - len) { g_reasons[len] = 0; return; }
    len += (size_t)w;
  }
}
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* possible_net_t is a typedef of an anonymous struct: follow the typedef. -1 when the kernel has
 * no network namespaces (the struct is empty: every socket is in init_net). */
static long pnet_net_off(const td_btf *b) {
  const struct btf_type *t;
  if (!td_btf_find(b, BTF_KIND_TYPEDEF, "possible_net_t", &t)) return -1;
  const struct btf_type *s = td_btf_type_by_id(b, t->type);
  if (!s || BTF_INFO_KIND(s->info) != BTF_KIND_STRUCT) return -1;
  const struct btf_member *m = (const void *)(s + 1);
  for (uint32_t i = 0; i < BTF_INFO_VLEN(s->info); i++)
    if (strcmp(td_btf_str(b, m[i].name_off), "net") == 0) {
      uint32_t bits = BTF_INFO_KFLAG(s->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
      return bits % 8 ? -1 : (long)bits / 8;
    }
  return -1;
}

static void load_offsets(void) {
  rst_offsets *o = &g_offs;
  td_btf b;
  int rc = td_btf_open(&b);
  if (rc < 0) { o->rc = rc; o->why = "reading /sys/kernel/btf/vmlinux"; return; }
  /* btf_trace_<event>: void *ctx, then the tracepoint's arguments. */
  int send_params = td_btf_typedef_proto_params(&b, "btf_trace_tcp_send_reset");
  int recv_params = td_btf_typedef_proto_params(&b, "btf_trace_tcp_receive_reset");
  o->o_sk_common = td_btf_member_off(&b, "sock", "__sk_common");
  o->o_daddr = td_btf_member_off(&b, "sock_common", "skc_daddr");
  o->o_rcv_saddr = td_btf_member_off(&b, "sock_common", "skc_rcv_saddr");
  o->o_dport = td_btf_member_off(&b, "sock_common", "skc_dport");
  o->o_num = td_btf_member_off(&b, "sock_common", "skc_num");
  o->o_family = td_btf_member_off(&b, "sock_common", "skc_family");
  o->o_state = td_btf_member_off(&b, "sock_common", "skc_state");
  o->o_net = td_btf_member_off(&b, "sock_common", "skc_net");
  o->o_v6_daddr = td_btf_member_off(&b, "sock_common", "skc_v6_daddr");
  o->o_v6_rcv_saddr = td_btf_member_off(&b, "sock_common", "skc_v6_rcv_saddr");
  o->o_sport = td_btf_member_off(&b, "inet_sock", "inet_sport");
  o->o_pnet_net = pnet_net_off(&b);
  long o_ns = td_btf_member_off(&b, "net", "ns"), o_inum = td_btf_member_off(&b, "ns_common", "inum");
  o->o_net_inum = o_ns < 0 || o_inum < 0 ? -1 : o_ns + o_inum;
  o->o_head = td_btf_member_off(&b, "sk_buff", "head");
  o->o_network_header = td_btf_member_off(&b, "sk_buff", "network_header");
  o->o_transport_header = td_btf_member_off(&b, "sk_buff", "transport_header");
  o->o_dev = td_btf_member_off(&b, "sk_buff", "dev");
  o->o_nd_net = td_btf_member_off(&b, "net_device", "nd_net");
  load_reasons(&b);
  td_btf_close(&b);
  if (send_params < 0 || recv_params < 0) { o->rc = -ENOENT; o->why = "no tcp:tcp_send_reset or tcp:tcp_receive_reset tracepoint in the kernel's BTF"; return; }
  if (send_params < 4) { o->rc = -EOPNOTSUPP; o->why = "tcp:tcp_send_reset has no reason argument (Linux 6.10+)"; return; }
  long need[] = {o->o_sk_common, o->o_daddr, o->o_rcv_saddr, o->o_dport, o->o_num, o->o_family, o->o_state, o->o_net, o->o_v6_daddr, o->o_v6_rcv_saddr, o->o_sport, o->o_pnet_net, o->o_net_inum, o->o_head, o->o_network_header, o->o_transport_header, o->o_dev, o->o_nd_net};
  for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
    if (need[k] < 0) { o->rc = -ENOENT; o->why = "a struct member the program reads is not in the kernel's BTF"; return; }
    if (need[k] > 30000) { o->rc = -ERANGE; o->why = "a struct member offset does not fit a BPF instruction"; return; }
  }
  o->rc = 0;
}

enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
/* Stack: the key (48 bytes) at KEY, scratch for pointers and u16 reads, the constant 1, the drops key. */
enum { KEY = -72, TMP8 = -80, TMP2 = -88, ONE = -96, DKEY = -100 };
/* Key layout (TD_RST_KEY_* in tcpdoctor.h). */
enum { K_NETNS = 0, K_FAMILY = 4, K_DIR = 6, K_FLAGS = 7, K_REASON = 8, K_STATE = 10, K_HAS_SK = 11, K_LPORT = 12, K_RPORT = 14, K_LADDR = 16, K_RADDR = 32, K_TGID = 48, K_COMM = 56 };
enum { L_NOSK, L_V4, L_NET, L_FLAGS, L_SKB6, L_SKBPORTS, L_COUNT, L_NEW, L_DROP, L_OUT, L_NUM, L_ADDR, L_TASK };

static const uint8_t LDX_DW = BPF_LDX | BPF_MEM | BPF_DW, LDX_H = BPF_LDX | BPF_MEM | BPF_H, LDX_B = BPF_LDX | BPF_MEM | BPF_B;
static const uint8_t STX_H = BPF_STX | BPF_MEM | BPF_H;
static const uint8_t ST_DW = BPF_ST | BPF_MEM | BPF_DW, ST_H = BPF_ST | BPF_MEM | BPF_H, ST_B = BPF_ST | BPF_MEM | BPF_B, ST_W = BPF_ST | BPF_MEM | BPF_W;
static const uint8_t JEQ_K = BPF_JMP | BPF_JEQ | BPF_K, JNE_K = BPF_JMP | BPF_JNE | BPF_K;

static void mov_k(bpf_asm *a, int dst, int32_t k) { emit(a, INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, k)); }
static void mov_x(bpf_asm *a, int dst, int src) { emit(a, INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)); }
static void add_k(bpf_asm *a, int dst, int32_t k) { if (k) emit(a, INSN(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, k)); }
static void call(bpf_asm *a, int32_t fn) { emit(a, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)); }

/* bpf_probe_read_kernel(fp + dst, size, src + off); clobbers r0-r5. */
static void rd(bpf_asm *a, int dst, int size, int src, long off) {
  if (src != R3) mov_x(a, R3, src);
  add_k(a, R3, (int32_t)off);
  mov_x(a, R1, R10);
  add_k(a, R1, dst);
  mov_k(a, R2, size);
  call(a, BPF_FUNC_probe_read_kernel);
}

/* A big-endian u16 at src + off into the key at dst, in host order. */
static void rd_be16(bpf_asm *a, int dst, int src, long off) {
  rd(a, TMP2, 2, src, off);
  emit(a, INSN(LDX_H, R1, R10, TMP2, 0));
  emit(a, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, 16));
  emit(a, INSN(STX_H, R10, R1, (int16_t)dst, 0));
}

static void ld_map(bpf_asm *a, int dst, int fd) {
  emit(a, INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
  emit(a, INSN(0, 0, 0, 0, 0));
}

/* dir 0: tcp_send_reset(sk, skb, reason); dir 1: tcp_receive_reset(sk). */
static int assemble(bpf_asm *a, const rst_offsets *o, int dir, int map_fd, int drops_fd) {
  asm_init(a);
  long sk = o->o_sk_common;
  mov_x(a, R6, R1);
  emit(a, INSN(LDX_DW, R7, R6, 0, 0));                      /* r7 = sk */
  if (dir == 0) {
    emit(a, INSN(LDX_DW, R8, R6, 8, 0));                    /* r8 = skb */
    emit(a, INSN(LDX_DW, R9, R6, 16, 0));                   /* r9 = reason */
  } else {
    mov_k(a, R8, 0);
    mov_k(a, R9, 0);
  }
  for (int k = 0; k < TD_RST_KEY_SIZE; k += 8) emit(a, INSN(ST_DW, R10, 0, (int16_t)(KEY + k), 0));
  emit(a, INSN(STX_H, R10, R9, KEY + K_REASON, 0));
  emit(a, INSN(ST_B, R10, 0, KEY + K_DIR, dir));
  emit_jump(a, JEQ_K, R7, 0, 0, L_NOSK);
  /* The socket's own view: family, state, ports, addresses, namespace. */
  emit(a, INSN(ST_B, R10, 0, KEY + K_HAS_SK, 1));
  rd(a, KEY + K_FAMILY, 2, R7, sk + o->o_family);
  rd(a, KEY + K_STATE, 1, R7, sk + o->o_state);
  /* The local port: a full socket's inet_sport (skc_num is 0 once a closing socket released its
   * port, as an abort does before the reset goes out); TIME_WAIT and request sockets have no
   * inet_sock, and keep skc_num. */
  emit(a, INSN(LDX_B, R1, R10, KEY + K_STATE, 0));
  emit_jump(a, JEQ_K, R1, 0, 6 /* TCP_TIME_WAIT */, L_NUM);
  emit_jump(a, JEQ_K, R1, 0, 12 /* TCP_NEW_SYN_RECV */, L_NUM);
  rd_be16(a, KEY + K_LPORT, R7, o->o_sport);
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_ADDR);
  place(a, L_NUM);
  rd(a, KEY + K_LPORT, 2, R7, sk + o->o_num);              /* skc_num: host order */
  place(a, L_ADDR);
  rd_be16(a, KEY + K_RPORT, R7, sk + o->o_dport);
  if (dir == 1) {
    /* Our connect refused (a reset in SYN_SENT): the local port is an ephemeral one; it goes. */
    emit(a, INSN(LDX_B, R1, R10, KEY + K_STATE, 0));
    emit(a, INSN(JNE_K, R1, 0, 1, 2 /* TCP_SYN_SENT */));
    emit(a, INSN(ST_H, R10, 0, KEY + K_LPORT, 0));
  }
  emit(a, INSN(LDX_H, R1, R10, KEY + K_FAMILY, 0));
  emit_jump(a, JNE_K, R1, 0, 10 /* AF_INET6 */, L_V4);
  rd(a, KEY + K_LADDR, 16, R7, sk + o->o_v6_rcv_saddr);
  rd(a, KEY + K_RADDR, 16, R7, sk + o->o_v6_daddr);
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_NET);
  place(a, L_V4);
  rd(a, KEY + K_LADDR, 4, R7, sk + o->o_rcv_saddr);
  rd(a, KEY + K_RADDR, 4, R7, sk + o->o_daddr);
  place(a, L_NET);
  rd(a, TMP8, 8, R7, sk + o->o_net + o->o_pnet_net);
  emit(a, INSN(LDX_DW, R3, R10, TMP8, 0));
  emit_jump(a, JEQ_K, R3, 0, 0, L_FLAGS);
  rd(a, KEY + K_NETNS, 4, R3, o->o_net_inum);
  place(a, L_FLAGS);
  /* The flags of the segment that drew the reset, when there is one (none for an abort). */
  emit_jump(a, JEQ_K, R8, 0, 0, L_TASK);
  rd(a, TMP8, 8, R8, o->o_head);
  emit(a, INSN(LDX_DW, R9, R10, TMP8, 0));
  rd(a, TMP2, 2, R8, o->o_transport_header);
  emit(a, INSN(LDX_H, R1, R10, TMP2, 0));
  emit(a, INSN(BPF_ALU64 | BPF_ADD | BPF_X, R9, R1, 0, 0));
  rd(a, KEY + K_FLAGS, 1, R9, 13);
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_COUNT);

  /* An abort the task itself asked for (close() with unread data, SO_LINGER 0 ...): who. */
  place(a, L_TASK);
  if (dir == 0 && g_n_task_reasons > 0) {
    emit(a, INSN(LDX_H, R1, R10, KEY + K_REASON, 0));
    for (int k = 0; k < g_n_task_reasons; k++) emit(a, INSN(JEQ_K, R1, 0, (int16_t)(g_n_task_reasons - 1 - k + 1), g_task_reason[k]));
    emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_COUNT);         /* another reason: a timer, not a task */
    call(a, BPF_FUNC_get_current_pid_tgid);
    emit(a, INSN(BPF_ALU64 | BPF_RSH | BPF_K, R0, 0, 0, 32));
    emit(a, INSN(BPF_STX | BPF_MEM | BPF_W, R10, R0, KEY + K_TGID, 0));
    mov_x(a, R1, R10);
    add_k(a, R1, KEY + K_COMM);
    mov_k(a, R2, 16);
    call(a, BPF_FUNC_get_current_comm);
  }
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_COUNT);

  /* No socket: the segment's headers, reversed, and the namespace of the device it came in on. */
  place(a, L_NOSK);
  emit_jump(a, JEQ_K, R8, 0, 0, L_OUT);
  rd(a, TMP8, 8, R8, o->o_head);
  emit(a, INSN(LDX_DW, R9, R10, TMP8, 0));                  /* r9 = head */
  rd(a, TMP2, 2, R8, o->o_network_header);
  emit(a, INSN(LDX_H, R7, R10, TMP2, 0));
  emit(a, INSN(BPF_ALU64 | BPF_ADD | BPF_X, R7, R9, 0, 0)); /* r7 = IP header */
  rd(a, TMP2, 2, R8, o->o_transport_header);
  emit(a, INSN(LDX_H, R1, R10, TMP2, 0));
  emit(a, INSN(BPF_ALU64 | BPF_ADD | BPF_X, R9, R1, 0, 0)); /* r9 = TCP header */
  rd(a, TMP2, 1, R7, 0);
  emit(a, INSN(LDX_B, R1, R10, TMP2, 0));
  emit(a, INSN(BPF_ALU64 | BPF_RSH | BPF_K, R1, 0, 0, 4)); /* IP version */
  emit_jump(a, JEQ_K, R1, 0, 6, L_SKB6);
  emit_jump(a, JNE_K, R1, 0, 4, L_OUT);
  emit(a, INSN(ST_H, R10, 0, KEY + K_FAMILY, 2));
  rd(a, KEY + K_RADDR, 4, R7, 12);                          /* iphdr.saddr: the peer */
  rd(a, KEY + K_LADDR, 4, R7, 16);                          /* iphdr.daddr: us */
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_SKBPORTS);
  place(a, L_SKB6);
  emit(a, INSN(ST_H, R10, 0, KEY + K_FAMILY, 10));
  rd(a, KEY + K_RADDR, 16, R7, 8);                          /* ipv6hdr.saddr */
  rd(a, KEY + K_LADDR, 16, R7, 24);                         /* ipv6hdr.daddr */
  place(a, L_SKBPORTS);
  rd_be16(a, KEY + K_RPORT, R9, 0);                         /* tcphdr.source */
  rd_be16(a, KEY + K_LPORT, R9, 2);                         /* tcphdr.dest */
  rd(a, KEY + K_FLAGS, 1, R9, 13);
  /* A refused connect (a SYN no socket wanted): the peer's port is its ephemeral one, and a storm
   * of them would fill the map with one key each. The service is our port; the peer's goes. */
  emit(a, INSN(LDX_B, R1, R10, KEY + K_FLAGS, 0));
  emit(a, INSN(BPF_ALU64 | BPF_AND | BPF_K, R1, 0, 0, 0x12));
  emit(a, INSN(JNE_K, R1, 0, 1, 0x02));
  emit(a, INSN(ST_H, R10, 0, KEY + K_RPORT, 0));
  rd(a, TMP8, 8, R8, o->o_dev);
  emit(a, INSN(LDX_DW, R3, R10, TMP8, 0));
  emit_jump(a, JEQ_K, R3, 0, 0, L_COUNT);
  rd(a, TMP8, 8, R3, o->o_nd_net + o->o_pnet_net);
  emit(a, INSN(LDX_DW, R3, R10, TMP8, 0));
  emit_jump(a, JEQ_K, R3, 0, 0, L_COUNT);
  rd(a, KEY + K_NETNS, 4, R3, o->o_net_inum);

  /* counts[key] += 1, created with NOEXIST (another CPU may create it first: then add to it). */
  place(a, L_COUNT);
  ld_map(a, R1, map_fd);
  mov_x(a, R2, R10);
  add_k(a, R2, KEY);
  call(a, BPF_FUNC_map_lookup_elem);
  emit_jump(a, JEQ_K, R0, 0, 0, L_NEW);
  mov_k(a, R1, 1);
  emit(a, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 0, BPF_ADD));
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_OUT);
  place(a, L_NEW);
  emit(a, INSN(ST_DW, R10, 0, ONE, 1));
  ld_map(a, R1, map_fd);
  mov_x(a, R2, R10);
  add_k(a, R2, KEY);
  mov_x(a, R3, R10);
  add_k(a, R3, ONE);
  mov_k(a, R4, BPF_NOEXIST);
  call(a, BPF_FUNC_map_update_elem);
  emit_jump(a, JEQ_K, R0, 0, 0, L_OUT);
  ld_map(a, R1, map_fd);
  mov_x(a, R2, R10);
  add_k(a, R2, KEY);
  call(a, BPF_FUNC_map_lookup_elem);
  emit_jump(a, JEQ_K, R0, 0, 0, L_DROP);                    /* the map is full */
  mov_k(a, R1, 1);
  emit(a, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 0, BPF_ADD));
  emit_jump(a, BPF_JMP | BPF_JA, 0, 0, 0, L_OUT);
  place(a, L_DROP);
  emit(a, INSN(ST_W, R10, 0, DKEY, 0));
  ld_map(a, R1, drops_fd);
  mov_x(a, R2, R10);
  add_k(a, R2, DKEY);
  call(a, BPF_FUNC_map_lookup_elem);
  emit_jump(a, JEQ_K, R0, 0, 0, L_OUT);
  mov_k(a, R1, 1);
  emit(a, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 0, BPF_ADD));
  place(a, L_OUT);
  mov_k(a, R0, 0);
  emit(a, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return link_jumps(a);
}

static int map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max, uint32_t flags) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_flags = flags;
  a.map_type = type;
  a.key_size = key_size;
  a.value_size = value_size;
  a.max_entries = max;
  int fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
  return fd < 0 ? -errno : fd;
}

static int prog_load(const bpf_asm *as) {
  static char log[1 << 16];
  char license[] = "GPL";
  int want_log = getenv("TCPDOCTOR_DEBUG_BPF") != NULL;
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
  a.insns = (uint64_t)(uintptr_t)as->v;
  a.insn_cnt = (uint32_t)as->n;
  a.license = (uint64_t)(uintptr_t)license;
  if (want_log) { a.log_buf = (uint64_t)(uintptr_t)log; a.log_size = sizeof log; a.log_level = 1; log[0] = 0; }
  int fd = td_bpf_prog_load(&a);
  int e = errno;
  if (fd < 0 && want_log) fprintf(stderr, "tcpdoctor: BPF verifier log:\n%s\n", log);
  return fd < 0 ? -e : fd;
}

static int attach(int prog_fd, const char *tp) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.raw_tracepoint.name = (uint64_t)(uintptr_t)tp;
  a.raw_tracepoint.prog_fd = (uint32_t)prog_fd;
  int fd = (int)sys_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
  return fd < 0 ? -errno : fd;
}

const char *td_rst_reason_names(void) {
  pthread_once(&g_once, load_offsets);
  return g_reasons;
}

void td_rst_watch_close(td_rst_watch *w) {
  if (!w) return;
  /* Links first: the programs stop firing before the map goes. */
  for (int i = 0; i < 2; i++) if (w->link_fd[i] >= 0) close(w->link_fd[i]);
  for (int i = 0; i < 2; i++) if (w->prog_fd[i] >= 0) close(w->prog_fd[i]);
  if (w->map_fd >= 0) close(w->map_fd);
  if (w->drops_fd >= 0) close(w->drops_fd);
  free(w);
}

int td_rst_watch_start(td_rst_watch **out, const char **stage) {
  *out = NULL;
  *stage = "BTF";
  pthread_once(&g_once, load_offsets);
  if (g_offs.rc < 0) { *stage = g_offs.why; return g_offs.rc; }
  td_rst_watch *w = malloc(sizeof *w);
  if (!w) return -ENOMEM;
  w->map_fd = w->drops_fd = -1;
  w->prog_fd[0] = w->prog_fd[1] = w->link_fd[0] = w->link_fd[1] = -1;
  int rc;
  *stage = "bpf map";
  if ((rc = map_create(BPF_MAP_TYPE_HASH, TD_RST_KEY_SIZE, 8, RST_MAX_ENTRIES, BPF_F_NO_PREALLOC)) < 0) goto fail;
  w->map_fd = rc;
  if ((rc = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0)) < 0) goto fail;
  w->drops_fd = rc;
  static const char *const tps[2] = {"tcp_send_reset", "tcp_receive_reset"};
  bpf_asm *as = malloc(sizeof *as);
  if (!as) { rc = -ENOMEM; goto fail; }
  for (int dir = 0; dir < 2; dir++) {
    *stage = "assembling the reset program";
    if ((rc = assemble(as, &g_offs, dir, w->map_fd, w->drops_fd)) < 0) { free(as); goto fail; }
    *stage = "bpf prog load (raw tracepoint)";
    if ((rc = prog_load(as)) < 0) { free(as); goto fail; }
    w->prog_fd[dir] = rc;
    *stage = dir == 0 ? "attaching to tcp:tcp_send_reset" : "attaching to tcp:tcp_receive_reset";
    if ((rc = attach(w->prog_fd[dir], tps[dir])) < 0) { free(as); goto fail; }
    w->link_fd[dir] = rc;
  }
  free(as);
  *stage = NULL;
  *out = w;
  return 0;
fail:
  td_rst_watch_close(w);
  return rc;
}

int td_rst_watch_read(td_rst_watch *w, uint8_t **records, size_t *count, uint64_t *drops) {
  *records = NULL;
  *count = 0;
  *drops = 0;
  const size_t rec = TD_RST_KEY_SIZE + 8;
  size_t cap = 256;
  uint8_t *buf = malloc(cap * rec);
  if (!buf) return -ENOMEM;
  uint8_t key[TD_RST_KEY_SIZE], next[TD_RST_KEY_SIZE];
  size_t n = 0;
  union bpf_attr a;
  int first = 1;
  while (n < RST_MAX_ENTRIES) {
    memset(&a, 0, sizeof a);
    a.map_fd = (uint32_t)w->map_fd;
    a.key = first ? 0 : (uint64_t)(uintptr_t)key;
    a.next_key = (uint64_t)(uintptr_t)next;
    if (sys_bpf(BPF_MAP_GET_NEXT_KEY, &a) < 0) {
      if (errno == ENOENT) break;
      int e = errno;
      free(buf);
      return -e;
    }
    first = 0;
    memcpy(key, next, sizeof key);
    uint64_t value = 0;
    memset(&a, 0, sizeof a);
    a.map_fd = (uint32_t)w->map_fd;
    a.key = (uint64_t)(uintptr_t)key;
    a.value = (uint64_t)(uintptr_t)&value;
    if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0) continue; /* deleted meanwhile: nothing deletes, but be safe */
    if (n == cap) {
      uint8_t *p = realloc(buf, cap * 2 * rec);
      if (!p) { free(buf); return -ENOMEM; }
      buf = p;
      cap *= 2;
    }
    memcpy(buf + n * rec, key, sizeof key);
    memcpy(buf + n * rec + TD_RST_KEY_SIZE, &value, 8);
    n++;
  }
  uint32_t zero = 0;
  memset(&a, 0, sizeof a);
  a.map_fd = (uint32_t)w->drops_fd;
  a.key = (uint64_t)(uintptr_t)&zero;
  a.value = (uint64_t)(uintptr_t)drops;
  if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0) *drops = 0;
  *records = buf;
  *count = n;
  return 0;
}
