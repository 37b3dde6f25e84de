# Sockets for test/e2e/who-bpf-filter.test.ts, built in a private namespace: HOLDERS processes that
# each hold CONNS loopback connections (both ends: 2 sockets per connection), and a target
# listener on TARGET with 3 accepted connections whose client ends sit in one more process.
# Prints one JSON line with the pids, then READY.
import json, os, resource, socket, sys, time

target, holders, conns = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (2 * conns + 64, 2 * conns + 64))

def hold(port, n):
    ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(('127.0.0.1', port)); ls.listen(4096)
    keep = []
    for _ in range(n):
        c = socket.create_connection(('127.0.0.1', port)); a, _ = ls.accept(); keep += [c, a]
    ls.close()
    return keep

r, w = os.pipe()
pids = []
for i in range(holders):
    pid = os.fork()
    if pid == 0:
        os.close(r); keep = hold(target + 1 + i, conns); os.write(w, b'.'); time.sleep(3600); os._exit(0)
    pids.append(pid)
os.close(w)
got = 0
while got < holders:
    b = os.read(r, 64)
    if not b: sys.exit('a holder died')
    got += len(b)
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', target)); ls.listen(16)
r2, w2 = os.pipe()
client = os.fork()
if client == 0:
    ls.close()
    cs = [socket.create_connection(('127.0.0.1', target)) for _ in range(3)]
    os.write(w2, b'.'); time.sleep(3600); os._exit(0)
os.read(r2, 1)
accepted = [ls.accept()[0] for _ in range(3)]
print(json.dumps({'server': os.getpid(), 'listenFd': ls.fileno(), 'client': client, 'holders': pids}), flush=True)
print('READY', flush=True)
time.sleep(3600)
