/* Benchmark load: a web server that closes first. Listens on 127.0.0.1:PORT, makes COUNT
 * connections to itself from SRC and closes the server end first, so COUNT sockets sit in
 * TIME_WAIT (owned by no process; attributed to the listener). Holds the listener, prints
 * "READY n" and sleeps until killed. TIME_WAIT lasts 60 s: time within that. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: twmaker PORT SRC COUNT\n"); return 2; }
  int port = atoi(argv[1]), count = atoi(argv[3]);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 4096)) { perror("listen"); return 1; }
  struct sockaddr_in src = { .sin_family = AF_INET };
  inet_pton(AF_INET, argv[2], &src.sin_addr);
  unsigned base = ntohl(src.sin_addr.s_addr);
  int made = 0;
  for (int i = 0; i < count; i++) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    src.sin_addr.s_addr = htonl(base + (i % 64)); /* 64 sources: no ephemeral port is reused */
    if (bind(c, (struct sockaddr *)&src, sizeof src) || connect(c, (struct sockaddr *)&sa, sizeof sa)) { perror("connect"); close(c); break; }
    int s = accept(l, NULL, NULL);
    if (s < 0) { perror("accept"); close(c); break; }
    close(s); /* the server closes first: its end goes FIN_WAIT -> TIME_WAIT */
    char b;
    (void)!read(c, &b, 1); /* EOF: the FIN arrived */
    close(c);
    made++;
  }
  printf("READY %d\n", made);
  fflush(stdout);
  for (;;) pause();
}
