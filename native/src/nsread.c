/* Work inside another network namespace without moving the calling thread: a new thread
 * setns()es into the namespace, does the work, and exits there. The caller (Node's main thread or
 * a libuv worker) never leaves its own namespace, so there is no way back to fail.
 *
 * Files read on that thread see the namespace: /proc/thread-self/net/... is the per-thread view
 * of /proc/net (/proc/self/net would be the thread group leader's, i.e. Node's main thread), and
 * /proc/sys/net/... resolves against the opener's namespace (net_ctl_header_lookup() uses
 * current->nsproxy). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tcpdoctor.h"

typedef struct {
  int nsfd;
  void (*fn)(void *);
  void *arg;
  int err;
} ns_job;

static void *ns_thread(void *p) {
  ns_job *j = p;
  if (setns(j->nsfd, CLONE_NEWNET) < 0) { j->err = errno; return NULL; }
  j->fn(j->arg);
  return NULL; /* the thread ends inside the namespace: nothing to restore */
}

int td_in_netns(const char *netns_path, void (*fn)(void *), void *arg) {
  if (!netns_path || !netns_path[0]) { fn(arg); return 0; }
  int nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return -errno;
  ns_job j = {.nsfd = nsfd, .fn = fn, .arg = arg, .err = 0};
  pthread_t th;
  int rc = pthread_create(&th, NULL, ns_thread, &j);
  if (rc != 0) { close(nsfd); return -rc; }
  pthread_join(th, NULL);
  close(nsfd);
  return j.err ? -j.err : 0;
}

typedef struct { int af, type, proto, fd, err; } socket_job;

static void socket_run(void *p) {
  socket_job *j = p;
  j->fd = socket(j->af, j->type | SOCK_CLOEXEC, j->proto);
  if (j->fd < 0) j->err = errno;
}

/* A socket belongs for life to the namespace it was created in: create it there (on a thread
 * that entered it), use it from anywhere. */
int td_socket_in_netns(const char *netns_path, int af, int type, int proto) {
  socket_job j = {.af = af, .type = type, .proto = proto, .fd = -1, .err = 0};
  int rc = td_in_netns(netns_path, socket_run, &j);
  if (rc < 0) return rc;
  return j.fd < 0 ? -j.err : j.fd;
}

typedef struct {
  const char *const *paths;
  size_t n;
  size_t max_bytes;
  td_file_read *out;
} read_job;

static int read_all(int fd, size_t max_bytes, uint8_t **data, size_t *len) {
  size_t cap = 16384, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return ENOMEM;
  for (;;) {
    if (n == cap) {
      if (cap >= max_bytes) { free(buf); return EFBIG; }
      size_t ncap = cap * 2 > max_bytes ? max_bytes : cap * 2;
      uint8_t *p = realloc(buf, ncap);
      if (!p) { free(buf); return ENOMEM; }
      buf = p; cap = ncap;
    }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0) { if (errno == EINTR) continue; int e = errno; free(buf); return e; }
    if (r == 0) break;
    n += (size_t)r;
  }
  *data = buf;
  *len = n;
  return 0;
}

static int list_dir(int fd, size_t max_bytes, uint8_t **data, size_t *len) {
  DIR *d = fdopendir(fd); /* takes fd: closed here in every case */
  if (!d) { int e = errno; close(fd); return e; }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) { closedir(d); return ENOMEM; }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    size_t l = strlen(e->d_name);
    while (n + l + 1 > cap) {
      if (cap >= max_bytes) { free(buf); closedir(d); return EFBIG; }
      uint8_t *p = realloc(buf, cap * 2);
      if (!p) { free(buf); closedir(d); return ENOMEM; }
      buf = p; cap *= 2;
    }
    memcpy(buf + n, e->d_name, l);
    n += l;
    buf[n++] = '\n';
  }
  closedir(d); /* closes fd */
  *data = buf;
  *len = n;
  return 0;
}

static void read_files(void *p) {
  read_job *j = p;
  for (size_t i = 0; i < j->n; i++) {
    td_file_read *o = &j->out[i];
    int fd = open(j->paths[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0) { o->err = errno; continue; }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      o->is_dir = 1;
      o->err = list_dir(fd, j->max_bytes, &o->data, &o->len);
      continue;
    }
    o->err = read_all(fd, j->max_bytes, &o->data, &o->len);
    close(fd);
  }
}

int td_netns_read(const char *netns_path, const char *const *paths, size_t n, size_t max_bytes, td_file_read *out) {
  memset(out, 0, n * sizeof *out);
  read_job j = {.paths = paths, .n = n, .max_bytes = max_bytes ? max_bytes : (64u << 20), .out = out};
  return td_in_netns(netns_path, read_files, &j);
}

typedef struct {
  const char *const *paths;
  const char *const *texts;
  size_t n;
  int *errs;
} write_job;

static void write_files(void *p) {
  write_job *j = p;
  for (size_t i = 0; i < j->n; i++) {
    int fd = open(j->paths[i], O_WRONLY | O_CLOEXEC);
    if (fd < 0) { j->errs[i] = errno; continue; }
    size_t len = strlen(j->texts[i]);
    ssize_t w;
    do { w = write(fd, j->texts[i], len); } while (w < 0 && errno == EINTR);
    j->errs[i] = w < 0 ? errno : (size_t)w != len ? EIO : 0;
    if (close(fd) < 0 && !j->errs[i]) j->errs[i] = errno;
  }
}

int td_netns_write(const char *netns_path, const char *const *paths, const char *const *texts, size_t n, int *errs) {
  memset(errs, 0, n * sizeof *errs);
  write_job j = {.paths = paths, .texts = texts, .n = n, .errs = errs};
  return td_in_netns(netns_path, write_files, &j);
}
