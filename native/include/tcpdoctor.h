/*
 * tcpdoctor native core: a pure C API, byte oriented, no Node headers.
 * Every function returns >= 0 on success or -errno on failure; policy lives in TypeScript.
 */
#ifndef TCPDOCTOR_H
#define TCPDOCTOR_H

#include <stddef.h>
#include <stdint.h>

/* Opens a NETLINK_SOCK_DIAG socket (inside the network namespace at netns_path when it is not
 * NULL) and sends one SOCK_DIAG_BY_FAMILY dump request (struct inet_diag_req_v2), with an
 * INET_DIAG_REQ_BYTECODE attribute when bc_len > 0. Returns the socket fd or -errno. */
int td_diag_open(const char *netns_path, uint8_t family, uint8_t protocol, uint32_t states,
                 uint8_t ext, const void *bc, size_t bc_len);

/* Reads dump replies into buf until it holds less than 64 KiB of free space or the dump ended
 * (NLMSG_DONE or NLMSG_ERROR seen: *done = 1). Returns the number of bytes or -errno. */
long td_diag_read(int fd, uint8_t *buf, size_t cap, int *done);

/* One socket file descriptor found under <proc_root>/<pid>/fd. */
typedef struct td_fd_entry {
  uint32_t pid;
  uint32_t fd;
  uint64_t inode;
} td_fd_entry;

typedef struct td_fd_walk_result {
  td_fd_entry *entries;   /* malloc'd; caller frees */
  size_t count;
  uint32_t pids_seen;     /* numeric entries under proc_root */
  uint32_t pids_denied;   /* fd directory not readable (EACCES/EPERM) */
  uint32_t pids_vanished; /* exited between readdir and open (ENOENT/ESRCH) */
} td_fd_walk_result;

/* Walks <proc_root>/<pid>/fd for every pid and collects every fd that is a socket, using
 * nthreads threads (1..8). When inodes/n_inodes is given (sorted ascending), keeps only those. */
int td_fd_walk(const char *proc_root, int nthreads, const uint64_t *inodes, size_t n_inodes,
               td_fd_walk_result *out);

/* The same result as td_fd_walk from a BPF task_file iterator: one pass in the kernel, no stat
 * per fd. Needs root (CAP_BPF + CAP_PERFMON), BTF and Linux 5.8+; -errno otherwise. */
int td_fd_iter_bpf(td_fd_walk_result *out);
/* The same keeping only the sockets whose inode is in inodes[0..n_inodes) (any order), filtered
 * in the kernel through a BPF hash map; filtered = 0: every socket fd (td_fd_iter_bpf). */
int td_fd_iter_bpf_only(const uint64_t *inodes, size_t n_inodes, int filtered, td_fd_walk_result *out);

/* Every TCP socket of the namespace at netns_path (NULL: ours) as compact records from a BPF tcp
 * iterator (native/src/tcpiter.c has the layout): an fd to read with td_tcp_iter_read, or -errno
 * (no BPF, BTF or root: use sock_diag). */
int td_tcp_iter_open(const char *netns_path);
/* Reads records into buf until less than TD_TCP_ITER_MIN_FREE is left or the end (*done = 1).
 * A record may be cut at the end of buf: the caller keeps the tail for the next read. */
#define TD_TCP_ITER_MIN_FREE (64 * 1024)
long td_tcp_iter_read(int fd, uint8_t *buf, size_t cap, int *done);

/* getsockopt/setsockopt on a file descriptor this process owns. */
int td_getsockopt(int fd, int level, int name, void *buf, uint32_t *len);
int td_setsockopt_int(int fd, int level, int name, int value);

/* Runs fn(arg) on a new thread that has entered the network namespace at netns_path (NULL or "":
 * on this thread, in our own). The calling thread never changes namespace. 0 or -errno (open,
 * thread creation or setns failed; fn did not run). */
int td_in_netns(const char *netns_path, void (*fn)(void *), void *arg);
/* socket(af, type, proto) created inside the namespace at netns_path (NULL: this one); fd or -errno. */
int td_socket_in_netns(const char *netns_path, int af, int type, int proto);

/* One file (or directory: entry names, each followed by '\n') read by td_netns_read. */
typedef struct td_file_read {
  uint8_t *data; /* malloc'd; caller frees; NULL when err != 0 */
  size_t len;
  int err;       /* 0 or an errno (ENOENT, EACCES, EFBIG over max_bytes, ...) */
  int is_dir;
} td_file_read;

/* Reads each path from inside the network namespace at netns_path (see td_in_netns); out has n
 * slots. Returns 0 (per-file errors in out[i].err) or -errno when the namespace was not entered. */
int td_netns_read(const char *netns_path, const char *const *paths, size_t n, size_t max_bytes, td_file_read *out);

/* Writes texts[i] to paths[i] (one write each, as sysctl(8) does) from inside the namespace;
 * errs[i] gets 0 or the errno. Returns 0 or -errno when the namespace was not entered. */
int td_netns_write(const char *netns_path, const char *const *paths, const char *const *texts, size_t n, int *errs);

/* Scans one recvmsg() worth of netlink messages for the end of a dump: 1 when NLMSG_DONE or
 * NLMSG_ERROR is seen, 0 when the buffer ends first, -EPROTO when a length is impossible
 * (shorter than a header or past the end of the buffer). Never loops on a bad length. */
int td_nl_scan(const uint8_t *buf, size_t len);

/* "EACCES" for 13, and so on; "E?" when unknown. */
const char *td_errno_name(int err);

/* Counting TCP resets in the kernel (native/src/rstwatch.c): raw tracepoint BPF programs on
 * tcp:tcp_send_reset (Linux 6.10+, with the reason) and tcp:tcp_receive_reset. Root (CAP_BPF +
 * CAP_PERFMON) and BTF. Records are a TD_RST_KEY_SIZE key then a u64 count (80 bytes), host byte order:
 *   u32 netns inode, u16 family (2/10, 0 unknown), u8 direction (0 sent, 1 received), u8 TCP flags
 *   of the segment that drew a sent reset (0: none, an abort), u16 reason (enum sk_rst_reason;
 *   0 for received), u8 socket state (0 without socket), u8 1 when a socket was involved,
 *   u16 local port, u16 remote port, u8 local address[16], u8 remote address[16] (IPv4: first 4), u32 tgid and u32 0, char comm[16]
 *   of the task whose own call sent the reset (close() with unread data, SO_LINGER 0 ...; else 0). */
#define TD_RST_KEY_SIZE 72
typedef struct td_rst_watch td_rst_watch;
/* 0 and *out, or -errno with *stage naming the step that failed. */
int td_rst_watch_start(td_rst_watch **out, const char **stage);
/* The records so far (malloc'd, caller frees) and the resets not counted because the map was full. */
int td_rst_watch_read(td_rst_watch *w, uint8_t **records, size_t *count, uint64_t *drops);
/* "value NAME" lines of this kernel's enum sk_rst_reason (from BTF; "" when unknown). */
const char *td_rst_reason_names(void);
/* Detaches the programs and frees everything; w may be NULL. */
void td_rst_watch_close(td_rst_watch *w);

#endif
