/* The Node-API glue every binding file shares: one status check and one errno error, so the
 * three binding files (binding.c, packet.c, probe-binding.c) throw the same shape of error. */
#ifndef TD_NAPI_GLUE_H
#define TD_NAPI_GLUE_H
#include <node_api.h>

/* A failed N-API call throws TD_NATIVE naming the call and returns NULL from the binding. */
#define TD_CHECK(call)                               \
  do {                                               \
    if ((call) != napi_ok) {                         \
      napi_throw_error(env, "TD_NATIVE", #call);     \
      return NULL;                                   \
    }                                                \
  } while (0)

/* Throws an Error whose code is the errno name (with .syscall and .errno); returns NULL. */
napi_value td_throw_errno(napi_env env, int err, const char *syscall);

/* An optional network namespace path argument: 1 with buf set for a non-empty string, 0 for
 * none (this namespace), -1 for a path too long to hold (never silently this namespace instead). */
int td_netns_arg(napi_env env, napi_value v, char *buf, size_t cap);

#endif
