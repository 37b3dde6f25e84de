/* Every TCP socket of a namespace as a compact record, from a BPF tcp iterator (Linux 5.9+, BTF,
 * root): the listening hash and the established hash (full sockets, TIME_WAIT and request
 * sockets) as the sock_diag dump walks them, without building an inet_diag message and its
 * attributes per socket (inet_diag_msg_attrs_fill, inet_sk_diag_fill: most of the dump's kernel
 * time at 100k sockets). serve's sampler counts these records in place (src/monitor/scan.ts).
 *
 * Record (host byte order unless said):
 *   0 u8 family (AF_INET / AF_INET6)   1 u8 state (TIME_WAIT sockets: their substate, as ss and
 *   the dump report it; request sockets: NEW_SYN_RECV)   2 u16 local port   4 be16 remote port
 *   6 u16 0   8 16 bytes: the remote address, or for a listener its local address (IPv4: the
 *   first 4, the rest 0); a listener then has 24 u32 accept queue (sk_ack_backlog) and 28 u32
 *   backlog (sk_max_ack_backlog), the dump's idiag_rqueue/wqueue. 24 bytes, 32 for a listener.
 *
 * The program is hand-assembled; offsets come from the kernel's BTF. It is loaded and linked
 * once per process; each pass creates an iterator on a thread inside the namespace (the iterator
 * shows the sockets of the namespace it was created in). Any failure is -errno: the caller dumps
 * with sock_diag instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/bpf.h>
#include "tcpdoctor.h"
#include "btf.h"
#include "bpf-asm.h"

#ifndef BPF_FUNC_probe_read_kernel
#define BPF_FUNC_probe_read_kernel 113
#endif

static long sys_bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof *attr); }

typedef struct {
  int rc;
  uint32_t target;
  long o_meta, o_sk, o_seq;
  long o_family, o_state, o_num, o_dport, o_daddr, o_rcv_saddr, o_v6_daddr, o_v6_rcv_saddr;
  long o_substate, o_ack_backlog, o_max_ack_backlog;
  int link_fd;
} iter_state;

static iter_state g;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

enum { L_OUT, L_NOTW, L_V6, L_V6_DADDR, L_ADDR_DONE, L_V4_DADDR, L_V4_DONE, L_WRITE };

static int build(void) {
  td_btf b;
  int rc = td_btf_open(&b);
  if (rc < 0) return rc;
  g.target = td_btf_find(&b, BTF_KIND_FUNC, "bpf_iter_tcp", NULL);
  g.o_meta = td_btf_member_off(&b, "bpf_iter__tcp", "meta");
  g.o_sk = td_btf_member_off(&b, "bpf_iter__tcp", "sk_common");
  g.o_seq = td_btf_member_off(&b, "bpf_iter_meta", "seq");
  g.o_family = td_btf_member_off(&b, "sock_common", "skc_family");
  g.o_state = td_btf_member_off(&b, "sock_common", "skc_state");
  g.o_num = td_btf_member_off(&b, "sock_common", "skc_num");
  g.o_dport = td_btf_member_off(&b, "sock_common", "skc_dport");
  g.o_daddr = td_btf_member_off(&b, "sock_common", "skc_daddr");
  g.o_rcv_saddr = td_btf_member_off(&b, "sock_common", "skc_rcv_saddr");
  g.o_v6_daddr = td_btf_member_off(&b, "sock_common", "skc_v6_daddr");
  g.o_v6_rcv_saddr = td_btf_member_off(&b, "sock_common", "skc_v6_rcv_saddr");
  g.o_substate = td_btf_member_off(&b, "inet_timewait_sock", "tw_substate");
  g.o_ack_backlog = td_btf_member_off(&b, "sock", "sk_ack_backlog");
  g.o_max_ack_backlog = td_btf_member_off(&b, "sock", "sk_max_ack_backlog");
  td_btf_close(&b);
  long offs[] = {g.o_meta, g.o_sk, g.o_seq, g.o_family, g.o_state, g.o_num, g.o_dport, g.o_daddr, g.o_rcv_saddr, g.o_v6_daddr, g.o_v6_rcv_saddr, g.o_substate, g.o_ack_backlog, g.o_max_ack_backlog};
  if (!g.target) return -ENOENT;
  for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
    if (offs[k] < 0) return -ENOENT;
    if (offs[k] > 32000) return -ERANGE;
  }

  enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
  const uint8_t LDX_DW = BPF_LDX | BPF_MEM | BPF_DW, LDX_W = BPF_LDX | BPF_MEM | BPF_W, LDX_H = BPF_LDX | BPF_MEM | BPF_H, LDX_B = BPF_LDX | BPF_MEM | BPF_B;
  const uint8_t STX_DW = BPF_STX | BPF_MEM | BPF_DW, STX_W = BPF_STX | BPF_MEM | BPF_W, STX_H = BPF_STX | BPF_MEM | BPF_H, STX_B = BPF_STX | BPF_MEM | BPF_B;
  const uint8_t ST_DW = BPF_ST | BPF_MEM | BPF_DW, ST_W = BPF_ST | BPF_MEM | BPF_W, ST_H = BPF_ST | BPF_MEM | BPF_H;
  const uint8_t JEQ_K = BPF_JMP | BPF_JEQ | BPF_K, JNE_K = BPF_JMP | BPF_JNE | BPF_K, JA = BPF_JMP | BPF_JA;
  const uint8_t MOV_X = BPF_ALU64 | BPF_MOV | BPF_X, MOV_K = BPF_ALU64 | BPF_MOV | BPF_K, ADD_K = BPF_ALU64 | BPF_ADD | BPF_K;
  const int REC = -32; /* the record on the stack: fp-32 .. fp-1 */
  bpf_asm as;
  bpf_asm *a = &as;
  asm_init(a);
  emit(a, INSN(MOV_X, R6, R1, 0, 0));                              /* r6 = ctx */
  emit(a, INSN(LDX_DW, R7, R6, (int16_t)g.o_sk, 0));               /* r7 = ctx->sk_common */
  emit_jump(a, JEQ_K, R7, 0, 0, L_OUT);
  emit(a, INSN(LDX_H, R9, R7, (int16_t)g.o_family, 0));            /* r9 = family */
  emit(a, INSN(STX_B, R10, R9, REC + 0, 0));
  emit(a, INSN(LDX_B, R8, R7, (int16_t)g.o_state, 0));             /* r8 = state */
  emit(a, INSN(STX_B, R10, R8, REC + 1, 0));
  emit(a, INSN(LDX_H, R2, R7, (int16_t)g.o_num, 0));
  emit(a, INSN(STX_H, R10, R2, REC + 2, 0));                       /* local port */
  emit(a, INSN(LDX_H, R2, R7, (int16_t)g.o_dport, 0));
  emit(a, INSN(STX_H, R10, R2, REC + 4, 0));                       /* remote port (big-endian) */
  emit(a, INSN(ST_H, R10, 0, REC + 6, 0));
  emit(a, INSN(ST_DW, R10, 0, REC + 24, 0));                       /* queues: 0 unless a listener */
  emit_jump(a, JNE_K, R8, 0, 6 /* TCP_TIME_WAIT */, L_NOTW);
  /* A TIME_WAIT socket's state is its substate (FIN_WAIT2 or TIME_WAIT), past sock_common. */
  emit(a, INSN(MOV_X, R1, R10, 0, 0));
  emit(a, INSN(ADD_K, R1, 0, 0, REC + 1));
  emit(a, INSN(MOV_K, R2, 0, 0, 1));
  emit(a, INSN(MOV_X, R3, R7, 0, 0));
  emit(a, INSN(ADD_K, R3, 0, 0, (int32_t)g.o_substate));
  emit(a, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel));
  emit(a, INSN(LDX_B, R8, R10, REC + 1, 0));
  place(a, L_NOTW);
  emit_jump(a, JEQ_K, R9, 0, 10 /* AF_INET6 */, L_V6);
  /* IPv4: one address word, then zeroes. */
  emit_jump(a, JNE_K, R8, 0, 10 /* TCP_LISTEN */, L_V4_DADDR);
  emit(a, INSN(LDX_W, R2, R7, (int16_t)g.o_rcv_saddr, 0));
  emit_jump(a, JA, 0, 0, 0, L_V4_DONE);
  place(a, L_V4_DADDR);
  emit(a, INSN(LDX_W, R2, R7, (int16_t)g.o_daddr, 0));
  place(a, L_V4_DONE);
  emit(a, INSN(STX_W, R10, R2, REC + 8, 0));
  emit(a, INSN(ST_W, R10, 0, REC + 12, 0));
  emit(a, INSN(ST_DW, R10, 0, REC + 16, 0));
  emit_jump(a, JA, 0, 0, 0, L_ADDR_DONE);
  place(a, L_V6);
  emit_jump(a, JNE_K, R8, 0, 10, L_V6_DADDR);
  emit(a, INSN(LDX_DW, R2, R7, (int16_t)g.o_v6_rcv_saddr, 0));
  emit(a, INSN(LDX_DW, R3, R7, (int16_t)(g.o_v6_rcv_saddr + 8), 0));
  emit(a, INSN(STX_DW, R10, R2, REC + 8, 0));
  emit(a, INSN(STX_DW, R10, R3, REC + 16, 0));
  emit_jump(a, JA, 0, 0, 0, L_ADDR_DONE);
  place(a, L_V6_DADDR);
  emit(a, INSN(LDX_DW, R2, R7, (int16_t)g.o_v6_daddr, 0));
  emit(a, INSN(LDX_DW, R3, R7, (int16_t)(g.o_v6_daddr + 8), 0));
  emit(a, INSN(STX_DW, R10, R2, REC + 8, 0));
  emit(a, INSN(STX_DW, R10, R3, REC + 16, 0));
  place(a, L_ADDR_DONE);
  /* r9 = record length: 24, or 32 for a listener with its queues (struct sock fields). */
  emit(a, INSN(MOV_K, R9, 0, 0, 24));
  {
    emit_jump(a, JNE_K, R8, 0, 10, L_WRITE);
    emit(a, INSN(MOV_X, R1, R10, 0, 0));
    emit(a, INSN(ADD_K, R1, 0, 0, REC + 24));
    emit(a, INSN(MOV_K, R2, 0, 0, 4));
    emit(a, INSN(MOV_X, R3, R7, 0, 0));
    emit(a, INSN(ADD_K, R3, 0, 0, (int32_t)g.o_ack_backlog));
    emit(a, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel));
    emit(a, INSN(MOV_X, R1, R10, 0, 0));
    emit(a, INSN(ADD_K, R1, 0, 0, REC + 28));
    emit(a, INSN(MOV_K, R2, 0, 0, 4));
    emit(a, INSN(MOV_X, R3, R7, 0, 0));
    emit(a, INSN(ADD_K, R3, 0, 0, (int32_t)g.o_max_ack_backlog));
    emit(a, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_read_kernel));
    emit(a, INSN(MOV_K, R9, 0, 0, 32));
    place(a, L_WRITE);
  }
  emit(a, INSN(LDX_DW, R1, R6, (int16_t)g.o_meta, 0));             /* r1 = ctx->meta */
  emit(a, INSN(LDX_DW, R1, R1, (int16_t)g.o_seq, 0));              /* r1 = meta->seq */
  emit(a, INSN(MOV_X, R2, R10, 0, 0));
  emit(a, INSN(ADD_K, R2, 0, 0, REC));
  emit(a, INSN(MOV_X, R3, R9, 0, 0));
  emit(a, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write));
  place(a, L_OUT);
  emit(a, INSN(MOV_K, R0, 0, 0, 0));
  emit(a, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  rc = link_jumps(a);
  if (rc < 0) return rc;

  char license[] = "GPL";
  union bpf_attr at;
  memset(&at, 0, sizeof at);
  at.prog_type = BPF_PROG_TYPE_TRACING;
  at.expected_attach_type = BPF_TRACE_ITER;
  at.attach_btf_id = g.target;
  at.insns = (uint64_t)(uintptr_t)as.v;
  at.insn_cnt = (uint32_t)as.n;
  at.license = (uint64_t)(uintptr_t)license;
  int prog_fd = td_bpf_prog_load(&at);
  if (prog_fd < 0) return -errno;
  memset(&at, 0, sizeof at);
  at.link_create.prog_fd = (uint32_t)prog_fd;
  at.link_create.attach_type = BPF_TRACE_ITER;
  int link_fd = (int)sys_bpf(BPF_LINK_CREATE, &at);
  int e = errno;
  close(prog_fd); /* the link holds the program */
  if (link_fd < 0) return -e;
  /* Kept for the life of the process (BPF fds are close-on-exec). */
  g.link_fd = link_fd;
  return 0;
}

static void init_once(void) {
  g.link_fd = -1;
  g.rc = build();
}

typedef struct { int fd, err; } iter_job;

static void make_iter(void *p) {
  iter_job *j = p;
  union bpf_attr at;
  memset(&at, 0, sizeof at);
  at.iter_create.link_fd = (uint32_t)g.link_fd;
  j->fd = (int)sys_bpf(BPF_ITER_CREATE, &at);
  j->err = j->fd < 0 ? errno : 0;
}

int td_tcp_iter_open(const char *netns_path) {
  pthread_once(&g_once, init_once);
  if (g.rc < 0) return g.rc;
  iter_job j = {.fd = -1, .err = 0};
  int rc = td_in_netns(netns_path, make_iter, &j);
  if (rc < 0) return rc;
  return j.fd >= 0 ? j.fd : -j.err;
}

long td_tcp_iter_read(int fd, uint8_t *buf, size_t cap, int *done) {
  size_t off = 0;
  *done = 0;
  while (cap - off >= TD_TCP_ITER_MIN_FREE) {
    ssize_t n = read(fd, buf + off, cap - off);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -errno;
    }
    if (n == 0) { *done = 1; break; }
    off += (size_t)n;
  }
  return (long)off;
}
