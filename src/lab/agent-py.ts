/**
 * @module
 * The helper programs that hold sockets inside a lab namespace, as python3 stdlib source. They
 * ship inside the compiled module (no extra files in the package) and are written to a private
 * temp directory when a lab starts. Python, not Node: a Node server cannot listen without
 * accepting (listen-overflow), nor set SO_RCVBUF before the handshake (zero window).
 *
 * The agent speaks JSON lines: one command per stdin line (`{"id", "op", ...}`), one reply per
 * stdout line (`{"id", "ok", ...}`). It exits when stdin closes, so it never outlives its lab.
 */

/** The socket agent: listen, connect, fill, shutdown, close, stream, churn, resets. */
export const AGENT_PY = String.raw`
import errno, json, os, select, socket, struct, sys, threading, time
threading.stack_size(262144)
groups, lock, out_lock = {}, threading.Lock(), threading.Lock()

def say(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

def add(name, s):
    with lock:
        groups.setdefault(name, []).append(s)

def take(name, clear=False):
    with lock:
        g = list(groups.get(name, []))
        if clear:
            groups[name] = []
        return g

def ename(e):
    return errno.errorcode.get(e or 0, str(e))

def bump(d, k):
    d[k] = d.get(k, 0) + 1

def reader(c, mode):
    try:
        while c.recv(65536):
            pass
    except OSError:
        pass
    if mode in ("close-on-eof", "drain"):
        c.close()

def accept_loop(ls, into, mode):
    while True:
        try:
            c, _ = ls.accept()
        except OSError:
            return
        if mode == "close":
            c.close()
            continue
        if mode != "close-on-eof":
            add(into, c)
        if mode in ("drain", "close-on-eof"):
            threading.Thread(target=reader, args=(c, mode), daemon=True).start()

def op_listen(m):
    host = m.get("host", "0.0.0.0")
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if m.get("rcvbuf"):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, m["rcvbuf"])
    s.bind((host, m["port"]))
    s.listen(m.get("backlog", 128))
    add(m.get("group", "listen"), s)
    if m.get("accept", True):
        threading.Thread(target=accept_loop, args=(s, m.get("into", "accepted"), m.get("mode", "hold")), daemon=True).start()
    return {"port": s.getsockname()[1]}

def op_connect(m):
    targets = m.get("targets") or [[m["host"], m["port"]]] * m.get("count", 1)
    binds = m.get("bind") or [None]
    made, errs = [], {}
    for i, (h, p) in enumerate(targets):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            if m.get("sndbuf"):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, m["sndbuf"])
            if m.get("rcvbuf"):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, m["rcvbuf"])
            b, lp = binds[i % len(binds)], m.get("localPort", 0)
            if b or lp:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((b or "0.0.0.0", lp))
            e = s.connect_ex((h, p))
        except OSError as x:
            e = x.errno
        if e not in (0, errno.EINPROGRESS):
            bump(errs, ename(e))
            s.close()
            continue
        made.append(s)
        add(m.get("group", "conn"), s)
    res = {"started": len(made), "errors": errs}
    if m.get("wait") == "established":
        p, fds = select.poll(), {}
        for s in made:
            p.register(s, select.POLLOUT)
            fds[s.fileno()] = s
        ok, deadline = 0, time.monotonic() + m.get("timeout", 10)
        while fds and time.monotonic() < deadline:
            for fd, _ in p.poll(100):
                s = fds.pop(fd)
                p.unregister(fd)
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    bump(errs, ename(e))
                else:
                    ok += 1
        res.update(connected=ok, pending=len(fds))
    return res

def op_fill(m):
    chunk, total, quiet = b"x" * 65536, 0, 0
    socks = take(m["group"])
    deadline = time.monotonic() + m.get("timeout", 10)
    while quiet < 4 and time.monotonic() < deadline:
        moved = False
        for s in socks:
            try:
                while True:
                    total += s.send(chunk)
                    moved = True
            except OSError:
                pass
        quiet = 0 if moved else quiet + 1
        time.sleep(0.1)
    return {"bytes": total}

def op_send(m):
    n = 0
    for s in take(m["group"]):
        try:
            n += s.send(b"z" * m.get("bytes", 1))
        except OSError:
            pass
    return {"bytes": n}

def op_shutdown(m):
    for s in take(m["group"]):
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    return {}

def op_close(m):
    socks = take(m["group"], clear=True)
    for s in socks:
        if m.get("linger0"):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    return {"closed": len(socks)}

def op_stream(m):
    socks, tick = take(m["group"]), m.get("rate", 1000000) / 20.0
    def run():
        chunk = b"y" * 8192
        while True:
            for s in socks:
                sent = 0
                try:
                    while sent < tick:
                        sent += s.send(chunk)
                except OSError:
                    pass
            time.sleep(0.05)
    threading.Thread(target=run, daemon=True).start()
    return {"streams": len(socks)}

def op_churn(m):
    # Short connections to one ip:port, closed by us first (TIME_WAIT here). Replies when the
    # port range is exhausted or replyAfter connections were made; then goes on, slowly.
    stats, first = {"opened": 0, "errors": {}}, threading.Event()
    def run():
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(2)
            try:
                s.connect((m["host"], m["port"]))
                stats["opened"] += 1
                if stats["opened"] >= m.get("replyAfter", 1 << 30):
                    first.set()
            except OSError as x:
                bump(stats["errors"], ename(x.errno))
                if x.errno == errno.EADDRNOTAVAIL:
                    stats["exhausted"] = True
                    first.set()
                    time.sleep(m.get("backoff", 0.2))
            s.close()
            if first.is_set():
                time.sleep(m.get("interval", 0.05))
    threading.Thread(target=run, daemon=True).start()
    first.wait(m.get("timeout", 30))
    return dict(stats, exhausted=stats.get("exhausted", False))

def op_resets(m):
    done = threading.Event()
    def run():
        while True:
            for port, abort in ((m["closedPort"], False), (m["openPort"], True)):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.settimeout(1)
                try:
                    s.connect((m["host"], port))
                    if abort:
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
                s.close()
            done.set()
            time.sleep(m.get("interval", 0.02))
    threading.Thread(target=run, daemon=True).start()
    done.wait(5)
    return {}

OPS = {"listen": op_listen, "connect": op_connect, "fill": op_fill, "send": op_send, "shutdown": op_shutdown,
       "close": op_close, "stream": op_stream, "churn": op_churn, "resets": op_resets, "ping": lambda m: {},
       "count": lambda m: {"n": len(take(m["group"]))}}

if len(sys.argv) > 1:
    try:
        with open("/proc/self/comm", "w") as f:
            f.write(sys.argv[1][:15])
    except OSError:
        pass
say({"ready": True, "pid": os.getpid()})
for line in sys.stdin:
    m = json.loads(line)
    if m.get("op") == "exit":
        break
    try:
        say(dict(OPS[m["op"]](m), id=m["id"], ok=True))
    except Exception as x:
        say({"id": m.get("id"), "ok": False, "error": "%s: %s" % (type(x).__name__, x)})
os._exit(0)
`

