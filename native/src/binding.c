/* Thin Node-API glue: unpack arguments, call the C core, pack results, throw errors whose code is
 * the errno name. No policy here; src/kernel/native.ts decides what an error means. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>
#include "tcpdoctor.h"

#include "napi-glue.h"
#define CHECK TD_CHECK

/* An Error whose code is the errno name, with .syscall and .errno; NULL if N-API failed. */
static napi_value errno_error(napi_env env, int err, const char *syscall) {
  napi_value code, msg, error, sc, errnoV;
  char text[160];
  snprintf(text, sizeof text, "%s: %s", syscall, strerror(err));
  if (napi_create_string_utf8(env, td_errno_name(err), NAPI_AUTO_LENGTH, &code) != napi_ok ||
      napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg) != napi_ok ||
      napi_create_error(env, code, msg, &error) != napi_ok ||
      napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &sc) != napi_ok ||
      napi_set_named_property(env, error, "syscall", sc) != napi_ok ||
      napi_create_int32(env, -err, &errnoV) != napi_ok ||
      napi_set_named_property(env, error, "errno", errnoV) != napi_ok)
    return NULL;
  return error;
}

napi_value td_throw_errno(napi_env env, int err, const char *syscall) {
  napi_value error = errno_error(env, err, syscall);
  if (!error || napi_throw(env, error) != napi_ok) napi_throw_error(env, td_errno_name(err), syscall);
  return NULL;
}
#define throw_errno td_throw_errno

int td_netns_arg(napi_env env, napi_value v, char *buf, size_t cap) {
  napi_valuetype t;
  buf[0] = 0;
  if (!v || napi_typeof(env, v, &t) != napi_ok || t != napi_string) return 0;
  size_t len;
  if (napi_get_value_string_utf8(env, v, buf, cap, &len) != napi_ok || len >= cap - 1) return -1;
  return len > 0;
}

static int arg_u32(napi_env env, napi_value v, uint32_t *out) {
  return napi_get_value_uint32(env, v, out) == napi_ok;
}

static napi_value make_u32(napi_env env, uint32_t v) {
  napi_value r;
  return napi_create_uint32(env, v, &r) == napi_ok ? r : NULL;
}

/* diagOpen(netnsPath: string | null, family, protocol, states, ext, bytecode: Buffer | null): fd */
static napi_value diag_open(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "diagOpen takes 6 arguments"); return NULL; }
  char path[4096] = {0};
  napi_valuetype t;
  CHECK(napi_typeof(env, argv[0], &t));
  if (t == napi_string) {
    size_t len;
    CHECK(napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len));
    if (len >= sizeof path - 1) { napi_throw_range_error(env, "TD_NATIVE_ARGS", "diagOpen: namespace path too long"); return NULL; }
  }
  uint32_t family, protocol, states, ext;
  if (!arg_u32(env, argv[1], &family) || !arg_u32(env, argv[2], &protocol) ||
      !arg_u32(env, argv[3], &states) || !arg_u32(env, argv[4], &ext)) {
    napi_throw_type_error(env, "TD_NATIVE_ARGS", "diagOpen: numbers expected");
    return NULL;
  }
  void *bc = NULL;
  size_t bclen = 0;
  bool isbuf = false;
  CHECK(napi_is_buffer(env, argv[5], &isbuf));
  if (isbuf) CHECK(napi_get_buffer_info(env, argv[5], &bc, &bclen));
  int fd = td_diag_open(path[0] ? path : NULL, (uint8_t)family, (uint8_t)protocol, states,
                        (uint8_t)ext, bc, bclen);
  if (fd < 0) return throw_errno(env, -fd, path[0] ? "sock_diag in netns" : "sock_diag");
  napi_value r;
  if (napi_create_int32(env, fd, &r) != napi_ok) { close(fd); napi_throw_error(env, "TD_NATIVE", "napi_create_int32"); return NULL; }
  return r;
}

