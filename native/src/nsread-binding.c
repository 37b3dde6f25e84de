/* Node-API glue for reading files inside a network namespace (nsread.c) and for the netlink
 * end-of-dump scan (diag.c td_nl_scan, exposed so tests can feed it bad lengths). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <node_api.h>
#include "tcpdoctor.h"

#define OK(call) ((call) == napi_ok)

static napi_value throw_code(napi_env env, const char *code, const char *msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

#define MAX_PATHS 4096
#define MAX_PATH_LEN 4096

/* netnsRead(netnsPath: string | null, paths: string[], maxBytes?: number):
 *   Array<{ data: Buffer } | { entries: string } | { error: 'ENOENT' | ... }>
 * Throws (code = errno name, e.g. EPERM) when the namespace cannot be entered. */
static napi_value netns_read(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (!OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))) return throw_code(env, "TD_NATIVE", "napi_get_cb_info");
  if (argc < 2) return throw_code(env, "TD_NATIVE_ARGS", "netnsRead takes (netnsPath, paths)");
  char ns[MAX_PATH_LEN] = {0};
  napi_valuetype t;
  if (!OK(napi_typeof(env, argv[0], &t))) return throw_code(env, "TD_NATIVE", "napi_typeof");
  if (t == napi_string) {
    size_t len;
    if (!OK(napi_get_value_string_utf8(env, argv[0], ns, sizeof ns, &len)) || len >= sizeof ns - 1)
      return throw_code(env, "TD_NATIVE_ARGS", "netnsRead: bad namespace path");
  } else if (t != napi_null && t != napi_undefined) return throw_code(env, "TD_NATIVE_ARGS", "netnsRead: namespace path must be a string or null");
  bool is_array = false;
  uint32_t n = 0;
  if (!OK(napi_is_array(env, argv[1], &is_array)) || !is_array || !OK(napi_get_array_length(env, argv[1], &n)) || n > MAX_PATHS)
    return throw_code(env, "TD_NATIVE_ARGS", "netnsRead: paths must be an array of at most 4096 strings");
  uint32_t max_bytes = 64u << 20;
  if (argc > 2) {
    if (!OK(napi_typeof(env, argv[2], &t))) return throw_code(env, "TD_NATIVE", "napi_typeof");
    if (t == napi_number && !OK(napi_get_value_uint32(env, argv[2], &max_bytes))) return throw_code(env, "TD_NATIVE_ARGS", "netnsRead: maxBytes");
  }

  char **paths = calloc(n ? n : 1, sizeof *paths);
  td_file_read *res = calloc(n ? n : 1, sizeof *res);
  napi_value result = NULL;
  const char *fail_code = NULL, *fail_msg = NULL;
  if (!paths || !res) { fail_code = "ENOMEM"; fail_msg = "netnsRead: out of memory"; goto done; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len;
    paths[i] = malloc(MAX_PATH_LEN);
    if (!paths[i]) { fail_code = "ENOMEM"; fail_msg = "netnsRead: out of memory"; goto done; }
    if (!OK(napi_get_element(env, argv[1], i, &v)) || !OK(napi_get_value_string_utf8(env, v, paths[i], MAX_PATH_LEN, &len)) || len >= MAX_PATH_LEN - 1) {
      fail_code = "TD_NATIVE_ARGS"; fail_msg = "netnsRead: every path must be a string shorter than 4095 bytes";
      goto done;
    }
  }
  int rc = td_netns_read(ns[0] ? ns : NULL, (const char *const *)paths, n, max_bytes, res);
  if (rc < 0) {
    napi_value code, msg, error, errnoV;
    char text[256];
    snprintf(text, sizeof text, "entering network namespace %s: %s", ns, strerror(-rc));
    if (OK(napi_create_string_utf8(env, td_errno_name(-rc), NAPI_AUTO_LENGTH, &code)) &&
        OK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &msg)) && OK(napi_create_error(env, code, msg, &error)) &&
        OK(napi_create_int32(env, rc, &errnoV)) && OK(napi_set_named_property(env, error, "errno", errnoV)))
      napi_throw(env, error);
    else { fail_code = "TD_NATIVE"; fail_msg = "netnsRead: could not build the error"; }
    goto done;
  }
  napi_value arr;
  if (!OK(napi_create_array_with_length(env, n, &arr))) { fail_code = "TD_NATIVE"; fail_msg = "napi_create_array_with_length"; goto done; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value obj, v;
    if (!OK(napi_create_object(env, &obj))) { fail_code = "TD_NATIVE"; fail_msg = "napi_create_object"; goto done; }
    napi_status st;
    if (res[i].err) {
      st = napi_create_string_utf8(env, td_errno_name(res[i].err), NAPI_AUTO_LENGTH, &v);
      if (st == napi_ok) st = napi_set_named_property(env, obj, "error", v);
    } else if (res[i].is_dir) {
      st = napi_create_string_utf8(env, (const char *)res[i].data, res[i].len, &v);
      if (st == napi_ok) st = napi_set_named_property(env, obj, "entries", v);
    } else {
      st = napi_create_buffer_copy(env, res[i].len, res[i].data ? (void *)res[i].data : (void *)"", NULL, &v);
      if (st == napi_ok) st = napi_set_named_property(env, obj, "data", v);
    }
    if (st == napi_ok) st = napi_set_element(env, arr, i, obj);
    if (st != napi_ok) { fail_code = "TD_NATIVE"; fail_msg = "netnsRead: building the result"; goto done; }
  }
  result = arr;
