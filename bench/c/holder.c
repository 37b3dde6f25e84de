/* Benchmark load: holds COUNT established loopback connections (both ends, 2*COUNT fds) to its
 * own listener on 127.0.0.1:PORT, from source address SRC (IP_BIND_ADDRESS_NO_PORT lets many
 * sources share the ephemeral range). Prints "READY n" and sleeps until killed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: holder PORT SRC COUNT\n"); return 2; }
  int port = atoi(argv[1]), count = atoi(argv[3]);
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (bind(l, (void *)&a, sizeof a) || listen(l, 4096)) { perror("listen"); return 1; }
  struct sockaddr_in src = {.sin_family = AF_INET};
  inet_pton(AF_INET, argv[2], &src.sin_addr);
  int done = 0;
  while (done < count) {
    int batch = count - done < 1000 ? count - done : 1000;
    for (int i = 0; i < batch; i++) {
      int c = socket(AF_INET, SOCK_STREAM, 0);
      setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      if (bind(c, (void *)&src, sizeof src) || connect(c, (void *)&a, sizeof a)) { perror("connect"); return 1; }
    }
    for (int i = 0; i < batch; i++) if (accept(l, NULL, NULL) < 0) { perror("accept"); return 1; }
    done += batch;
  }
  printf("READY %d\n", done);
  fflush(stdout);
  for (;;) pause();
}