/* diagRead(fd, buffer): [bytes, done] */
static napi_value diag_read(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  void *data;
  size_t cap;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &cap));
  int done = 0;
  long n = td_diag_read(fd, data, cap, &done);
  if (n < 0) return throw_errno(env, (int)-n, "recvmsg");
  napi_value arr, nv, dv;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  CHECK(napi_create_double(env, (double)n, &nv));
  CHECK(napi_get_boolean(env, done != 0, &dv));
  CHECK(napi_set_element(env, arr, 0, nv));
  CHECK(napi_set_element(env, arr, 1, dv));
  return arr;
}

/* tcpIterOpen(netnsPath: string | null): fd of a BPF tcp iterator over that namespace's sockets */
static napi_value tcp_iter_open(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char path[4096];
  int has_ns = td_netns_arg(env, argc > 0 ? argv[0] : NULL, path, sizeof path);
  if (has_ns < 0) { napi_throw_range_error(env, "TD_NATIVE_ARGS", "tcpIterOpen: namespace path too long"); return NULL; }
  int fd = td_tcp_iter_open(has_ns ? path : NULL);
  if (fd < 0) return throw_errno(env, -fd, "bpf tcp iterator");
  napi_value r;
  if (napi_create_int32(env, fd, &r) != napi_ok) { close(fd); napi_throw_error(env, "TD_NATIVE", "napi_create_int32"); return NULL; }
  return r;
}

/* tcpIterRead(fd, buffer, offset): [bytes in buffer from 0, done]; reads from offset on */
static napi_value tcp_iter_read(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  uint32_t offset;
  void *data;
  size_t cap;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_buffer_info(env, argv[1], &data, &cap));
  CHECK(napi_get_value_uint32(env, argv[2], &offset));
  if (offset > cap) { napi_throw_range_error(env, "TD_NATIVE_ARGS", "tcpIterRead: offset past the buffer"); return NULL; }
  int done = 0;
  long n = td_tcp_iter_read(fd, (uint8_t *)data + offset, cap - offset, &done);
  if (n < 0) return throw_errno(env, (int)-n, "read");
  napi_value arr, nv, dv;
  CHECK(napi_create_array_with_length(env, 2, &arr));
  CHECK(napi_create_double(env, (double)(n + (long)offset), &nv));
  CHECK(napi_get_boolean(env, done != 0, &dv));
  CHECK(napi_set_element(env, arr, 0, nv));
  CHECK(napi_set_element(env, arr, 1, dv));
  return arr;
}

/* closeFd(fd) */
static napi_value close_fd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  if (close(fd) < 0) return throw_errno(env, errno, "close");
  return NULL;
}

static void free_entries(napi_env env, void *data, void *hint) { free(data); }

/* The JS object of a walk result; takes ownership of res->entries (freed here on failure, by the
 * buffer's finalizer otherwise). NULL with nothing thrown when N-API failed. */
static napi_value walk_object(napi_env env, td_fd_walk_result *res) {
  napi_value obj, buf;
  napi_status st;
  if (res->count == 0) {
    free(res->entries);
    res->entries = NULL;
    st = napi_create_buffer(env, 0, NULL, &buf);
  } else {
    st = napi_create_external_buffer(env, res->count * sizeof(td_fd_entry), res->entries, free_entries, NULL, &buf);
    if (st != napi_ok) free(res->entries); /* not owned by a buffer: ours to free */
    res->entries = NULL;
  }
  if (st != napi_ok || napi_create_object(env, &obj) != napi_ok) return NULL;
  napi_value seen = make_u32(env, res->pids_seen), denied = make_u32(env, res->pids_denied), vanished = make_u32(env, res->pids_vanished);
  if (!seen || !denied || !vanished ||
      napi_set_named_property(env, obj, "entries", buf) != napi_ok ||
      napi_set_named_property(env, obj, "pidsSeen", seen) != napi_ok ||
      napi_set_named_property(env, obj, "pidsDenied", denied) != napi_ok ||
      napi_set_named_property(env, obj, "pidsVanished", vanished) != napi_ok)
    return NULL;
  return obj;
}

static napi_value walk_object_or_throw(napi_env env, td_fd_walk_result *res) {
  napi_value obj = walk_object(env, res);
  if (!obj) napi_throw_error(env, "TD_NATIVE", "building the fd walk result");
  return obj;
}

