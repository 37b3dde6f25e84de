/**
 * @module
 * Noticing a dead peer: half-open connections, TCP keepalive, application heartbeats, and
 * retransmission timeouts. ip-sysctl.rst (tcp_keepalive_*, tcp_retries2); RFC 1122 4.2.3.6;
 * RFC 5482 (TCP_USER_TIMEOUT).
 */
import { topic } from '../types.js'

export const conceptsLiveness = [
  topic({
    id: 'half-open',
    kind: 'concept',
    aliases: ['half open', 'half-open connection', 'dead peer', 'stale connection', 'HALF_OPEN_SUSPECTED'],
    seeAlso: ['keepalive', 'heartbeat', 'established', 'tcp_retries2', 'etimedout'],
    refs: ['RFC 9293 3.10.7.3', 'RFC 5482'],
    en: {
      title: 'Half-open connections',
      summary: 'One side is gone (crash, power loss, NAT timeout, mobile network change) and the other does not know: its socket stays ESTABLISHED and a blocked recv() waits forever. Detect it with an application heartbeat or TCP keepalive.',
      body: [
        'TCP only learns that a peer is gone when it sends something: an idle connection has no timer. Until then recv() blocks, the server keeps the socket and its memory, and clients that reconnect leave one stale connection behind each time.',
        'How it ends:\n- sending data: the segment is retransmitted until tcp_retries2 (default 15, about 924.6 s) and the next call fails with ETIMEDOUT; TCP_USER_TIMEOUT shortens this per socket;\n- a crashed peer that rebooted answers anything with RST (ECONNRESET);\n- keepalive probes, if SO_KEEPALIVE is on;\n- an application heartbeat with a deadline.',
        'tcpdoctor keepalive lists ESTABLISHED sockets that would never notice a dead peer; diagnose reports HALF_OPEN_SUSPECTED when the same client holds many idle connections.',
      ].join('\n\n'),
    },
    zh: {
      title: '半打开连接',
      summary: '一方已经不在了（崩溃、断电、NAT 超时、移动网络切换），另一方却不知道：它的套接字仍是 ESTABLISHED，阻塞的 recv() 会永远等下去。用应用层心跳或 TCP 保活来检测。',
      body: [
        'TCP 只有在发送数据时才能发现对端已消失：空闲连接没有任何定时器。在此之前 recv() 一直阻塞，服务器保留着套接字及其内存，而每次重连的客户端都会留下一条失效连接。',
        '它如何结束：\n- 发送数据：报文一直重传到 tcp_retries2 次（默认 15，约 924.6 秒），之后的调用以 ETIMEDOUT 失败；TCP_USER_TIMEOUT 可针对单个套接字缩短这个时间；\n- 崩溃后已重启的对端会对任何报文回复 RST(ECONNRESET);\n- 开启了 SO_KEEPALIVE 时的保活探测；\n- 带超时判定的应用层心跳。',
        'tcpdoctor keepalive 列出永远不会发现对端失效的 ESTABLISHED 套接字；当同一客户端持有大量空闲连接时，diagnose 报告 HALF_OPEN_SUSPECTED。',
      ].join('\n\n'),
      aliases: ['半打开', '半开连接', '假连接'],
    },
  }),
  topic({
    id: 'keepalive',
    kind: 'concept',
    aliases: ['keep-alive', 'tcp keepalive', 'SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT', 'keepalive vs heartbeat'],
    seeAlso: ['heartbeat', 'half-open', 'tcp_keepalive_time', 'tcp_keepalive_intvl', 'tcp_keepalive_probes', 'etimedout'],
    refs: ['RFC 1122 4.2.3.6', 'ip-sysctl.rst tcp_keepalive_time', 'tcp(7)'],
    en: {
      title: 'TCP keepalive (and how it differs from an application heartbeat)',
      summary: 'With SO_KEEPALIVE, after an idle time the kernel sends empty probes (an ACK with seq-1); no answer to several probes kills the connection with ETIMEDOUT. Defaults 7200/75/9 s: a dead peer is noticed after 2 h 11 min.',
      body: [
        'Keepalive is off unless the application enables SO_KEEPALIVE. The sysctls tcp_keepalive_time (7200 s), tcp_keepalive_intvl (75 s) and tcp_keepalive_probes (9) are only defaults for sockets that enabled it without setting TCP_KEEPIDLE, TCP_KEEPINTVL and TCP_KEEPCNT themselves. Time to detect = idle + intvl x probes.',
        'A peer that is alive answers with an ACK; a peer that rebooted answers RST (ECONNRESET); silence after all probes ends the connection and the blocked recv() returns -1 with ETIMEDOUT, as the article says.',
        'Keepalive vs heartbeat: keepalive proves the peer kernel is reachable, not that the application works, and middleboxes may answer or drop probes. An application heartbeat (one side sends, the other enforces a deadline) also detects a hung peer process and works through proxies. Use TCP_USER_TIMEOUT as well, so connections with unacknowledged data fail fast.',
        'The article\'s Windows figures (1 s between probes, 5 or 10 probes) do not apply to Linux.',
      ].join('\n\n'),
    },
    zh: {
      title: 'TCP 保活（keepalive），以及它与应用层心跳的区别',
      summary: '开启 SO_KEEPALIVE 后，连接空闲一段时间，内核发送空的探测包（seq-1 的 ACK）；多次探测无应答则以 ETIMEDOUT 结束连接。默认 7200/75/9 秒：2 小时 11 分钟后才发现对端失效。',
      body: [
        '除非应用程序开启 SO_KEEPALIVE，否则保活是关闭的。sysctl tcp_keepalive_time（7200 秒）、tcp_keepalive_intvl（75 秒）和 tcp_keepalive_probes（9）只是开启了保活、却没有自行设置 TCP_KEEPIDLE、TCP_KEEPINTVL、TCP_KEEPCNT 的套接字的默认值。检测时间 = 空闲时间 + 间隔 x 次数。',
        '存活的对端回复 ACK；已重启的对端回复 RST(ECONNRESET)；所有探测都无应答则结束连接，阻塞的 recv() 返回 -1,errno 为 ETIMEDOUT，与原文所说一致。',
        '保活与心跳的区别：保活只能证明对端内核可达，不能证明应用程序在正常工作，而且中间设备可能代答或丢弃探测包。应用层心跳（一方发送，另一方检查超时）还能发现挂死的对端进程，并且能穿过代理。同时使用 TCP_USER_TIMEOUT，让有未确认数据的连接尽快失败。',
        '原文中 Windows 的数字（探测间隔 1 秒、5 次或 10 次）不适用于 Linux。',
      ].join('\n\n'),
      aliases: ['保活', '保活机制', '心跳保活'],
    },
    outdated: {
      en: { article: 'Keepalive retries every 1000 ms, 5 times (Windows XP/2003) or 10 times (Vista and later); set tcp_keepalive_time/intvl/probes globally to 60/20/3.', now: 'Linux defaults are 7200 s idle, 75 s interval, 9 probes. The sysctls change nothing for sockets that did not enable SO_KEEPALIVE; set TCP_KEEPIDLE/INTVL/CNT per socket where you can.' },
      zh: { article: '保活探测每 1000 毫秒重试一次，共 5 次（Windows XP/2003）或 10 次（Vista 之后）；全局设置 tcp_keepalive_time/intvl/probes 为 60/20/3。', now: 'Linux 默认空闲 7200 秒、间隔 75 秒、9 次探测。对没有开启 SO_KEEPALIVE 的套接字，这些 sysctl 不起任何作用；能在套接字上设置 TCP_KEEPIDLE/INTVL/CNT 时就单独设置。' },
    },
  }),
  topic({
    id: 'heartbeat',
    kind: 'concept',
    aliases: ['application heartbeat', 'heartbeat packet', 'ping pong', 'TCP_USER_TIMEOUT', 'user timeout'],
    seeAlso: ['keepalive', 'half-open'],
    refs: ['RFC 5482'],
    en: {
      title: 'Application heartbeat',
      summary: 'The application itself sends a small message at a fixed interval and the receiver closes the connection when nothing arrived within a deadline. Detects dead peers and hung processes in seconds, through any proxy.',
      body: [
        'As the article suggests, usually the client sends and the server only checks the time since the last message, so the server does not add traffic. Pick the deadline as a few intervals (for example interval 10 s, deadline 30 s).',
        'In Node.js tcpdoctor exports heartbeat(socket, options): one side sends, the other enforces the deadline and destroys the socket with a typed error. Combine it with TCP_USER_TIMEOUT (RFC 5482), which bounds how long sent data may stay unacknowledged.',
      ].join('\n\n'),
    },
    zh: {
      title: '应用层心跳',
      summary: '应用程序自己按固定间隔发送小消息，接收方在超时时间内没收到任何消息就关闭连接。能在几秒内发现失效的对端和挂死的进程，并能穿过任何代理。',
      body: [
        '正如原文建议，通常由客户端发送，服务器只检查距上一条消息的时间，这样服务器不增加流量。超时设为若干个间隔（例如间隔 10 秒、超时 30 秒）。',
        '在 Node.js 中 tcpdoctor 导出 heartbeat(socket, options)：一方发送，另一方检查超时，并以带类型的错误销毁套接字。配合 TCP_USER_TIMEOUT（RFC 5482）使用，它限制已发送数据可保持未确认的时长。',
      ].join('\n\n'),
      aliases: ['心跳', '心跳包', '应用心跳'],
    },
  }),
  topic({
    id: 'retransmission',
    kind: 'concept',
    aliases: ['retransmissions', 'retransmit', 'RTO', 'RETRANSMISSION_HIGH', 'packet loss'],
    seeAlso: ['tcp_retries2', 'tcp_syn_retries', 'tcp_synack_retries', 'half-open', 'tcp_congestion_control'],
    refs: ['RFC 6298', 'RFC 8985'],
    en: {
      title: 'Retransmission',
      summary: 'TCP resends data that was not acknowledged in time (RTO) or that duplicate ACKs/SACK show missing (fast retransmit, RACK). A high retransmission rate means loss or congestion on the path, or a peer that stopped answering.',
      body: [
        'The retransmission timeout starts from the measured RTT (minimum 200 ms on Linux) and doubles after every timeout. After tcp_retries2 timeouts (about 15 minutes by default) the connection is aborted with ETIMEDOUT.',
        'Counters: TcpRetransSegs against TcpOutSegs for the rate, TcpExtTCPTimeouts for timeouts, TcpExtTCPLostRetransmit. Per socket, tcpdoctor sockets --info shows retrans and lost. A few tenths of a percent is normal on the Internet; several percent hurts throughput.',
        '$ tcpdoctor counters\n$ tcpdoctor sockets --info state established',
      ].join('\n\n'),
    },
    zh: {
      title: '重传',
      summary: 'TCP 会重发超时未确认的数据（RTO），或重复 ACK/SACK 显示丢失的数据（快速重传、RACK）。重传率高说明路径上有丢包或拥塞，或对端停止了响应。',
      body: [
        '重传超时由测得的 RTT 计算（Linux 上最小 200 毫秒），每次超时后加倍。超时 tcp_retries2 次（默认约 15 分钟）后连接以 ETIMEDOUT 中止。',
        '计数器：TcpRetransSegs 与 TcpOutSegs 之比为重传率，TcpExtTCPTimeouts 为超时次数，还有 TcpExtTCPLostRetransmit。单个套接字可用 tcpdoctor sockets --info 查看 retrans 和 lost。在互联网上千分之几是正常的；达到百分之几就会影响吞吐量。',
        '$ tcpdoctor counters\n$ tcpdoctor sockets --info state established',
      ].join('\n\n'),
      aliases: ['重传', '超时重传', '丢包'],
    },
  }),
  topic({
    id: 'reset',
    kind: 'concept',
    aliases: ['resets', 'connection reset', 'RESETS_HIGH', 'reset storm'],
    seeAlso: ['rst', 'rst-ack', 'econnreset', 'econnrefused', 'listen-overflow', 'tcp_abort_on_overflow'],
    refs: ['RFC 9293 3.5.2'],
    en: {
      title: 'Resets (many RST)',
      summary: 'Many resets sent or received mean connections are aborted instead of closed: refused connects, applications closing with unread data, full accept queues with tcp_abort_on_overflow=1, firewalls or load balancers cutting flows.',
      body: [
        'Counters: TcpOutRsts (sent), TcpEstabResets (ESTABLISHED or CLOSE_WAIT connections reset), TcpExtTCPAbortOnData / OnClose / OnMemory / OnTimeout / OnLinger (why this host aborted). Refused connects (RST to a SYN) mean nothing listens on the port.',
        'Look at which side sends them with tcpdoctor capture \'tcp[tcpflags] & tcp-rst != 0\' or analyze a capture: a reset from the middle of the path has a TTL that differs from the peer\'s.',
      ].join('\n\n'),
    },
    zh: {
      title: '复位（大量 RST）',
      summary: '大量发送或收到复位，说明连接是被中止而不是正常关闭：连接被拒绝、应用程序关闭时还有未读数据、tcp_abort_on_overflow=1 时 accept 队列已满、防火墙或负载均衡器切断了流。',
      body: [
        '计数器：TcpOutRsts（发送的复位）、TcpEstabResets（ESTABLISHED 或 CLOSE_WAIT 连接被复位）、TcpExtTCPAbortOnData / OnClose / OnMemory / OnTimeout / OnLinger（本机中止的原因）。连接被拒绝（对 SYN 回 RST）说明端口上没有监听者。',
        '用 tcpdoctor capture \'tcp[tcpflags] & tcp-rst != 0\' 或分析抓包文件看是哪一端发出的：来自路径中间设备的复位，其 TTL 与对端的不同。',
      ].join('\n\n'),
      aliases: ['复位', '连接复位', '连接重置'],
    },
  }),
]
