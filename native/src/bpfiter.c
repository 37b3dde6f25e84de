/* Socket fds of every process in one pass in the kernel: a BPF task_file iterator (Linux 5.8+,
 * BTF, root) instead of a stat per /proc/<pid>/fd/<n> entry. The program is hand-assembled (no
 * clang or libbpf at install time); field offsets come from the kernel's own BTF
 * (/sys/kernel/btf/vmlinux), so it follows the running kernel's struct layouts.
 * Any failure returns -errno and the caller walks /proc instead. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "tcpdoctor.h"

static long sys_bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof *attr); }

#include "btf.h"
#include "bpf-asm.h"

enum { L_OUT, L_EMIT };

/* What the program needs from the kernel's BTF: read once per process (the file is ~6 MB and
 * does not change while the kernel runs). */
typedef struct {
  int rc;
  uint32_t target;
  long o_meta, o_task, o_fd, o_file, o_seq, o_tgid, o_pid, o_inode, o_mode, o_ino;
  /* For tgids as a non-initial pid namespace sees them (-1 when this kernel's BTF lacks them):
   * task->thread_pid, pid->level, pid->numbers[], sizeof(struct upid), upid.nr, upid.ns,
   * pid_namespace.ns.inum. */
  long o_thread_pid, o_level, o_numbers, upid_size, o_upid_nr, o_upid_ns, o_pidns_inum;
} btf_offsets;

static btf_offsets g_offs;
static pthread_once_t g_offs_once = PTHREAD_ONCE_INIT;

static void load_offsets(void) {
  btf_offsets *o = &g_offs;
  td_btf b;
  int rc = td_btf_open(&b);
  if (rc < 0) { o->rc = rc; return; }
  o->target = td_btf_find(&b, BTF_KIND_FUNC, "bpf_iter_task_file", NULL);
  o->o_meta = td_btf_member_off(&b, "bpf_iter__task_file", "meta");
  o->o_task = td_btf_member_off(&b, "bpf_iter__task_file", "task");
  o->o_fd = td_btf_member_off(&b, "bpf_iter__task_file", "fd");
  o->o_file = td_btf_member_off(&b, "bpf_iter__task_file", "file");
  o->o_seq = td_btf_member_off(&b, "bpf_iter_meta", "seq");
  o->o_tgid = td_btf_member_off(&b, "task_struct", "tgid");
  o->o_pid = td_btf_member_off(&b, "task_struct", "pid");
  o->o_inode = td_btf_member_off(&b, "file", "f_inode");
  o->o_mode = td_btf_member_off(&b, "inode", "i_mode");
  o->o_ino = td_btf_member_off(&b, "inode", "i_ino");
  o->o_thread_pid = td_btf_member_off(&b, "task_struct", "thread_pid");
  o->o_level = td_btf_member_off(&b, "pid", "level");
  o->o_numbers = td_btf_member_off(&b, "pid", "numbers");
  const struct btf_type *upid;
  o->upid_size = td_btf_find(&b, BTF_KIND_STRUCT, "upid", &upid) ? (long)upid->size : -1;
  o->o_upid_nr = td_btf_member_off(&b, "upid", "nr");
  o->o_upid_ns = td_btf_member_off(&b, "upid", "ns");
  long o_ns = td_btf_member_off(&b, "pid_namespace", "ns"), o_inum = td_btf_member_off(&b, "ns_common", "inum");
  o->o_pidns_inum = o_ns < 0 || o_inum < 0 ? -1 : o_ns + o_inum;
  td_btf_close(&b);
  if (!o->target || o->o_meta < 0 || o->o_task < 0 || o->o_fd < 0 || o->o_file < 0 || o->o_seq < 0 || o->o_tgid < 0 || o->o_pid < 0 || o->o_inode < 0 || o->o_mode < 0 || o->o_ino < 0) {
    o->rc = -ENOENT;
    return;
  }
  /* Load offsets are 16-bit in BPF instructions. */
  long offs[] = {o->o_meta, o->o_task, o->o_fd, o->o_file, o->o_seq, o->o_tgid, o->o_pid, o->o_inode, o->o_mode, o->o_ino};
  for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) if (offs[k] > 32767) { o->rc = -ERANGE; return; }
  o->rc = 0;
}

/* PROC_PID_INIT_INO (include/linux/proc_ns.h): the initial pid namespace. */
#define TD_PID_INIT_INO 0xeffffffcU
#ifndef NS_GET_PARENT
#define NS_GET_PARENT _IO(0xb7, 0x2)
#endif

