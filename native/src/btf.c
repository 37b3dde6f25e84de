/* Reading the kernel's BTF (see btf.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "btf.h"

/* Size of the kind-specific data that follows a struct btf_type. */
static long btf_extra(const struct btf_type *t) {
  uint32_t vlen = BTF_INFO_VLEN(t->info);
  switch (BTF_INFO_KIND(t->info)) {
    case BTF_KIND_INT: return 4;
    case BTF_KIND_ARRAY: return sizeof(struct btf_array);
    case BTF_KIND_STRUCT: case BTF_KIND_UNION: return (long)vlen * sizeof(struct btf_member);
    case BTF_KIND_ENUM: return (long)vlen * sizeof(struct btf_enum);
    case BTF_KIND_FUNC_PROTO: return (long)vlen * sizeof(struct btf_param);
    case BTF_KIND_VAR: return sizeof(struct btf_var);
    case BTF_KIND_DATASEC: return (long)vlen * sizeof(struct btf_var_secinfo);
    case 17 /* DECL_TAG */: return 4;
    case 19 /* ENUM64 */: return (long)vlen * 12;
    case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT: case BTF_KIND_FUNC: case 16 /* FLOAT */: case 18 /* TYPE_TAG */: return 0;
    default: return -1;
  }
}

/* Indexes every type by id, so members can be followed into anonymous unions. */
static int btf_index(td_btf *b) {
  uint32_t cap = 1 << 17, n = 1, off = 0;
  b->index = malloc(cap * sizeof *b->index);
  if (!b->index) return -ENOMEM;
  while (off + sizeof(struct btf_type) <= b->types_len) {
    const struct btf_type *t = (const void *)(b->types + off);
    long extra = btf_extra(t);
    if (extra < 0) return -EPROTO;
    if (n == cap) {
      uint32_t *p = realloc(b->index, cap * 2 * sizeof *p);
      if (!p) return -ENOMEM;
      b->index = p; cap *= 2;
    }
    b->index[n++] = off;
    off += sizeof(struct btf_type) + (uint32_t)extra;
  }
  b->ntypes = n;
  return 0;
}

const struct btf_type *td_btf_type_by_id(const td_btf *b, uint32_t id) {
  return id > 0 && id < b->ntypes ? (const void *)(b->types + b->index[id]) : NULL;
}

static int btf_load(td_btf *b) {
  int fd = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  size_t cap = 8 << 20, len = 0;
  uint8_t *data = malloc(cap);
  if (!data) { close(fd); return -ENOMEM; }
  for (;;) {
    if (len == cap) {
      uint8_t *p = realloc(data, cap * 2);
      if (!p) { free(data); close(fd); return -ENOMEM; }
      data = p; cap *= 2;
    }
    ssize_t n = read(fd, data + len, cap - len);
    if (n < 0) { if (errno == EINTR) continue; int e = errno; free(data); close(fd); return -e; }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  const struct btf_header *h = (const void *)data;
  if (len < sizeof *h || h->magic != BTF_MAGIC || (size_t)h->hdr_len + h->str_off + h->str_len > len ||
      (size_t)h->hdr_len + h->type_off + h->type_len > len) { free(data); return -EPROTO; }
  b->data = data;
  b->len = len;
  b->types = data + h->hdr_len + h->type_off;
  b->types_len = h->type_len;
  b->strs = (const char *)data + h->hdr_len + h->str_off;
  b->strs_len = h->str_len;
  return 0;
}

int td_btf_open(td_btf *b) {
  memset(b, 0, sizeof *b);
  int rc = btf_load(b);
  if (rc < 0) return rc;
  rc = btf_index(b);
  if (rc < 0) { td_btf_close(b); return rc; }
  return 0;
}

void td_btf_close(td_btf *b) {
  free(b->index);
  free(b->data);
  memset(b, 0, sizeof *b);
}

const char *td_btf_str(const td_btf *b, uint32_t off) { return off < b->strs_len ? b->strs + off : ""; }

uint32_t td_btf_find(const td_btf *b, int kind, const char *name, const struct btf_type **out) {
  for (uint32_t id = 1; id < b->ntypes; id++) {
    const struct btf_type *t = td_btf_type_by_id(b, id);
    if ((int)BTF_INFO_KIND(t->info) == kind && strcmp(td_btf_str(b, t->name_off), name) == 0) {
      if (out) *out = t;
      return id;
    }
  }
  return 0;
}

static const struct btf_type *skip_modifiers(const td_btf *b, const struct btf_type *t) {
  for (int k = 0; t && k < 16; k++) {
    int kind = (int)BTF_INFO_KIND(t->info);
    if (kind != BTF_KIND_TYPEDEF && kind != BTF_KIND_CONST && kind != BTF_KIND_VOLATILE && kind != BTF_KIND_RESTRICT && kind != 18 /* TYPE_TAG */) return t;
    t = td_btf_type_by_id(b, t->type);
  }
  return NULL;
}

/* Bit offset of member mname in struct/union t, looking inside anonymous members; -1 if absent. */
static long member_bits(const td_btf *b, const struct btf_type *t, const char *mname, int depth) {
  if (depth > 8) return -1;
  const struct btf_member *m = (const void *)(t + 1);
  for (uint32_t i = 0; i < BTF_INFO_VLEN(t->info); i++) {
    uint32_t bits = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m[i].offset) : m[i].offset;
    const char *name = td_btf_str(b, m[i].name_off);
    if (strcmp(name, mname) == 0) return (long)bits;
    if (name[0] == 0) { /* anonymous struct or union: its members belong to t */
      const struct btf_type *inner = skip_modifiers(b, td_btf_type_by_id(b, m[i].type));
      if (inner && (BTF_INFO_KIND(inner->info) == BTF_KIND_STRUCT || BTF_INFO_KIND(inner->info) == BTF_KIND_UNION)) {
        long r = member_bits(b, inner, mname, depth + 1);
        if (r >= 0) return (long)bits + r;
      }
    }
  }
  return -1;
}

long td_btf_member_off(const td_btf *b, const char *sname, const char *mname) {
  const struct btf_type *t;
  if (!td_btf_find(b, BTF_KIND_STRUCT, sname, &t)) return -1;
  long bits = member_bits(b, t, mname, 0);
  return bits < 0 || bits % 8 ? -1 : bits / 8;
}

int td_btf_typedef_proto_params(const td_btf *b, const char *typedef_name) {
  const struct btf_type *t;
  if (!td_btf_find(b, BTF_KIND_TYPEDEF, typedef_name, &t)) return -1;
  const struct btf_type *p = td_btf_type_by_id(b, t->type);
  if (!p || BTF_INFO_KIND(p->info) != BTF_KIND_PTR) return -1;
  const struct btf_type *fn = td_btf_type_by_id(b, p->type);
  if (!fn || BTF_INFO_KIND(fn->info) != BTF_KIND_FUNC_PROTO) return -1;
  return (int)BTF_INFO_VLEN(fn->info);
}
