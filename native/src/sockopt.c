/* getsockopt/setsockopt on a socket fd of this process (a Node socket's _handle.fd):
 * Node has no API for TCP_INFO or TCP_USER_TIMEOUT in any version (ECOSYSTEM 1.1). */
#include <errno.h>
#include <sys/socket.h>
#include "tcpdoctor.h"

int td_getsockopt(int fd, int level, int name, void *buf, uint32_t *len) {
  socklen_t l = *len;
  if (getsockopt(fd, level, name, buf, &l) < 0) return -errno;
  *len = l;
  return 0;
}

int td_setsockopt_int(int fd, int level, int name, int value) {
  if (setsockopt(fd, level, name, &value, sizeof value) < 0) return -errno;
  return 0;
}
