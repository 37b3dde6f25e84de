/* A tiny BPF assembler shared by the hand-assembled programs (bpfiter.c, rstwatch.c): jumps name
 * a label, and their offsets are computed when the label is placed (no hand-kept table of
 * instruction numbers to go stale when a program changes). */
#ifndef TD_BPF_ASM_H
#define TD_BPF_ASM_H
#include <errno.h>
#include <stdint.h>
#include <linux/bpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

#define TD_ASM_LABELS 16
typedef struct {
  struct bpf_insn v[512];
  int n;
  int label_at[TD_ASM_LABELS];
  int fix_at[128], fix_label[128], nfix;
  int bad;
} bpf_asm;

static inline void asm_init(bpf_asm *a) {
  a->n = 0;
  a->nfix = 0;
  a->bad = 0;
  for (int i = 0; i < TD_ASM_LABELS; i++) a->label_at[i] = -1;
}

static inline void emit(bpf_asm *a, struct bpf_insn i) {
  if (a->n >= (int)(sizeof a->v / sizeof a->v[0])) { a->bad = 1; return; }
  a->v[a->n++] = i;
}

static inline void emit_jump(bpf_asm *a, uint8_t code, uint8_t dst, uint8_t src, int32_t imm, int label) {
  if (a->nfix >= (int)(sizeof a->fix_at / sizeof a->fix_at[0]) || label < 0 || label >= TD_ASM_LABELS) { a->bad = 1; return; }
  a->fix_at[a->nfix] = a->n;
  a->fix_label[a->nfix++] = label;
  emit(a, INSN(code, dst, src, 0, imm));
}

static inline void place(bpf_asm *a, int label) {
  if (label < 0 || label >= TD_ASM_LABELS) { a->bad = 1; return; }
  a->label_at[label] = a->n;
}

/* Resolves the jumps: offsets are relative to the instruction after the jump. */
static inline int link_jumps(bpf_asm *a) {
  if (a->bad) return -E2BIG;
  for (int k = 0; k < a->nfix; k++) {
    int to = a->label_at[a->fix_label[k]];
    if (to < 0 || to <= a->fix_at[k]) return -EINVAL; /* unplaced, or backwards (loops are refused anyway) */
    a->v[a->fix_at[k]].off = (int16_t)(to - a->fix_at[k] - 1);
  }
  return 0;
}

/* BPF_PROG_LOAD, retried while the verifier was interrupted by a signal (-EAGAIN: a profiler's
 * SIGPROF, node --cpu-prof, lands in it often enough to lose the program otherwise). */
#include <sys/syscall.h>
#include <unistd.h>
static inline int td_bpf_prog_load(union bpf_attr *a) {
  long fd;
  int tries = 0;
  do fd = syscall(__NR_bpf, BPF_PROG_LOAD, a, sizeof *a);
  while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 20);
  return (int)fd;
}

#endif