/**
 * A userspace stand-in for netem (missing on some kernels): two TUN devices joined by a relay
 * that delays, jitters and drops packets. Adapted from shared/tools/netns-topology.sh. Both
 * devices are created in the namespace the relay runs in; the lab then moves one away. It exits
 * when stdin closes, like the agent.
 */
export const RELAY_PY = String.raw`
import fcntl, heapq, os, random, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
a_name, b_name, delay, jitter, loss = sys.argv[1], sys.argv[2], *map(float, sys.argv[3:6])
def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
a, b = tun(a_name), tun(b_name)
peer = {a: b, b: a}
q, seq = [], 0
print("ready", flush=True)
while True:
    timeout = max(0.0, q[0][0] - time.monotonic()) if q else None
    r, _, _ = select.select([a, b, 0], [], [], timeout)
    if 0 in r and not os.read(0, 4096):
        os._exit(0)
    for fd in r:
        if fd == 0:
            continue
        pkt = os.read(fd, 65535)
        if random.random() * 100 < loss:
            continue
        d = (delay + random.uniform(-jitter, jitter)) / 1000.0
        seq += 1
        heapq.heappush(q, (time.monotonic() + max(0.0, d), seq, peer[fd], pkt))
    now = time.monotonic()
    while q and q[0][0] <= now:
        _, _, out, pkt = heapq.heappop(q)
        try:
            os.write(out, pkt)
        except OSError:
            pass
`
