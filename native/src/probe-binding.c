/* Node-API glue of the probe sockets (probe.c): unpack, call, pack. probeWait runs poll() on a
 * libuv worker thread and resolves a Promise, so the JS main thread never blocks and Ctrl-C works. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "probe.h"
#include "tcpdoctor.h"

#include "napi-glue.h"
#define PCHECK TD_CHECK

#define perr td_throw_errno

static int get_addr(napi_env env, napi_value v, int family, uint8_t out[16]) {
  void *data;
  size_t len;
  bool isbuf = false;
  if (napi_is_buffer(env, v, &isbuf) != napi_ok || !isbuf) return 0;
  if (napi_get_buffer_info(env, v, &data, &len) != napi_ok) return 0;
  if ((family == 4 && len != 4) || (family == 6 && len != 16)) return 0;
  memcpy(out, data, len);
  return 1;
}

/* probeSocket(family, kind, ttl, netnsPath?): fd */
static napi_value probe_socket(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  PCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family, kind, ttl;
  PCHECK(napi_get_value_int32(env, argv[0], &family));
  PCHECK(napi_get_value_int32(env, argv[1], &kind));
  PCHECK(napi_get_value_int32(env, argv[2], &ttl));
  char ns[4096];
  int has_ns = td_netns_arg(env, argc > 3 ? argv[3] : NULL, ns, sizeof ns);
  if (has_ns < 0) return perr(env, ENAMETOOLONG, "setns");
  int fd = td_probe_socket(has_ns ? ns : NULL, family, kind, ttl);
  if (fd < 0) return perr(env, -fd, "socket");
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

/* probeSend(fd, family, addr: Buffer, port, payload: Buffer, ttl): sent time (µs, CLOCK_REALTIME) */
static napi_value probe_send(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  PCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t fd, family, port, ttl;
  PCHECK(napi_get_value_int32(env, argv[0], &fd));
  PCHECK(napi_get_value_int32(env, argv[1], &family));
  PCHECK(napi_get_value_int32(env, argv[3], &port));
  PCHECK(napi_get_value_int32(env, argv[5], &ttl));
  uint8_t addr[16];
  if (!get_addr(env, argv[2], family, addr)) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "probeSend: address buffer"); return NULL; }
  void *buf;
  size_t len;
  PCHECK(napi_get_buffer_info(env, argv[4], &buf, &len));
  double sent;
  int rc = td_probe_send(fd, family, addr, (uint16_t)port, buf, len, ttl, &sent);
  if (rc < 0) return perr(env, -rc, "sendto");
  napi_value r;
  napi_create_double(env, sent, &r);
  return r;
}

/* probeConnect(family, addr: Buffer, port, ttl, netnsPath?): { fd, sent, error: errno name | null } */
static napi_value probe_connect(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  PCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t family, port, ttl;
  PCHECK(napi_get_value_int32(env, argv[0], &family));
  PCHECK(napi_get_value_int32(env, argv[2], &port));
  PCHECK(napi_get_value_int32(env, argv[3], &ttl));
  uint8_t addr[16];
  if (!get_addr(env, argv[1], family, addr)) { napi_throw_type_error(env, "TD_NATIVE_ARGS", "probeConnect: address buffer"); return NULL; }
  double sent = 0;
  int err = 0;
  char ns[4096];
  int has_ns = td_netns_arg(env, argc > 4 ? argv[4] : NULL, ns, sizeof ns);
  if (has_ns < 0) return perr(env, ENAMETOOLONG, "setns");
  int fd = td_probe_connect(has_ns ? ns : NULL, family, addr, (uint16_t)port, ttl, &sent, &err);
  if (fd < 0) return perr(env, -fd, "socket");
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_int32(env, fd, &v);
  napi_set_named_property(env, obj, "fd", v);
  napi_create_double(env, sent, &v);
  napi_set_named_property(env, obj, "sent", v);
  if (err) napi_create_string_utf8(env, td_errno_name(err), NAPI_AUTO_LENGTH, &v);
  else napi_get_null(env, &v);
  napi_set_named_property(env, obj, "error", v);
  return obj;
}

#define WAIT_CAP 512
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int nfds, timeout_ms, rc;
  int fds[TD_PROBE_MAX_FDS];
  int streams[TD_PROBE_MAX_FDS];
  td_probe_event evs[WAIT_CAP];
} wait_job;

static void wait_execute(napi_env env, void *data) {
  wait_job *j = data;
  j->rc = td_probe_wait(j->fds, j->streams, j->nfds, j->timeout_ms, j->evs, WAIT_CAP);
}

