#!/usr/bin/env python3
"""Client-side CLOSE_WAIT leak for test/e2e/findings.test.ts.

A "redis" on 10.0.0.5:6379 accepts and closes every connection; a client program (comm
tdfind-app) in TWO processes (a parent and a forked worker) opens N connections each and never
closes them after reading EOF: their sockets sit in CLOSE_WAIT with random local ports.
argv: N per process. Prints READY when all are in place.
"""
import ctypes, os, socket, sys, time

n = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('10.0.0.5', 6379))
srv.listen(512)

def name(comm):
    ctypes.CDLL(None).prctl(15, comm.encode(), 0, 0, 0)  # PR_SET_NAME

def client():
    keep = []
    for _ in range(n):
        c = socket.create_connection(('10.0.0.5', 6379))
        keep.append(c)
    return keep

if os.fork() == 0:
    name('tdfind-redis')
    while True:
        a, _ = srv.accept()
        a.close()
srv.close()
name('tdfind-app')
worker = os.fork()
keep = client()
for c in keep:
    c.recv(1)  # EOF from the server; the leak: no close()
if worker != 0:
    time.sleep(0.5)
    print('READY', flush=True)
while True:
    time.sleep(60)