/* Deepest pid namespace level searched for ours (containers nest 1-2 deep). */
#define TD_MAX_PIDNS_LEVEL 8

/* The inode of our pid namespace. task->tgid is the pid in the initial one; inside another (a
 * container, unshare -p) the program reports pid->numbers[k].nr for the level k whose namespace
 * is ours: the pid as we see it. The level itself cannot be asked for (NS_GET_PARENT refuses to
 * name an ancestor), so the program looks for our namespace's inode at each level. */
static int our_pidns(uint32_t *inum) {
  struct stat st;
  if (stat("/proc/self/ns/pid", &st) != 0) return -errno;
  *inum = (uint32_t)st.st_ino;
  return 0;
}

/* A hash map (key: u64 inode, value: u8) holding the wanted inodes, for the program to look up:
 * only matching fds are written to the seq file. A batch update (5.6+) fills it in one call;
 * element by element when the batch is refused. */
static int wanted_map(const uint64_t *inodes, size_t n) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_type = BPF_MAP_TYPE_HASH;
  a.key_size = sizeof(uint64_t);
  a.value_size = 1;
  a.max_entries = (uint32_t)n;
  int fd = (int)sys_bpf(BPF_MAP_CREATE, &a);
  if (fd < 0) return -errno;
  uint8_t *vals = calloc(n, 1);
  if (!vals) { close(fd); return -ENOMEM; }
  memset(&a, 0, sizeof a);
  a.batch.map_fd = (uint32_t)fd;
  a.batch.keys = (uint64_t)(uintptr_t)inodes;
  a.batch.values = (uint64_t)(uintptr_t)vals;
  a.batch.count = (uint32_t)n;
  if (sys_bpf(BPF_MAP_UPDATE_BATCH, &a) < 0 || a.batch.count != n) {
    for (size_t i = 0; i < n; i++) {
      memset(&a, 0, sizeof a);
      a.map_fd = (uint32_t)fd;
      a.key = (uint64_t)(uintptr_t)&inodes[i];
      a.value = (uint64_t)(uintptr_t)vals;
      a.flags = BPF_ANY;
      if (sys_bpf(BPF_MAP_UPDATE_ELEM, &a) < 0) { int e = errno; free(vals); close(fd); return -e; }
    }
  }
  free(vals);
  return fd;
}

int td_fd_iter_bpf(td_fd_walk_result *out) { return td_fd_iter_bpf_only(NULL, 0, 0, out); }

