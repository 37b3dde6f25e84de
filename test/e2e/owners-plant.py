#!/usr/bin/env python3
"""Owner cases for test/e2e/owners.test.ts, built for real in a private namespace.

argv: BASE port. Ports: BASE   IPv4 0.0.0.0 + IPv6 [::] (V6ONLY) listeners in this process, with
server-side TIME_WAIT on 127.0.0.1, 127.0.0.2 and [::1];
BASE+1 a listener dup()ed in this process and inherited by a forked child;
BASE+2 a listener whose client closes first (client TIME_WAIT: no fd, no listener on its port);
BASE+3 a plain listener (the permission case: tcpdoctor runs as another uid).
Prints one JSON line with the fds, then READY, and sleeps until killed.
"""
import json, os, socket, sys, time

base = int(sys.argv[1])

def listen(family, addr, port, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port))
    s.listen(16)
    return s

def server_closes_first(lst, family, dst, src=None):
    c = socket.socket(family, socket.SOCK_STREAM)
    if src:
        c.bind((src, 0))
    c.connect(dst)
    a, _ = lst.accept()
    a.close()  # the server sends FIN first: its side ends in TIME_WAIT
    c.recv(1)
    c.close()

keep = []
b = listen(socket.AF_INET, '0.0.0.0', base + 1)
b2 = os.dup(b.fileno())
keep.append(b)
# the child holds only this listener (forked before the others exist)
child = os.fork()
if child == 0:
    while True:
        time.sleep(60)

a4 = listen(socket.AF_INET, '0.0.0.0', base)
a6 = listen(socket.AF_INET6, '::', base, v6only=True)
keep += [a4, a6]
server_closes_first(a4, socket.AF_INET, ('127.0.0.1', base))
server_closes_first(a4, socket.AF_INET, ('127.0.0.2', base), src='127.0.0.2')
server_closes_first(a6, socket.AF_INET6, ('::1', base))


c = listen(socket.AF_INET, '127.0.0.1', base + 2)
keep.append(c)
cl = socket.create_connection(('127.0.0.1', base + 2))
sv, _ = c.accept()
cl.close()  # the client sends FIN first: the client side ends in TIME_WAIT
sv.recv(1)
sv.close()

d = listen(socket.AF_INET, '0.0.0.0', base + 3)
keep.append(d)

print(json.dumps({'pid': os.getpid(), 'child': child, 'a4': a4.fileno(), 'a6': a6.fileno(), 'b': [b.fileno(), b2], 'c': c.fileno()}), flush=True)
print('READY', flush=True)
while True:
    time.sleep(60)