/* fdWalk(procRoot, threads, inodes: BigUint64Array | null):
 *   { entries: Buffer (16 bytes each: u32 pid, u32 fd, u64 inode), pidsSeen, pidsDenied, pidsVanished } */
static napi_value fd_walk(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char root[4096];
  size_t len;
  CHECK(napi_get_value_string_utf8(env, argv[0], root, sizeof root, &len));
  if (len >= sizeof root - 1) { napi_throw_range_error(env, "TD_NATIVE_ARGS", "fdWalk: procRoot too long"); return NULL; }
  uint32_t threads = 1;
  if (argc > 1 && !arg_u32(env, argv[1], &threads)) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "fdWalk: threads must be a number"); return NULL; }
  const uint64_t *inodes = NULL;
  size_t n_inodes = 0;
  bool is_ta = false;
  if (argc > 2) CHECK(napi_is_typedarray(env, argv[2], &is_ta));
  if (is_ta) {
    napi_typedarray_type type;
    void *data;
    napi_value ab;
    size_t off;
    CHECK(napi_get_typedarray_info(env, argv[2], &type, &n_inodes, &data, &ab, &off));
    if (type != napi_biguint64_array) {
      napi_throw_type_error(env, "TD_NATIVE_ARGS", "fdWalk: inodes must be a BigUint64Array");
      return NULL;
    }
    inodes = data;
  }
  td_fd_walk_result res;
  int rc = td_fd_walk(root, (int)threads, inodes, n_inodes, &res);
  if (rc < 0) return throw_errno(env, -rc, "fd walk");
  return walk_object_or_throw(env, &res);
}

/* fdIterBpf(): the same object as fdWalk, from a BPF task_file iterator (root); throws with the
 * errno name when the kernel or the privileges do not allow it. */
/* An optional BigUint64Array argument: 1 given (data/n set), 0 absent or null, -1 thrown. */
static int arg_inodes(napi_env env, napi_value v, const uint64_t **data, size_t *n, const char *what) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  napi_typedarray_type type;
  void *p;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, n, &p, &ab, &off) != napi_ok || type != napi_biguint64_array) {
    napi_throw_type_error(env, "TD_NATIVE_ARGS", what);
    return -1;
  }
  *data = p;
  return 1;
}

/* fdIterBpf(inodes?: BigUint64Array): with inodes, only those sockets (filtered in the kernel). */
static napi_value fd_iter_bpf(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  const uint64_t *inodes = NULL;
  size_t n_inodes = 0;
  int filtered = argc > 0 ? arg_inodes(env, argv[0], &inodes, &n_inodes, "fdIterBpf: inodes must be a BigUint64Array") : 0;
  if (filtered < 0) return NULL;
  td_fd_walk_result res;
  int rc = td_fd_iter_bpf_only(inodes, n_inodes, filtered, &res);
  if (rc < 0) return throw_errno(env, -rc, "bpf task_file iterator");
  return walk_object_or_throw(env, &res);
}

/* fdWalkAsync(procRoot, threads, inodes | null): Promise of the same object as fdWalk. The walk
 * runs off the main thread, so the caller can dump and decode sockets meanwhile. */
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref inodes_ref;
  char root[4096];
  int threads;
  const uint64_t *inodes;
  size_t n_inodes;
  td_fd_walk_result res;
  int rc;
  int bpf; /* use the BPF task_file iterator instead of walking /proc */
  int filtered; /* bpf: keep only inodes[0..n_inodes) */
} walk_job;

static void walk_execute(napi_env env, void *data) {
  walk_job *j = data;
  j->rc = j->bpf ? td_fd_iter_bpf_only(j->inodes, j->n_inodes, j->filtered, &j->res) : td_fd_walk(j->root, j->threads, j->inodes, j->n_inodes, &j->res);
}