int td_fd_iter_bpf_only(const uint64_t *inodes, size_t n_inodes, int filtered, td_fd_walk_result *out) {
  memset(out, 0, sizeof *out);
  if (filtered && n_inodes == 0) return 0; /* nothing wanted: nothing to ask the kernel */
  if (filtered && n_inodes > UINT32_MAX) return -E2BIG;
  uint32_t ns_inum = 0;
  int prc = our_pidns(&ns_inum);
  if (prc < 0) return prc;
  int nested = ns_inum != TD_PID_INIT_INO;
  pthread_once(&g_offs_once, load_offsets);
  const btf_offsets *o = &g_offs;
  if (o->rc < 0) return o->rc;
  if (nested) {
    if (o->o_thread_pid < 0 || o->o_level < 0 || o->o_numbers < 0 || o->upid_size <= 0 || o->o_upid_nr < 0 || o->o_upid_ns < 0 || o->o_pidns_inum < 0) return -EOPNOTSUPP;
    if (o->o_numbers + TD_MAX_PIDNS_LEVEL * o->upid_size > 32767 || o->o_thread_pid > 32767 || o->o_level > 32767 || o->o_pidns_inum > 32767) return -ERANGE;
  }
  uint32_t target = o->target;

  enum { R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10 };
  const uint8_t LDX_DW = BPF_LDX | BPF_MEM | BPF_DW, LDX_W = BPF_LDX | BPF_MEM | BPF_W, LDX_H = BPF_LDX | BPF_MEM | BPF_H;
  const uint8_t STX_W = BPF_STX | BPF_MEM | BPF_W, STX_DW = BPF_STX | BPF_MEM | BPF_DW;
  const uint8_t JEQ_K = BPF_JMP | BPF_JEQ | BPF_K, JNE_K = BPF_JMP | BPF_JNE | BPF_K, JNE_X = BPF_JMP | BPF_JNE | BPF_X;
  bpf_asm as;
  bpf_asm *pa = &as;
  asm_init(pa);
  emit(pa, INSN(BPF_ALU64 | BPF_MOV | BPF_X, R6, R1, 0, 0));       /* r6 = ctx */
  emit(pa, INSN(LDX_DW, R7, R6, (int16_t)o->o_file, 0));            /* r7 = ctx->file */
  emit_jump(pa, JEQ_K, R7, 0, 0, L_OUT);                             /* !file -> out */
  emit(pa, INSN(LDX_DW, R8, R6, (int16_t)o->o_task, 0));            /* r8 = ctx->task */
  emit_jump(pa, JEQ_K, R8, 0, 0, L_OUT);                             /* !task -> out */
  emit(pa, INSN(LDX_W, R2, R8, (int16_t)o->o_tgid, 0));             /* r2 = task->tgid */
  emit(pa, INSN(LDX_W, R3, R8, (int16_t)o->o_pid, 0));              /* r3 = task->pid */
  emit_jump(pa, JNE_X, R2, R3, 0, L_OUT);                            /* threads share the table: leader only */
  emit(pa, INSN(LDX_DW, R4, R7, (int16_t)o->o_inode, 0));           /* r4 = file->f_inode */
  emit_jump(pa, JEQ_K, R4, 0, 0, L_OUT);
  emit(pa, INSN(LDX_H, R5, R4, (int16_t)o->o_mode, 0));             /* r5 = inode->i_mode */
  emit(pa, INSN(BPF_ALU64 | BPF_AND | BPF_K, R5, 0, 0, S_IFMT));
  emit_jump(pa, JNE_K, R5, 0, S_IFSOCK, L_OUT);                      /* not a socket -> out */
  emit(pa, INSN(LDX_DW, R9, R4, (int16_t)o->o_ino, 0));             /* r9 = inode->i_ino */
  int map_fd = -1;
  if (filtered) {
    map_fd = wanted_map(inodes, n_inodes);
    if (map_fd < 0) return map_fd;
    /* if (!bpf_map_lookup_elem(&wanted, &ino)) goto out; the call clobbers r1-r5, so tgid is read again */
    emit(pa, INSN(STX_DW, R10, R9, -24, 0));                          /* key = ino on the stack */
    emit(pa, INSN(BPF_LD | BPF_DW | BPF_IMM, R1, BPF_PSEUDO_MAP_FD, 0, map_fd)); /* r1 = &wanted (ld_imm64, */
    emit(pa, INSN(0, 0, 0, 0, 0));                                    /*  relocated by the verifier) */
    emit(pa, INSN(BPF_ALU64 | BPF_MOV | BPF_X, R2, R10, 0, 0));
    emit(pa, INSN(BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, -24));
    emit(pa, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem));
    emit_jump(pa, JEQ_K, R0, 0, 0, L_OUT);                             /* not wanted -> out */
    emit(pa, INSN(LDX_W, R2, R8, (int16_t)o->o_tgid, 0));           /* r2 = task->tgid again */
  }
  if (nested) {
    /* r2 = the tgid in our pid namespace: pid = task->thread_pid (the leader's: tgid == pid);
     * at each level k <= pid->level, if numbers[k].ns is ours, r2 = numbers[k].nr. A task our
     * namespace does not contain matches at no level and is skipped. */
    const uint8_t JLT_K = BPF_JMP | BPF_JLT | BPF_K;
    emit(pa, INSN(LDX_DW, R3, R8, (int16_t)o->o_thread_pid, 0));   /* r3 = task->thread_pid */
    emit_jump(pa, JEQ_K, R3, 0, 0, L_OUT);
    emit(pa, INSN(LDX_W, R0, R3, (int16_t)o->o_level, 0));         /* r0 = pid->level */
    for (int k = 0; k < TD_MAX_PIDNS_LEVEL; k++) {
      long up = o->o_numbers + (long)k * o->upid_size;
      emit_jump(pa, JLT_K, R0, 0, k, L_OUT);                       /* level < k: not ours */
      emit(pa, INSN(LDX_DW, R5, R3, (int16_t)(up + o->o_upid_ns), 0)); /* r5 = numbers[k].ns */
      emit(pa, INSN(BPF_JMP | BPF_JEQ | BPF_K, R5, 0, 4, 0));      /* no ns: next level */
      emit(pa, INSN(LDX_W, R5, R5, (int16_t)o->o_pidns_inum, 0)); /* r5 = ns->ns.inum */
      /* 32-bit compare: a 64-bit one would sign-extend the immediate (inodes are >= 0xF0000000). */
      emit(pa, INSN(BPF_JMP32 | BPF_JNE | BPF_K, R5, 0, 2, (int32_t)ns_inum)); /* not ours: next level */
      emit(pa, INSN(LDX_W, R2, R3, (int16_t)(up + o->o_upid_nr), 0)); /* r2 = numbers[k].nr */
      emit_jump(pa, BPF_JMP | BPF_JA, 0, 0, 0, L_EMIT);
    }
    emit_jump(pa, BPF_JMP | BPF_JA, 0, 0, 0, L_OUT);
  }
  place(pa, L_EMIT);
  emit(pa, INSN(STX_W, R10, R2, -16, 0));                            /* rec.pid */
  emit(pa, INSN(LDX_W, R0, R6, (int16_t)o->o_fd, 0));
  emit(pa, INSN(STX_W, R10, R0, -12, 0));                            /* rec.fd */
  emit(pa, INSN(STX_DW, R10, R9, -8, 0));                            /* rec.inode */
  emit(pa, INSN(LDX_DW, R1, R6, (int16_t)o->o_meta, 0));            /* r1 = ctx->meta */
  emit(pa, INSN(LDX_DW, R1, R1, (int16_t)o->o_seq, 0));             /* r1 = meta->seq */
  emit(pa, INSN(BPF_ALU64 | BPF_MOV | BPF_X, R2, R10, 0, 0));
  emit(pa, INSN(BPF_ALU64 | BPF_ADD | BPF_K, R2, 0, 0, -16));
  emit(pa, INSN(BPF_ALU64 | BPF_MOV | BPF_K, R3, 0, 0, 16));
  emit(pa, INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_seq_write));
  place(pa, L_OUT);
  emit(pa, INSN(BPF_ALU64 | BPF_MOV | BPF_K, R0, 0, 0, 0));
  emit(pa, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  int lrc = link_jumps(pa);
  if (lrc < 0) { if (map_fd >= 0) close(map_fd); return lrc; }
  struct bpf_insn *prog = pa->v;
  int n_insn = pa->n;

  char license[] = "GPL";
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.prog_type = BPF_PROG_TYPE_TRACING;
  a.expected_attach_type = BPF_TRACE_ITER;
  a.attach_btf_id = target;
  a.insns = (uint64_t)(uintptr_t)prog;
  a.insn_cnt = (uint32_t)n_insn;
  a.license = (uint64_t)(uintptr_t)license;
  int prog_fd = td_bpf_prog_load(&a);
  int load_errno = errno;
  /* The loaded program holds its own reference to the map. */
  if (map_fd >= 0) close(map_fd);
  if (prog_fd < 0) return -load_errno;
  memset(&a, 0, sizeof a);
  a.link_create.prog_fd = (uint32_t)prog_fd;
  a.link_create.attach_type = BPF_TRACE_ITER;
  int link_fd = (int)sys_bpf(BPF_LINK_CREATE, &a);
  if (link_fd < 0) { int e = errno; close(prog_fd); return -e; }
  memset(&a, 0, sizeof a);
  a.iter_create.link_fd = (uint32_t)link_fd;
  int iter_fd = (int)sys_bpf(BPF_ITER_CREATE, &a);
  if (iter_fd < 0) { int e = errno; close(link_fd); close(prog_fd); return -e; }

  size_t cap = 1 << 20, len = 0;
  uint8_t *buf = malloc(cap);
  int err = buf ? 0 : -ENOMEM;
  while (!err) {
    if (cap - len < (64 << 10)) {
      uint8_t *p = realloc(buf, cap * 2);
      if (!p) { err = -ENOMEM; break; }
      buf = p; cap *= 2;
    }
    ssize_t n = read(iter_fd, buf + len, cap - len);
    if (n < 0) { if (errno == EINTR || errno == EAGAIN) continue; err = -errno; break; }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(iter_fd); close(link_fd); close(prog_fd);
  if (err) { free(buf); return err; }
  /* Records are {u32 pid, u32 fd, u64 inode}: exactly td_fd_entry. */
  out->entries = (td_fd_entry *)buf;
  out->count = len / sizeof(td_fd_entry);
  uint32_t last = 0;
  for (size_t i = 0; i < out->count; i++) if (out->entries[i].pid != last) { last = out->entries[i].pid; out->pids_seen++; }
  return 0;
}
