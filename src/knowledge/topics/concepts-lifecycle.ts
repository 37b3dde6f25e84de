/**
 * @module
 * How a connection opens and closes: handshake, teardown, half-close, simultaneous open and
 * close, 2MSL. RFC 9293 sections 3.5 and 3.6.
 */
import { topic } from '../types.js'

export const conceptsLifecycle = [
  topic({
    id: 'handshake',
    kind: 'concept',
    aliases: ['three-way handshake', '3-way handshake', 'connection establishment', 'open'],
    seeAlso: ['syn', 'syn-ack', 'syn-sent', 'syn-recv', 'simultaneous-open', 'teardown'],
    refs: ['RFC 9293 3.5'],
    en: {
      title: 'Three-way handshake',
      summary: 'SYN (seq=j) -> SYN+ACK (seq=k, ack=j+1) -> ACK (ack=k+1). Three segments open a connection and synchronize both sequence numbers.',
      body: [
        '1. The client calls connect(): the kernel picks a source port, sends SYN with its ISN j and enters SYN_SENT.\n2. The listening server answers SYN+ACK: its own ISN k and ack=j+1. On Linux it keeps a request socket (NEW_SYN_RECV), not a full socket.\n3. The client sends ACK (ack=k+1) and is ESTABLISHED; when the server receives it, the kernel creates the full socket, ESTABLISHED, and queues it for accept().',
        'Three segments are the minimum so that each side knows the other received its ISN. The server application sees nothing until accept() returns a finished connection, so a slow accept() loop shows up as a full accept queue (listen-overflow), not as slow handshakes.',
        'Failures: RST answer -> ECONNREFUSED; no answer -> retries, then ETIMEDOUT; ICMP unreachable -> EHOSTUNREACH.',
        '$ tcpdoctor capture \'tcp port 80\' --states',
      ].join('\n\n'),
    },
    zh: {
      title: '三次握手',
      summary: 'SYN(seq=j) -> SYN+ACK(seq=k, ack=j+1) -> ACK（ack=k+1）。三个报文建立连接，并同步双方的序列号。',
      body: [
        '1. 客户端调用 connect()：内核选择源端口，发送带 ISN j 的 SYN，进入 SYN_SENT。\n2. 监听的服务器回复 SYN+ACK：自己的 ISN k 和 ack=j+1。Linux 此时只保存一个请求套接字（NEW_SYN_RECV），而不是完整套接字。\n3. 客户端发送 ACK(ack=k+1)，进入 ESTABLISHED；服务器收到后内核创建完整的 ESTABLISHED 套接字，放入 accept 队列。',
        '至少需要三个报文，双方才能都知道对方收到了自己的 ISN。服务器应用程序在 accept() 返回已建立的连接之前什么也看不到，所以 accept() 循环太慢表现为全连接队列满（listen-overflow），而不是握手变慢。',
        '失败情况：收到 RST -> ECONNREFUSED；没有回应 -> 重试后 ETIMEDOUT;ICMP 不可达 -> EHOSTUNREACH。',
        '$ tcpdoctor capture \'tcp port 80\' --states',
      ].join('\n\n'),
      aliases: ['三次握手', '建立连接'],
    },
  }),
  topic({
    id: 'teardown',
    kind: 'concept',
    aliases: ['four-way handshake', '4-way handshake', 'four-way close', 'connection termination'],
    seeAlso: ['fin', 'half-close', 'fin-wait-1', 'fin-wait-2', 'close-wait', 'last-ack', 'time-wait', 'simultaneous-close'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'Connection teardown (four-way close)',
      summary: 'Each direction is closed separately: FIN, ACK from one side, FIN, ACK from the other. Four segments, because the second FIN waits for the other application to close.',
      body: [
        'Active closer A, passive closer B:\n1. A closes: FIN -> A is FIN_WAIT_1.\n2. B acknowledges: ACK -> B is CLOSE_WAIT, A is FIN_WAIT_2. B\'s application reads end of file.\n3. B\'s application closes: FIN -> B is LAST_ACK.\n4. A acknowledges: ACK -> A is TIME_WAIT (60 s on Linux), B is CLOSED.',
        'Why four and not three like the handshake: a SYN and its ACK can share a segment because the server answers at once, but the FIN of B depends on B\'s application having finished sending (half-close). When B closes immediately, ACK and FIN do share a segment and the close takes three segments.',
        'The active closer, whichever side that is, pays TIME_WAIT. A RST instead of FIN skips all of this.',
      ].join('\n\n'),
    },
    zh: {
      title: '连接终止（四次挥手）',
      summary: '两个方向分别关闭：一方 FIN、对方 ACK，另一方 FIN、对方 ACK。需要四个报文，因为第二个 FIN 要等另一端的应用程序关闭。',
      body: [
        '主动关闭方 A，被动关闭方 B:\n1. A 关闭：FIN -> A 进入 FIN_WAIT_1。\n2. B 确认：ACK -> B 进入 CLOSE_WAIT,A 进入 FIN_WAIT_2。B 的应用程序读到文件结束。\n3. B 的应用程序关闭：FIN -> B 进入 LAST_ACK。\n4. A 确认：ACK -> A 进入 TIME_WAIT（Linux 上 60 秒），B 进入 CLOSED。',
        '为什么是四次而握手是三次：服务器会立即回应，所以 SYN 和它的 ACK 可以合并在一个报文里；而 B 的 FIN 取决于 B 的应用程序是否已发送完毕（半关闭）。如果 B 立即关闭，ACK 和 FIN 也会合并，挥手只需三个报文。',
        '无论哪一端，主动关闭的一方承担 TIME_WAIT。用 RST 代替 FIN 则跳过以上所有步骤。',
      ].join('\n\n'),
      aliases: ['四次挥手', '四次握手', '连接终止', '断开连接'],
    },
  }),
  topic({
    id: 'half-close',
    kind: 'concept',
    aliases: ['half close', 'half-closed', 'shutdown', 'SHUT_WR'],
    seeAlso: ['teardown', 'fin-wait-2', 'close-wait', 'half-open'],
    refs: ['RFC 9293 3.6', 'shutdown(2)'],
    en: {
      title: 'Half-close',
      summary: 'One direction is closed (a FIN was sent), the other still carries data. shutdown(SHUT_WR) does it on purpose; it is why teardown needs four segments.',
      body: [
        'After sending FIN a side can still receive: it is in FIN_WAIT_2 while the peer, in CLOSE_WAIT, keeps sending until it closes too. Protocols use it to say "request complete, send me the answer" (for example rsh, some HTTP clients).',
        'Do not confuse it with half-open, where one side does not know the other is gone.',
      ].join('\n\n'),
    },
    zh: {
      title: '半关闭',
      summary: '一个方向已关闭（已发送 FIN），另一个方向仍在传数据。shutdown(SHUT_WR) 有意这样做；这也是挥手需要四个报文的原因。',
      body: [
        '发送 FIN 后本端仍可接收：它处于 FIN_WAIT_2，而处于 CLOSE_WAIT 的对端可以继续发送，直到它也关闭。有些协议用它表示“请求已完整，请发回应答”（例如 rsh、部分 HTTP 客户端）。',
        '不要与半打开混淆：半打开是指一方不知道另一方已经消失。',
      ].join('\n\n'),
      aliases: ['半关闭'],
    },
  }),
  topic({
    id: 'simultaneous-open',
    kind: 'concept',
    aliases: ['simultaneous open', 'simultaneous-connect', 'TCP simultaneous open', 'self-connect'],
    seeAlso: ['handshake', 'syn-sent', 'syn-recv', 'simultaneous-close'],
    refs: ['RFC 9293 3.5 figure 8'],
    en: {
      title: 'Simultaneous open',
      summary: 'Both ends send SYN to each other at the same time; each goes SYN_SENT -> SYN_RECV -> ESTABLISHED and one connection results, with four segments instead of three.',
      body: [
        'A binds port 7777 and connects to B:8888 while B binds 8888 and connects to A:7777. Each receives a SYN in SYN_SENT, answers SYN+ACK and moves to SYN_RECV; each SYN+ACK then completes the other side.',
        'The article says most stacks do not support it; Linux and the BSDs do, and NAT traversal (TCP hole punching) relies on it. A client can even connect to itself this way when its ephemeral port equals the destination port on the same host (a self-connect).',
        '$ tcpdoctor lab simultaneous-open',
      ].join('\n\n'),
    },
    zh: {
      title: '同时打开',
      summary: '两端同时向对方发送 SYN；双方都经历 SYN_SENT -> SYN_RECV -> ESTABLISHED，最终只建立一条连接，用四个报文而不是三个。',
      body: [
        'A 绑定 7777 端口并连接 B:8888，同时 B 绑定 8888 并连接 A:7777。双方在 SYN_SENT 状态收到 SYN，回复 SYN+ACK 并进入 SYN_RECV；各自的 SYN+ACK 再让对方完成建立。',
        '原文说多数实现不支持同时打开；Linux 和 BSD 都支持，NAT 穿越（TCP 打洞）正依赖于它。当客户端的临时端口恰好等于同一主机上的目的端口时，甚至会这样连接到自己（自连接）。',
        '$ tcpdoctor lab simultaneous-open',
      ].join('\n\n'),
      aliases: ['同时打开'],
    },
    outdated: {
      en: { article: 'Most TCP/IP implementations do not support simultaneous open.', now: 'Linux, the BSDs and Windows implement it as RFC 9293 describes; NAT hole punching depends on it.' },
      zh: { article: '多数 TCP/IP 实现并不支持同时打开。', now: 'Linux、BSD 和 Windows 都按 RFC 9293 实现了它；NAT 打洞依赖于它。' },
    },
  }),
  topic({
    id: 'simultaneous-close',
    kind: 'concept',
    aliases: ['simultaneous close'],
    seeAlso: ['closing', 'teardown', 'time-wait', 'simultaneous-open'],
    refs: ['RFC 9293 3.6 figure 13'],
    en: {
      title: 'Simultaneous close',
      summary: 'Both ends send FIN before receiving the other: each goes FIN_WAIT_1 -> CLOSING -> TIME_WAIT. Still four segments, and both sides end in TIME_WAIT.',
      body: ['Each FIN crosses the other in the network. On receiving the peer FIN in FIN_WAIT_1 a side acknowledges it and enters CLOSING; the ACK of its own FIN then moves it to TIME_WAIT.', '$ tcpdoctor lab simultaneous-close'].join('\n\n'),
    },
    zh: {
      title: '同时关闭',
      summary: '两端在收到对方 FIN 之前都发出了 FIN：双方都经历 FIN_WAIT_1 -> CLOSING -> TIME_WAIT。仍是四个报文，两端都以 TIME_WAIT 结束。',
      body: ['两个 FIN 在网络中交错而过。在 FIN_WAIT_1 收到对端 FIN 时，本端确认它并进入 CLOSING；之后收到对自己 FIN 的 ACK，进入 TIME_WAIT。', '$ tcpdoctor lab simultaneous-close'].join('\n\n'),
      aliases: ['同时关闭'],
    },
  }),
  topic({
    id: '2msl',
    kind: 'concept',
    aliases: ['2 MSL', 'MSL', 'maximum segment lifetime', 'TCP_TIMEWAIT_LEN', 'quiet time'],
    seeAlso: ['time-wait', 'tcp_fin_timeout', 'tcp_tw_reuse'],
    refs: ['RFC 9293 3.4.2', 'include/net/tcp.h'],
    en: {
      title: '2MSL and Linux\'s fixed 60 s TIME_WAIT',
      summary: 'RFC 9293 keeps TIME_WAIT for twice the Maximum Segment Lifetime (MSL = 2 minutes, so 4 minutes). Linux uses a fixed 60 s (TCP_TIMEWAIT_LEN) that no sysctl changes.',
      body: [
        'MSL is the longest time a segment is assumed to survive in the network. Waiting 2MSL lets one lost final ACK be retransmitted (one MSL for the FIN to come back, one for our ACK) and old duplicates of the 4-tuple expire.',
        'Linux hard-codes 60 s (include/net/tcp.h: #define TCP_TIMEWAIT_LEN (60*HZ)). tcp_fin_timeout, often said to change it, bounds orphaned FIN_WAIT_2 instead. Randomized ISNs and timestamps (PAWS) make early reuse safe enough that tcp_tw_reuse can take over a TIME_WAIT 4-tuple for a new outgoing connection.',
        'The article\'s "quiet time" is from RFC 793: after a crash a host should not send for one MSL. It is unrelated to restarting a server on its port: that is SO_REUSEADDR (see eaddrinuse).',
      ].join('\n\n'),
    },
    zh: {
      title: '2MSL 与 Linux 固定 60 秒的 TIME_WAIT',
      summary: 'RFC 9293 让 TIME_WAIT 持续两倍最大报文生存时间（MSL = 2 分钟，即 4 分钟）。Linux 使用固定的 60 秒（TCP_TIMEWAIT_LEN），任何 sysctl 都改不了。',
      body: [
        'MSL 是假定报文在网络中能存活的最长时间。等待 2MSL 可以让丢失的最后一个 ACK 得以重传（一个 MSL 让 FIN 重发回来，一个 MSL 让我们的 ACK 到达），并让该四元组的旧重复报文消亡。',
        'Linux 写死为 60 秒(include/net/tcp.h:#define TCP_TIMEWAIT_LEN (60*HZ))。常被说成能修改它的 tcp_fin_timeout，实际限制的是孤儿 FIN_WAIT_2。随机化的 ISN 和时间戳（PAWS）使提前复用足够安全，因此 tcp_tw_reuse 可以让新的外发连接接管处于 TIME_WAIT 的四元组。',
        '原文的“平静时间”来自 RFC 793：主机崩溃后应在一个 MSL 内不发送报文。它与服务器在原端口重启无关：那是 SO_REUSEADDR 的问题（见 eaddrinuse）。',
      ].join('\n\n'),
      aliases: ['最大报文生存时间', '2倍MSL', '平静时间'],
    },
    outdated: {
      en: { article: 'TIME_WAIT is the 2MSL state; during 2MSL a server such as httpd cannot restart on its port, so it must wait out a quiet time.', now: 'Linux waits a fixed 60 s, not 2MSL. A server restarting on its port only needs SO_REUSEADDR (every common server sets it); TIME_WAIT never blocks a listening socket that uses it.' },
      zh: { article: 'TIME_WAIT 就是 2MSL 状态；在 2MSL 内 httpd 之类的服务器无法在原端口重启，只能等待平静时间。', now: 'Linux 固定等待 60 秒，而不是 2MSL。服务器在原端口重启只需设置 SO_REUSEADDR（常见服务器都设置了）；对设置了它的监听套接字，TIME_WAIT 不会造成阻碍。' },
    },
  }),
]
