/* The kernel's own type information (/sys/kernel/btf/vmlinux), read without libbpf: struct member
 * offsets and function prototypes, so hand-assembled BPF programs (bpfiter.c, rstwatch.c) follow
 * the running kernel's layouts. */
#ifndef TD_BTF_H
#define TD_BTF_H
#include <stddef.h>
#include <stdint.h>
#include <linux/btf.h>

typedef struct {
  uint8_t *data;
  size_t len;
  const uint8_t *types;
  uint32_t types_len;
  const char *strs;
  uint32_t strs_len;
  uint32_t *index; /* type id -> offset in types (id 0 unused) */
  uint32_t ntypes;
} td_btf;

/* Reads and indexes /sys/kernel/btf/vmlinux: 0 or -errno (ENOENT: a kernel without BTF). */
int td_btf_open(td_btf *b);
void td_btf_close(td_btf *b);

const struct btf_type *td_btf_type_by_id(const td_btf *b, uint32_t id);
const char *td_btf_str(const td_btf *b, uint32_t off);
/* A type by kind and name: its id (>= 1) and *out, or 0. */
uint32_t td_btf_find(const td_btf *b, int kind, const char *name, const struct btf_type **out);
/* Byte offset of a member of a struct (anonymous unions and structs included), or -1. */
long td_btf_member_off(const td_btf *b, const char *sname, const char *mname);
/* Parameters of the function prototype a typedef names through a pointer (btf_trace_<event> for a
 * tracepoint: void *ctx first, then the tracepoint's arguments), or -1. */
int td_btf_typedef_proto_params(const td_btf *b, const char *typedef_name);

#endif
