/* Runs a shell command N times; prints the median wall time in seconds and the peak RSS in KiB
 * of the slowest run's process tree (wait4 rusage of the shell and its children). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: timeit N 'command'\n"); return 2; }
  int n = atoi(argv[1]);
  double t[64];
  long rss = 0;
  int status = 0;
  for (int i = 0; i < n && i < 64; i++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t p = fork();
    if (p == 0) { execl("/bin/sh", "sh", "-c", argv[2], (char *)NULL); _exit(127); }
    struct rusage ru;
    wait4(p, &status, 0, &ru);
    clock_gettime(CLOCK_MONOTONIC, &b);
    t[i] = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    struct rusage ch;
    getrusage(RUSAGE_CHILDREN, &ch); /* max over every waited-for descendant so far */
    if (ch.ru_maxrss > rss) rss = ch.ru_maxrss;
  }
  qsort(t, n, sizeof t[0], cmp);
  printf("%.4f %ld %d\n", t[n / 2], rss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
  return 0;
}