static napi_value addr_string(napi_env env, int family, const uint8_t *a) {
  napi_value v;
  if (family != 4 && family != 6) {
    napi_get_null(env, &v);
    return v;
  }
  char text[INET6_ADDRSTRLEN];
  inet_ntop(family == 4 ? AF_INET : AF_INET6, a, text, sizeof text);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &v);
  return v;
}

static void set_int(napi_env env, napi_value obj, const char *name, double value) {
  napi_value v;
  napi_create_double(env, value, &v);
  napi_set_named_property(env, obj, name, v);
}

static void wait_complete(napi_env env, napi_status status, void *data) {
  wait_job *j = data;
  if (j->rc < 0 || status != napi_ok) {
    int err = j->rc < 0 ? -j->rc : EIO;
    napi_value code, msg, error;
    napi_create_string_utf8(env, td_errno_name(err), NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, code, msg, &error);
    napi_reject_deferred(env, j->deferred, error);
  } else {
    napi_value arr;
    napi_create_array_with_length(env, (size_t)j->rc, &arr);
    for (int i = 0; i < j->rc; i++) {
      td_probe_event *e = &j->evs[i];
      napi_value o, v;
      napi_create_object(env, &o);
      set_int(env, o, "fd", e->fd);
      set_int(env, o, "kind", e->kind);
      set_int(env, o, "t", e->t_us);
      set_int(env, o, "ttl", e->ttl);
      set_int(env, o, "port", e->port);
      napi_set_named_property(env, o, "from", addr_string(env, e->from_family, e->from));
      if (e->ee_errno) napi_create_string_utf8(env, td_errno_name(e->ee_errno), NAPI_AUTO_LENGTH, &v);
      else napi_get_null(env, &v);
      napi_set_named_property(env, o, "errno", v);
      set_int(env, o, "origin", e->ee_origin);
      set_int(env, o, "type", e->ee_type);
      set_int(env, o, "code", e->ee_code);
      set_int(env, o, "info", e->ee_info);
      napi_set_named_property(env, o, "offender", addr_string(env, e->offender_family, e->offender));
      napi_create_buffer_copy(env, (size_t)e->data_len, e->data, NULL, &v);
      napi_set_named_property(env, o, "data", v);
      napi_set_element(env, arr, (uint32_t)i, o);
    }
    napi_resolve_deferred(env, j->deferred, arr);
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

/* probeWait(fds: Int32Array, streams: Int32Array, timeoutMs): Promise<event[]> */
static napi_value probe_wait(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  PCHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  napi_typedarray_type t1, t2;
  size_t n1, n2, off;
  void *d1, *d2;
  napi_value ab;
  PCHECK(napi_get_typedarray_info(env, argv[0], &t1, &n1, &d1, &ab, &off));
  PCHECK(napi_get_typedarray_info(env, argv[1], &t2, &n2, &d2, &ab, &off));
  if (t1 != napi_int32_array || t2 != napi_int32_array || n1 != n2 || n1 > TD_PROBE_MAX_FDS) {
    napi_throw_type_error(env, "TD_NATIVE_ARGS", "probeWait: two Int32Arrays of the same length");
    return NULL;
  }
  int32_t timeout;
  PCHECK(napi_get_value_int32(env, argv[2], &timeout));
  wait_job *j = calloc(1, sizeof *j);
  if (!j) return perr(env, ENOMEM, "probeWait");
  j->nfds = (int)n1;
  j->timeout_ms = timeout;
  memcpy(j->fds, d1, n1 * sizeof(int));
  memcpy(j->streams, d2, n1 * sizeof(int));
  napi_value promise, name;
  PCHECK(napi_create_promise(env, &j->deferred, &promise));
  napi_create_string_utf8(env, "tcpdoctor:probeWait", NAPI_AUTO_LENGTH, &name);
  PCHECK(napi_create_async_work(env, NULL, name, wait_execute, wait_complete, j, &j->work));
  PCHECK(napi_queue_async_work(env, j->work));
  return promise;
}

void td_probe_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"probeSocket", NULL, probe_socket, NULL, NULL, NULL, napi_default, NULL},
      {"probeSend", NULL, probe_send, NULL, NULL, NULL, napi_default, NULL},
      {"probeConnect", NULL, probe_connect, NULL, NULL, NULL, napi_default, NULL},
      {"probeWait", NULL, probe_wait, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