done:
  if (paths) for (uint32_t i = 0; i < n; i++) free(paths[i]);
  free(paths);
  if (res) for (uint32_t i = 0; i < n; i++) free(res[i].data);
  free(res);
  if (fail_code) return throw_code(env, fail_code, fail_msg);
  return result;
}

/* netnsWrite(netnsPath: string | null, paths: string[], texts: string[]): (string | null)[]
 * (null: written; else the errno name). Throws when the namespace cannot be entered. */
static napi_value netns_write(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (!OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)) || argc < 3) return throw_code(env, "TD_NATIVE_ARGS", "netnsWrite takes (netnsPath, paths, texts)");
  char ns[MAX_PATH_LEN] = {0};
  napi_valuetype t;
  if (!OK(napi_typeof(env, argv[0], &t))) return throw_code(env, "TD_NATIVE", "napi_typeof");
  if (t == napi_string) {
    size_t len;
    if (!OK(napi_get_value_string_utf8(env, argv[0], ns, sizeof ns, &len)) || len >= sizeof ns - 1) return throw_code(env, "TD_NATIVE_ARGS", "netnsWrite: bad namespace path");
  }
  uint32_t n = 0, n2 = 0;
  bool a1 = false, a2 = false;
  if (!OK(napi_is_array(env, argv[1], &a1)) || !OK(napi_is_array(env, argv[2], &a2)) || !a1 || !a2 ||
      !OK(napi_get_array_length(env, argv[1], &n)) || !OK(napi_get_array_length(env, argv[2], &n2)) || n != n2 || n > MAX_PATHS)
    return throw_code(env, "TD_NATIVE_ARGS", "netnsWrite: paths and texts must be arrays of the same length");
  char **paths = calloc(n ? n : 1, sizeof *paths), **texts = calloc(n ? n : 1, sizeof *texts);
  int *errs = calloc(n ? n : 1, sizeof *errs);
  napi_value result = NULL;
  const char *fail_code = NULL, *fail_msg = NULL;
  if (!paths || !texts || !errs) { fail_code = "ENOMEM"; fail_msg = "netnsWrite: out of memory"; goto done; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    size_t len;
    paths[i] = malloc(MAX_PATH_LEN);
    texts[i] = malloc(MAX_PATH_LEN);
    if (!paths[i] || !texts[i]) { fail_code = "ENOMEM"; fail_msg = "netnsWrite: out of memory"; goto done; }
    if (!OK(napi_get_element(env, argv[1], i, &v)) || !OK(napi_get_value_string_utf8(env, v, paths[i], MAX_PATH_LEN, &len)) || len >= MAX_PATH_LEN - 1 ||
        !OK(napi_get_element(env, argv[2], i, &v)) || !OK(napi_get_value_string_utf8(env, v, texts[i], MAX_PATH_LEN, &len)) || len >= MAX_PATH_LEN - 1) {
      fail_code = "TD_NATIVE_ARGS"; fail_msg = "netnsWrite: every path and text must be a string shorter than 4095 bytes";
      goto done;
    }
  }
  int rc = td_netns_write(ns[0] ? ns : NULL, (const char *const *)paths, (const char *const *)texts, n, errs);
  if (rc < 0) {
    char text[256];
    snprintf(text, sizeof text, "entering network namespace %s: %s", ns, strerror(-rc));
    fail_code = td_errno_name(-rc);
    napi_throw_error(env, fail_code, text);
    fail_code = NULL;
    goto done;
  }
  napi_value arr;
  if (!OK(napi_create_array_with_length(env, n, &arr))) { fail_code = "TD_NATIVE"; fail_msg = "napi_create_array_with_length"; goto done; }
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_status st = errs[i] ? napi_create_string_utf8(env, td_errno_name(errs[i]), NAPI_AUTO_LENGTH, &v) : napi_get_null(env, &v);
    if (st == napi_ok) st = napi_set_element(env, arr, i, v);
    if (st != napi_ok) { fail_code = "TD_NATIVE"; fail_msg = "netnsWrite: building the result"; goto done; }
  }
  result = arr;
done:
  if (paths) for (uint32_t i = 0; i < n; i++) free(paths[i]);
  if (texts) for (uint32_t i = 0; i < n; i++) free(texts[i]);
  free(paths);
  free(texts);
  free(errs);
  if (fail_code) return throw_code(env, fail_code, fail_msg);
  return result;
}

/* nlScan(buffer): 1 (end of dump seen), 0 (not yet), or -EPROTO (a length that cannot be). */
static napi_value nl_scan(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  void *data;
  size_t len;
  if (!OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL)) || argc < 1) return throw_code(env, "TD_NATIVE_ARGS", "nlScan takes a Buffer");
  bool isbuf = false;
  if (!OK(napi_is_buffer(env, argv[0], &isbuf)) || !isbuf || !OK(napi_get_buffer_info(env, argv[0], &data, &len)))
    return throw_code(env, "TD_NATIVE_ARGS", "nlScan takes a Buffer");
  if (!OK(napi_create_int32(env, td_nl_scan(data, len), &r))) return throw_code(env, "TD_NATIVE", "napi_create_int32");
  return r;
}

void td_nsread_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"netnsRead", NULL, netns_read, NULL, NULL, NULL, napi_default, NULL},
      {"netnsWrite", NULL, netns_write, NULL, NULL, NULL, napi_default, NULL},
      {"nlScan", NULL, nl_scan, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok)
    napi_throw_error(env, "TD_NATIVE", "registering netnsRead");
}