static void walk_complete(napi_env env, napi_status status, void *data) {
  walk_job *j = data;
  if (j->inodes_ref) napi_delete_reference(env, j->inodes_ref);
  napi_value obj = NULL;
  if (j->rc >= 0 && status == napi_ok) obj = walk_object(env, &j->res);
  else if (j->rc >= 0) free(j->res.entries); /* cancelled after a successful walk */
  if (obj) napi_resolve_deferred(env, j->deferred, obj);
  else {
    int err = j->rc < 0 ? -j->rc : EIO;
    napi_value error = errno_error(env, err, j->bpf ? "bpf task_file iterator" : "fd walk");
    napi_value fallback;
    if (!error && napi_create_string_utf8(env, "TD_NATIVE: fd walk failed", NAPI_AUTO_LENGTH, &fallback) == napi_ok) error = fallback;
    /* A deferred must be settled once or the promise leaks; with no value at all, undefined. */
    if (!error) napi_get_undefined(env, &error);
    napi_reject_deferred(env, j->deferred, error);
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

/* Queues a walk job; frees it (and its reference) on any failure before it is queued. */
static napi_value queue_walk(napi_env env, walk_job *j, const char *name_text) {
  napi_value promise, name;
  if (napi_create_promise(env, &j->deferred, &promise) != napi_ok) goto fail;
  if (napi_create_string_utf8(env, name_text, NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_async_work(env, NULL, name, walk_execute, walk_complete, j, &j->work) != napi_ok) {
    napi_value e;
    if (napi_create_string_utf8(env, "TD_NATIVE: async work", NAPI_AUTO_LENGTH, &e) == napi_ok) napi_reject_deferred(env, j->deferred, e);
    goto fail;
  }
  if (napi_queue_async_work(env, j->work) != napi_ok) {
    napi_delete_async_work(env, j->work);
    napi_value e;
    if (napi_create_string_utf8(env, "TD_NATIVE: queue async work", NAPI_AUTO_LENGTH, &e) == napi_ok) napi_reject_deferred(env, j->deferred, e);
    goto fail;
  }
  return promise;
fail:
  if (j->inodes_ref) napi_delete_reference(env, j->inodes_ref);
  free(j);
  napi_throw_error(env, "TD_NATIVE", "could not start the fd walk");
  return NULL;
}

static napi_value fd_walk_async(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  walk_job *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, ENOMEM, "fd walk");
  size_t len;
  if (napi_get_value_string_utf8(env, argv[0], j->root, sizeof j->root, &len) != napi_ok || len >= sizeof j->root - 1) {
    free(j);
    napi_throw_type_error(env, "TD_NATIVE_ARGS", "fdWalkAsync: procRoot must be a string shorter than 4095 bytes");
    return NULL;
  }
  uint32_t threads = 1;
  if (argc > 1 && !arg_u32(env, argv[1], &threads)) {
    free(j);
    napi_throw_type_error(env, "TD_NATIVE_ARGS", "fdWalkAsync: threads must be a number");
    return NULL;
  }
  j->threads = (int)threads;
  bool is_ta = false;
  if (argc > 2 && napi_is_typedarray(env, argv[2], &is_ta) != napi_ok) is_ta = false;
  if (is_ta) {
    napi_typedarray_type type;
    void *data;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, argv[2], &type, &j->n_inodes, &data, &ab, &off) != napi_ok || type != napi_biguint64_array) {
      free(j);
      napi_throw_type_error(env, "TD_NATIVE_ARGS", "fdWalkAsync: inodes must be a BigUint64Array");
      return NULL;
    }
    j->inodes = data;
    /* The array must outlive the walk on the worker thread. */
    if (napi_create_reference(env, argv[2], 1, &j->inodes_ref) != napi_ok) {
      free(j);
      napi_throw_error(env, "TD_NATIVE", "napi_create_reference");
      return NULL;
    }
  }
  return queue_walk(env, j, "tcpdoctor:fdWalk");
}

