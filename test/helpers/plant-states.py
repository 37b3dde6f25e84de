#!/usr/bin/env python3
"""Plants TCP sockets in every holdable state inside the current network namespace (run it with
`ip netns exec NS python3 plant-states.py BASEPORT`). Uses nftables to hold transient states.
Prints "READY" when every state is in place, then holds until killed.

  LISTEN        listeners on BASE+0..7
  ESTABLISHED   BASE+1: connected pair, both ends open
  FIN_WAIT2 /   BASE+2: client shutdown(SHUT_WR) -> client FIN_WAIT2 (fd kept, no timeout),
  CLOSE_WAIT            server got the FIN and never closes -> CLOSE_WAIT
  TIME_WAIT     BASE+3: client closes first, server closes -> client TIME_WAIT (60 s)
  LAST_ACK      BASE+4: client's pure ACKs to the server are dropped; client half-closes, server
                        closes -> server LAST_ACK (retransmitting its FIN), client TIME_WAIT
  SYN_SENT      BASE+5: SYNs to the port are dropped on input
  SYN_RECV      BASE+6: the client's final handshake ACK is dropped -> server request socket
Both 127.0.0.1 and ::1.
"""
import socket, subprocess, sys, time

base = int(sys.argv[1]) if len(sys.argv) > 1 else 9100
fams = [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
keep = []


def nft(rule):
    subprocess.run(["nft", rule], check=True)


nft("add table inet plant")
nft("add chain inet plant out { type filter hook output priority 0; policy accept; }")
nft("add chain inet plant inp { type filter hook input priority 0; policy accept; }")
# SYN_SENT: drop SYNs to BASE+5
nft(f"add rule inet plant inp tcp dport {base+5} tcp flags & (syn | ack) == syn drop")
# SYN_RECV: drop the client's final ACK of the handshake to BASE+6
nft(f"add rule inet plant out tcp dport {base+6} tcp flags & (syn | ack | fin | rst) == ack drop")

listeners = {}
for fam, addr in fams:
    for i in range(8):
        if i == 5:
            continue  # nothing listens on the blackholed port: SYN_SENT regardless
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, base + i))
        s.listen(16)
        listeners[(fam, i)] = s
        keep.append(s)


def pair(fam, addr, i):
    c = socket.socket(fam, socket.SOCK_STREAM)
    c.connect((addr, base + i))
    s, _ = listeners[(fam, i)].accept()
    keep.extend([c, s])
    return c, s


for fam, addr in fams:
    pair(fam, addr, 1)  # ESTABLISHED x2
    c, s = pair(fam, addr, 2)
    c.shutdown(socket.SHUT_WR)  # FIN_WAIT2 (client) / CLOSE_WAIT (server)
    c, s = pair(fam, addr, 3)
    c.close()
    time.sleep(0.05)
    s.close()  # client -> TIME_WAIT
    c, s = pair(fam, addr, 4)
    cport = c.getsockname()[1]
    nft(f"add rule inet plant out tcp sport {cport} tcp dport {base+4} tcp flags & (syn | ack | fin | rst) == ack drop")
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.05)
    s.close()  # server -> LAST_ACK; client -> TIME_WAIT
    c5 = socket.socket(fam, socket.SOCK_STREAM)
    c5.setblocking(False)
    c5.connect_ex((addr, base + 5))  # SYN_SENT
    keep.append(c5)
    c6 = socket.socket(fam, socket.SOCK_STREAM)
    c6.setblocking(False)
    c6.connect_ex((addr, base + 6))  # client ESTABLISHED, server SYN_RECV
    keep.append(c6)

time.sleep(0.2)
print("READY", flush=True)
while True:
    time.sleep(3600)
