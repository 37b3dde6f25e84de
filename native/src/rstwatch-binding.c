/* Node-API glue for counting resets in the kernel (rstwatch.c): a handle that closes its BPF
 * programs and maps when closed, or when garbage-collected if the caller never closed it. */
#include <errno.h>
#include <stdlib.h>
#include <node_api.h>
#include "tcpdoctor.h"
#include "napi-glue.h"

typedef struct { td_rst_watch *w; } rst_handle;

static void rst_finalize(napi_env env, void *data, void *hint) {
  rst_handle *h = data;
  td_rst_watch_close(h->w);
  free(h);
}

static rst_handle *get_handle(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *p = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 || napi_get_value_external(env, argv[0], &p) != napi_ok || !p) {
    napi_throw_type_error(env, "TD_NATIVE_ARGS", "not a reset watch handle");
    return NULL;
  }
  return p;
}

/* rstWatchStart(): handle. Throws (code = errno name, syscall = the failed step). */
static napi_value rst_start(napi_env env, napi_callback_info info) {
  rst_handle *h = calloc(1, sizeof *h);
  if (!h) return td_throw_errno(env, ENOMEM, "reset watch");
  const char *stage = "reset watch";
  int rc = td_rst_watch_start(&h->w, &stage);
  if (rc < 0) { free(h); return td_throw_errno(env, -rc, stage ? stage : "reset watch"); }
  napi_value ext;
  if (napi_create_external(env, h, rst_finalize, NULL, &ext) != napi_ok) {
    td_rst_watch_close(h->w);
    free(h);
    napi_throw_error(env, "TD_NATIVE", "napi_create_external");
    return NULL;
  }
  return ext;
}

static void free_records(napi_env env, void *data, void *hint) { free(data); }

/* rstWatchRead(handle): { records: Buffer (80 bytes each: the key, then a u64 count), drops } */
static napi_value rst_read(napi_env env, napi_callback_info info) {
  rst_handle *h = get_handle(env, info);
  if (!h) return NULL;
  if (!h->w) { napi_throw_error(env, "TD_NATIVE_ARGS", "reset watch already closed"); return NULL; }
  uint8_t *recs;
  size_t n;
  uint64_t drops;
  int rc = td_rst_watch_read(h->w, &recs, &n, &drops);
  if (rc < 0) return td_throw_errno(env, -rc, "reading the reset map");
  napi_value buf, obj, d;
  napi_status st;
  if (n == 0) {
    free(recs);
    st = napi_create_buffer(env, 0, NULL, &buf);
  } else {
    st = napi_create_external_buffer(env, n * (TD_RST_KEY_SIZE + 8), recs, free_records, NULL, &buf);
    if (st != napi_ok) free(recs);
  }
  TD_CHECK(st);
  TD_CHECK(napi_create_object(env, &obj));
  TD_CHECK(napi_create_double(env, (double)drops, &d));
  TD_CHECK(napi_set_named_property(env, obj, "records", buf));
  TD_CHECK(napi_set_named_property(env, obj, "drops", d));
  return obj;
}

/* rstWatchClose(handle): detaches and frees now; closing twice is a no-op. */
static napi_value rst_close(napi_env env, napi_callback_info info) {
  rst_handle *h = get_handle(env, info);
  if (!h) return NULL;
  td_rst_watch_close(h->w);
  h->w = NULL;
  return NULL;
}

/* rstReasonNames(): "value NAME\n" lines of enum sk_rst_reason. */
static napi_value rst_reasons(napi_env env, napi_callback_info info) {
  napi_value r;
  TD_CHECK(napi_create_string_utf8(env, td_rst_reason_names(), NAPI_AUTO_LENGTH, &r));
  return r;
}

void td_rstwatch_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"rstWatchStart", NULL, rst_start, NULL, NULL, NULL, napi_default, NULL},
      {"rstWatchRead", NULL, rst_read, NULL, NULL, NULL, napi_default, NULL},
      {"rstWatchClose", NULL, rst_close, NULL, NULL, NULL, napi_default, NULL},
      {"rstReasonNames", NULL, rst_reasons, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