/* fdIterBpfAsync(inodes?): Promise of the fdIterBpf object, computed off the main thread. */
static napi_value fd_iter_bpf_async(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  walk_job *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, ENOMEM, "bpf task_file iterator");
  j->bpf = 1;
  j->filtered = argc > 0 ? arg_inodes(env, argv[0], &j->inodes, &j->n_inodes, "fdIterBpfAsync: inodes must be a BigUint64Array") : 0;
  if (j->filtered < 0) { free(j); return NULL; }
  /* The array must outlive the iterator run on the worker thread. */
  if (j->filtered && napi_create_reference(env, argv[0], 1, &j->inodes_ref) != napi_ok) {
    free(j);
    napi_throw_error(env, "TD_NATIVE", "napi_create_reference");
    return NULL;
  }
  return queue_walk(env, j, "tcpdoctor:fdIterBpf");
}

/* getsockopt(fd, level, name, maxLen): Buffer */
static napi_value get_sockopt(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, level, name, max;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &level));
  CHECK(napi_get_value_int32(env, argv[2], &name));
  CHECK(napi_get_value_int32(env, argv[3], &max));
  if (max <= 0 || max > 65536) { napi_throw_range_error(env, "TD_NATIVE_ARGS", "getsockopt: bad length"); return NULL; }
  uint8_t *tmp = calloc(1, (size_t)max);
  if (!tmp) return throw_errno(env, ENOMEM, "getsockopt");
  uint32_t l = (uint32_t)max;
  int rc = td_getsockopt(fd, level, name, tmp, &l);
  if (rc < 0) { free(tmp); return throw_errno(env, -rc, "getsockopt"); }
  napi_value buf;
  napi_status st = napi_create_buffer_copy(env, l, tmp, NULL, &buf);
  free(tmp);
  CHECK(st);
  return buf;
}

/* setsockoptInt(fd, level, name, value) */
static napi_value set_sockopt_int(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, level, name, value;
  CHECK(napi_get_value_int32(env, argv[0], &fd));
  CHECK(napi_get_value_int32(env, argv[1], &level));
  CHECK(napi_get_value_int32(env, argv[2], &name));
  CHECK(napi_get_value_int32(env, argv[3], &value));
  int rc = td_setsockopt_int(fd, level, name, value);
  if (rc < 0) return throw_errno(env, -rc, "setsockopt");
  return NULL;
}

/* probe sockets (ping, trace): native/src/probe-binding.c */
void td_probe_register(napi_env env, napi_value exports);

/* reading files inside a network namespace: native/src/nsread-binding.c */
void td_nsread_register(napi_env env, napi_value exports);

/* live capture (AF_PACKET, TPACKET_V3): native/src/packet.c */
void td_packet_register(napi_env env, napi_value exports);

/* counting resets in the kernel (BPF on tcp:tcp_send_reset/tcp_receive_reset): native/src/rstwatch-binding.c */
void td_rstwatch_register(napi_env env, napi_value exports);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"diagOpen", NULL, diag_open, NULL, NULL, NULL, napi_default, NULL},
      {"diagRead", NULL, diag_read, NULL, NULL, NULL, napi_default, NULL},
      {"tcpIterOpen", NULL, tcp_iter_open, NULL, NULL, NULL, napi_default, NULL},
      {"tcpIterRead", NULL, tcp_iter_read, NULL, NULL, NULL, napi_default, NULL},
      {"closeFd", NULL, close_fd, NULL, NULL, NULL, napi_default, NULL},
      {"fdWalk", NULL, fd_walk, NULL, NULL, NULL, napi_default, NULL},
      {"fdWalkAsync", NULL, fd_walk_async, NULL, NULL, NULL, napi_default, NULL},
      {"fdIterBpf", NULL, fd_iter_bpf, NULL, NULL, NULL, napi_default, NULL},
      {"fdIterBpfAsync", NULL, fd_iter_bpf_async, NULL, NULL, NULL, napi_default, NULL},
      {"getsockopt", NULL, get_sockopt, NULL, NULL, NULL, napi_default, NULL},
      {"setsockoptInt", NULL, set_sockopt_int, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    napi_throw_error(env, "TD_NATIVE", "registering the addon's functions");
    return NULL;
  }
  td_probe_register(env, exports);
  td_nsread_register(env, exports);
  td_packet_register(env, exports);
  td_rstwatch_register(env, exports);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
