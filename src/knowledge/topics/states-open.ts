/**
 * @module
 * The states of opening and holding a connection: CLOSED, LISTEN, SYN_SENT, SYN_RECV,
 * NEW_SYN_RECV, ESTABLISHED and bound-inactive. RFC 9293 section 3.3.2; include/net/tcp_states.h.
 */
import { topic } from '../types.js'

export const statesOpen = [
  topic({
    id: 'closed',
    kind: 'state',
    aliases: ['CLOSED', 'CLOSE', 'UNCONN', 'TCP_CLOSE'],
    seeAlso: ['listen', 'syn-sent', 'time-wait', 'bound-inactive', 'transitions'],
    refs: ['RFC 9293 3.3.2', 'include/net/tcp_states.h'],
    en: {
      title: 'CLOSED (kernel CLOSE, ss UNCONN)',
      summary: 'No connection. A socket that exists but is neither listening nor connected; the start and the end of every path in the state diagram.',
      body: [
        'RFC 9293 calls CLOSED "fictional": it is the absence of a connection. On Linux a TCP socket just created with socket(), or one whose connection has ended but whose file descriptor is still open, is in TCP_CLOSE (number 7); ss shows it as UNCONN, and only with -a.',
        'A connection reaches CLOSED from TIME_WAIT after 60 s, from LAST_ACK when the last ACK arrives, from any state on a RST, or when the kernel gives up retransmitting (ETIMEDOUT).',
        'A socket that is bound to a port but not listening and not connected is shown by ss -B as bound-inactive (Linux 6.x); see that topic.',
      ].join('\n\n'),
    },
    zh: {
      title: 'CLOSED（内核 CLOSE, ss 显示 UNCONN）',
      summary: '没有连接。套接字存在但既不监听也未连接；状态图中每条路径的起点和终点。',
      body: [
        'RFC 9293 称 CLOSED 是“虚构”的状态：它表示连接不存在。在 Linux 上，刚用 socket() 创建的 TCP 套接字，或连接已结束但文件描述符仍打开的套接字，处于 TCP_CLOSE（编号 7）；ss 显示为 UNCONN，且只有加 -a 才显示。',
        '连接从 TIME_WAIT 等待 60 秒后进入 CLOSED；从 LAST_ACK 收到最后的 ACK 后进入；任何状态收到 RST，或内核放弃重传（ETIMEDOUT）时也会进入。',
        '已绑定端口但既不监听也未连接的套接字，ss -B 显示为 bound-inactive(Linux 6.x)，见该主题。',
      ].join('\n\n'),
      aliases: ['关闭', '已关闭', '关闭状态'],
    },
  }),
  topic({
    id: 'listen',
    kind: 'state',
    aliases: ['LISTEN', 'LISTENING', 'TCP_LISTEN'],
    seeAlso: ['listen-overflow', 'syn-recv', 'somaxconn', 'unexpected-listener', 'handshake'],
    refs: ['RFC 9293 3.3.2', 'listen(2)'],
    en: {
      title: 'LISTEN',
      summary: 'A server socket waiting for connection requests on a port (after listen()). Check which process listens on which port and close what is not needed.',
      body: [
        'A listening socket does not carry data. The kernel completes handshakes on its behalf and puts finished connections into the accept queue; the application takes them with accept(). The queue length is min(backlog argument of listen(), net.core.somaxconn).',
        'For a LISTEN socket ss shows the current accept queue in Recv-Q and its limit in Send-Q. Recv-Q close to Send-Q means the application does not accept fast enough (see listen-overflow); netstat shows different numbers there.',
        'Security: every listener is an open door. tcpdoctor who :PORT shows the owning process; an unknown listener (a trojan, a forgotten debug server) is reported as UNEXPECTED_LISTENER.',
        '$ tcpdoctor sockets state listening --process',
      ].join('\n\n'),
    },
    zh: {
      title: 'LISTEN（监听）',
      summary: '服务器套接字在某个端口上等待连接请求(调用 listen() 之后)。检查哪个进程监听哪个端口，关闭不需要的端口。',
      body: [
        '监听套接字本身不传输数据。内核代它完成三次握手，把建立好的连接放入全连接队列（accept 队列），应用程序用 accept() 取走。队列长度为 min(listen() 的 backlog 参数， net.core.somaxconn)。',
        '对 LISTEN 套接字，ss 的 Recv-Q 是当前 accept 队列长度，Send-Q 是其上限。Recv-Q 接近 Send-Q 说明应用程序 accept 得不够快（见 listen-overflow）；netstat 在这两列显示的含义不同。',
        '安全：每个监听端口都是一扇敞开的门。tcpdoctor who :端口 显示所属进程；未知的监听者（木马、遗忘的调试服务）会被报告为 UNEXPECTED_LISTENER。',
        '$ tcpdoctor sockets state listening --process',
      ].join('\n\n'),
      aliases: ['监听', '侦听', '监听状态'],
    },
  }),
  topic({
    id: 'syn-sent',
    kind: 'state',
    aliases: ['SYN_SENT', 'SYN-SENT', 'TCP_SYN_SENT'],
    seeAlso: ['handshake', 'tcp_syn_retries', 'tcp_syn_linear_timeouts', 'etimedout', 'econnrefused', 'ehostunreach', 'outbound-scan'],
    refs: ['RFC 9293 3.5', 'ip-sysctl.rst tcp_syn_retries'],
    en: {
      title: 'SYN_SENT',
      summary: 'The client sent a SYN (connect()) and waits for SYN+ACK. Normally too short to see; many of them mean unreachable targets or an outbound scan from this host.',
      body: [
        'connect() sends a SYN and the socket enters SYN_SENT. A SYN+ACK moves it to ESTABLISHED; a RST ends it with ECONNREFUSED; an ICMP unreachable ends it with EHOSTUNREACH or ENETUNREACH; silence makes the kernel retransmit the SYN tcp_syn_retries times (default 6, about 2 minutes in total) and then fail with ETIMEDOUT.',
        'Many SYN_SENT sockets at once usually mean one of:',
        '- the destination is down or a firewall drops the SYN silently (all to the same address and port);\n- the network path is broken (routing, NAT, a full conntrack table);\n- a program on this host scans many addresses or ports: a scanner you run, or a worm (many different destinations).',
        'tcpdoctor reports the first as SYN_SENT_UNREACHABLE and the last as OUTBOUND_SCAN_SUSPECTED. Applications should use their own connect timeout rather than wait for the kernel.',
      ].join('\n\n'),
    },
    zh: {
      title: 'SYN_SENT（同步已发送）',
      summary: '客户端已发出 SYN(connect())，正在等待 SYN+ACK。正常情况下短到看不见；大量出现说明目标不可达，或本机在向外扫描。',
      body: [
        'connect() 发出 SYN 后套接字进入 SYN_SENT。收到 SYN+ACK 则进入 ESTABLISHED；收到 RST 则以 ECONNREFUSED 失败；收到 ICMP 不可达则以 EHOSTUNREACH 或 ENETUNREACH 失败；没有任何回应时，内核重传 SYN tcp_syn_retries 次（默认 6 次，总计约 2 分钟）后以 ETIMEDOUT 失败。',
        '同时出现大量 SYN_SENT 通常是以下情况之一：',
        '- 目标主机宕机，或防火墙静默丢弃 SYN（目标地址和端口都相同）；\n- 网络路径故障（路由、NAT、conntrack 表满）；\n- 本机有程序在扫描大量地址或端口：你自己运行的扫描器，或者病毒蠕虫（目标各不相同）。',
        'tcpdoctor 把第一种报告为 SYN_SENT_UNREACHABLE，最后一种报告为 OUTBOUND_SCAN_SUSPECTED。应用程序应设置自己的连接超时，而不是等待内核。',
      ].join('\n\n'),
      aliases: ['同步已发送', '同步发送'],
    },
  }),
  topic({
    id: 'syn-recv',
    kind: 'state',
    aliases: ['SYN_RECV', 'SYN-RECV', 'SYN_RCVD', 'SYN-RCVD', 'SYN_RECEIVED', 'SYN-RECEIVED', 'TCP_SYN_RECV'],
    seeAlso: ['new-syn-recv', 'syn-flood', 'listen-overflow', 'tcp_synack_retries', 'tcp_syncookies', 'handshake'],
    refs: ['RFC 9293 3.5', 'ip-sysctl.rst tcp_synack_retries'],
    en: {
      title: 'SYN_RECV (SYN_RCVD, SYN-RECEIVED)',
      summary: 'The server received a SYN, answered SYN+ACK and waits for the final ACK. Many of them can be a SYN flood, but more often a lossy client path; check the counters before you call it an attack.',
      body: [
        'On Linux a passive open does not create a full socket in SYN_RECV: the listener keeps a small request socket (NEW_SYN_RECV, shown by ss as SYN-RECV). A full socket in SYN_RECV appears after a simultaneous open and briefly during Fast Open.',
        'The SYN+ACK is retransmitted tcp_synack_retries times (default 5: the request is dropped after about 63 s) when the ACK does not come. Many entries therefore come from:',
        '- a SYN flood with spoofed sources (the half-open queue fills; with tcp_syncookies=1, the default, the kernel then answers with cookies and logs "Possible SYN flooding on port X. Sending cookies.");\n- clients on a lossy path or behind a broken middlebox whose ACKs get lost;\n- a full accept queue: when the application does not accept(), the kernel drops the final ACK and the client retransmits (ListenOverflows, see listen-overflow).',
        '$ tcpdoctor sockets state syn-recv\n$ tcpdoctor counters   (TcpExtListenOverflows, TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent)',
      ].join('\n\n'),
    },
    zh: {
      title: 'SYN_RECV（SYN_RCVD，同步已接收）',
      summary: '服务器收到 SYN，回复了 SYN+ACK，正在等待最后的 ACK。大量出现可能是 SYN 洪水攻击，但更常见的是客户端链路丢包；下结论前先看计数器。',
      body: [
        '在 Linux 上被动打开不会建立处于 SYN_RECV 的完整套接字：监听套接字只保存一个小的请求套接字（NEW_SYN_RECV,ss 显示为 SYN-RECV）。完整的 SYN_RECV 套接字只在同时打开之后以及 Fast Open 过程中短暂出现。',
        '收不到 ACK 时 SYN+ACK 会重传 tcp_synack_retries 次（默认 5 次：约 63 秒后丢弃该请求）。因此大量条目通常来自：',
        '- 伪造源地址的 SYN 洪水（半连接队列被填满；tcp_syncookies=1 是默认值，此时内核改用 cookie 应答并记录 “Possible SYN flooding on port X. Sending cookies.”）；\n- 客户端链路丢包，或中间设备有问题，ACK 丢失；\n- 全连接队列已满：应用程序不调用 accept() 时内核丢弃第三次握手的 ACK，客户端只好重传（ListenOverflows，见 listen-overflow）。',
        '$ tcpdoctor sockets state syn-recv\n$ tcpdoctor counters   (TcpExtListenOverflows, TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent)',
      ].join('\n\n'),
      aliases: ['同步已接收', '同步收到', '半连接'],
    },
  }),
  topic({
    id: 'new-syn-recv',
    kind: 'state',
    aliases: ['NEW_SYN_RECV', 'TCP_NEW_SYN_RECV', 'request socket', 'request sock'],
    seeAlso: ['syn-recv', 'syn-flood', 'tcp_max_syn_backlog'],
    refs: ['include/net/tcp_states.h', 'Linux 4.4 lockless listener'],
    en: {
      title: 'NEW_SYN_RECV (request socket)',
      summary: "Linux's own state (number 12) for a connection request that got SYN+ACK and waits for the ACK: a small request socket instead of a full one. ss and /proc show it as SYN-RECV.",
      body: [
        'Since Linux 4.4 the listener keeps half-open requests as request sockets in the main hash table, in state TCP_NEW_SYN_RECV. They are far smaller than full sockets and do not lock the listener, which is what lets a modern server absorb SYN bursts.',
        'When the final ACK arrives the kernel creates the real socket directly in ESTABLISHED and queues it for accept(). tcpdoctor counts NEW_SYN_RECV under SYN_RECV, as ss does.',
        'Their number per listener is bounded by the SYN backlog (tcp_max_syn_backlog and the listen backlog); beyond it, syncookies take over.',
      ].join('\n\n'),
    },
    zh: {
      title: 'NEW_SYN_RECV（请求套接字）',
      summary: 'Linux 特有的状态（编号 12）：已回复 SYN+ACK、等待 ACK 的连接请求，用一个小的请求套接字代替完整套接字。ss 和 /proc 把它显示为 SYN-RECV。',
      body: [
        '从 Linux 4.4 起，监听套接字把半连接请求作为请求套接字放在主哈希表中，状态为 TCP_NEW_SYN_RECV。它们比完整套接字小得多，也不锁住监听套接字，这正是现代服务器能承受 SYN 突发的原因。',
        '最后的 ACK 到达时，内核直接以 ESTABLISHED 状态创建真正的套接字并放入 accept 队列。tcpdoctor 与 ss 一样把 NEW_SYN_RECV 计入 SYN_RECV。',
        '每个监听套接字的请求数受 SYN backlog（tcp_max_syn_backlog 和 listen 的 backlog）限制；超出后由 syncookies 接管。',
      ].join('\n\n'),
      aliases: ['请求套接字', '新半连接'],
    },
  }),
  topic({
    id: 'established',
    kind: 'state',
    aliases: ['ESTABLISHED', 'ESTAB', 'TCP_ESTABLISHED'],
    seeAlso: ['half-open', 'keepalive', 'close-wait', 'teardown', 'handshake', 'tcp_retries2'],
    refs: ['RFC 9293 3.3.2', 'ip-sysctl.rst tcp_keepalive_time'],
    en: {
      title: 'ESTABLISHED',
      summary: 'An open connection: the handshake is done and both sides can send and receive. Look at which processes own them and whether idle ones could be dead.',
      body: [
        'The normal state of a working connection. An idle ESTABLISHED connection has no timer at all: if the peer vanishes without FIN or RST (power loss, a cable pulled, a NAT or firewall that forgot the flow, a phone that changed networks), this side keeps it forever unless something probes it.',
        'What ends such a half-open connection: sending data (after tcp_retries2, default 15, about 15 minutes of retransmission the kernel gives up with ETIMEDOUT); TCP keepalive if the application enabled SO_KEEPALIVE (default first probe after 2 hours); TCP_USER_TIMEOUT; or an application heartbeat.',
        'The article describes clients that reconnect after vanishing: the server then holds the new connection and the stale one, and the stale ones pile up until new clients cannot get in. That is HALF_OPEN_SUSPECTED in tcpdoctor diagnose.',
        '$ tcpdoctor sockets state established --process --timers',
      ].join('\n\n'),
    },
    zh: {
      title: 'ESTABLISHED（已建立）',
      summary: '已打开的连接：握手完成，双方都可以收发数据。关注它们属于哪些进程，以及空闲的连接是否其实已经失效。',
      body: [
        '这是正常工作连接的状态。空闲的 ESTABLISHED 连接没有任何定时器：如果对端没有发送 FIN 或 RST 就消失了（断电、拔网线、NAT 或防火墙忘记了这条流、手机切换网络），本端会永远保留它，除非有东西去探测。',
        '能结束这种半打开连接的：发送数据（重传 tcp_retries2 次，默认 15 次，约 15 分钟后内核放弃并返回 ETIMEDOUT）；应用程序开启了 SO_KEEPALIVE 时的 TCP 保活（默认空闲 2 小时后才发第一个探测）；TCP_USER_TIMEOUT；或应用层心跳。',
        '原文描述了客户端消失后又重连的情况：服务器同时持有新连接和失效的旧连接，旧连接越积越多，直到新客户端连不上。这就是 tcpdoctor diagnose 中的 HALF_OPEN_SUSPECTED。',
        '$ tcpdoctor sockets state established --process --timers',
      ].join('\n\n'),
      aliases: ['已建立', '连接已建立'],
    },
  }),
  topic({
    id: 'bound-inactive',
    kind: 'state',
    aliases: ['BOUND_INACTIVE', 'BOUND-INACTIVE', 'bound inactive'],
    seeAlso: ['closed', 'eaddrinuse', 'ip_local_port_range'],
    refs: ['include/net/tcp_states.h', 'ss(8) -B'],
    en: {
      title: 'bound-inactive',
      summary: 'A socket that called bind() but neither listen() nor connect(): it holds a port without any connection. Shown by ss -B on kernels that report it (Linux 6.x, state 13).',
      body: [
        'It is not a TCP protocol state; the kernel reports bound but inactive sockets through sock_diag so tools can find who holds a port. Such a socket blocks other bind() calls to the same port (EADDRINUSE) unless SO_REUSEADDR/SO_REUSEPORT allow sharing.',
        'Programs that bind() before connect() to choose a source address also hold a port this way for a moment; IP_BIND_ADDRESS_NO_PORT avoids reserving the port until connect().',
      ].join('\n\n'),
    },
    zh: {
      title: 'bound-inactive（已绑定未活动）',
      summary: '调用了 bind() 但既没有 listen() 也没有 connect() 的套接字：占着端口却没有连接。支持的内核（Linux 6.x，状态 13）上由 ss -B 显示。',
      body: [
        '这不是 TCP 协议的状态；内核通过 sock_diag 报告已绑定但未活动的套接字，让工具能找到谁占用了端口。这样的套接字会让绑定同一端口的 bind() 失败（EADDRINUSE），除非 SO_REUSEADDR/SO_REUSEPORT 允许共享。',
        '为选择源地址而先 bind() 再 connect() 的程序也会这样短暂占用端口；使用 IP_BIND_ADDRESS_NO_PORT 可以推迟到 connect() 时才分配端口。',
      ].join('\n\n'),
      aliases: ['已绑定未活动', '绑定未激活'],
    },
  }),
]
