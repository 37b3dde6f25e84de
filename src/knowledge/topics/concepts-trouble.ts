/**
 * @module
 * The troubles diagnose names: SYN flood vs accept-queue overflow, port exhaustion, orphans,
 * TCP memory pressure, unexpected listeners, outbound scans, risky sysctls, and the transition
 * overview. ip-sysctl.rst; Cloudflare "SYN packet handling in the wild".
 */
import { topic } from '../types.js'

export const conceptsTrouble = [
  topic({
    id: 'syn-flood',
    kind: 'concept',
    aliases: ['SYN flood', 'SYN_FLOOD', 'syn attack', 'syn cookies', 'syncookies'],
    seeAlso: ['syn-recv', 'listen-overflow', 'tcp_syncookies', 'tcp_max_syn_backlog', 'tcp_synack_retries'],
    refs: ['RFC 4987', 'ip-sysctl.rst tcp_syncookies'],
    en: {
      title: 'SYN flood (and how it differs from accept-queue overflow)',
      summary: 'An attacker sends SYNs, usually from spoofed addresses, to fill the half-open (SYN) queue. Linux answers with SYN cookies by default, so a flood costs little; many SYN_RECV alone do not prove one.',
      body: [
        'With tcp_syncookies=1 (the default) the kernel stops keeping request sockets once the SYN queue of a listener is full and encodes the connection in the SYN+ACK sequence number instead. dmesg then says "Possible SYN flooding on port X. Sending cookies."; counters TcpExtSyncookiesSent, TcpExtTCPReqQFullDoCookies grow.',
        'Not a flood: a full ACCEPT queue. When the application does not call accept() fast enough, the kernel drops completed handshakes (TcpExtListenOverflows, TcpExtListenDrops) and LISTEN shows Recv-Q near Send-Q. This is far more common and is fixed in the application or with a larger backlog (see listen-overflow). Lossy client paths also leave SYN_RECV behind (tcp_synack_retries).',
        'During a real flood: keep syncookies on, make sure the backlog is large enough (listen backlog, somaxconn, tcp_max_syn_backlog), filter at the edge. ip-sysctl.rst warns that syncookies must not be used to help a legitimately overloaded server.',
      ].join('\n\n'),
    },
    zh: {
      title: 'SYN 洪水攻击（以及它与全连接队列溢出的区别）',
      summary: '攻击者发送大量 SYN（通常伪造源地址）来填满半连接（SYN）队列。Linux 默认用 SYN cookie 应答，所以洪水的代价很小；仅凭大量 SYN_RECV 不能断定是攻击。',
      body: [
        'tcp_syncookies=1（默认）时，一旦监听套接字的 SYN 队列满了，内核就不再保存请求套接字，而是把连接信息编码进 SYN+ACK 的序列号。此时 dmesg 显示 “Possible SYN flooding on port X. Sending cookies.”，计数器 TcpExtSyncookiesSent、TcpExtTCPReqQFullDoCookies 增长。',
        '不是洪水：全连接（accept）队列满。应用程序 accept() 不够快时，内核丢弃已完成的握手（TcpExtListenOverflows、TcpExtListenDrops），LISTEN 的 Recv-Q 接近 Send-Q。这种情况常见得多，应在应用程序中修复或加大 backlog（见 listen-overflow）。客户端链路丢包也会留下 SYN_RECV（tcp_synack_retries）。',
        '真正遭遇洪水时：保持 syncookies 开启，确保 backlog 足够大（listen 的 backlog、somaxconn、tcp_max_syn_backlog），在网络边缘过滤。ip-sysctl.rst 警告：不得用 syncookies 来帮助正常负载过高的服务器。',
      ].join('\n\n'),
      aliases: ['SYN洪水', 'SYN 洪水攻击', '洪水攻击', 'SYN攻击'],
    },
    outdated: {
      en: { article: 'Many SYN_RCVD means a SYN flood; the server keeps a huge half-open list for 30 s to 2 min, burning CPU and memory; tcp_syncookies defaults to 0.', now: 'tcp_syncookies defaults to 1, and since Linux 4.4 half-open requests are small lockless request sockets, so a flood mostly costs bandwidth. Many SYN_RECV more often come from lossy client paths or a full accept queue (ListenOverflows); check the counters.' },
      zh: { article: '大量 SYN_RCVD 说明遭到 SYN 洪水攻击；服务器要维护庞大的半连接列表 30 秒到 2 分钟，消耗 CPU 和内存；tcp_syncookies 默认为 0。', now: 'tcp_syncookies 默认为 1，且从 Linux 4.4 起半连接请求是小巧、无锁的请求套接字，洪水主要消耗的是带宽。大量 SYN_RECV 更常来自客户端链路丢包或全连接队列满（ListenOverflows）；请先看计数器。' },
    },
  }),
  topic({
    id: 'listen-overflow',
    kind: 'concept',
    aliases: ['accept queue', 'accept queue overflow', 'listen queue', 'backlog', 'LISTEN_QUEUE_OVERFLOW', 'ListenOverflows', 'ListenDrops'],
    seeAlso: ['listen', 'somaxconn', 'tcp_max_syn_backlog', 'tcp_abort_on_overflow', 'syn-flood'],
    refs: ['listen(2)', 'ip-sysctl.rst'],
    en: {
      title: 'Accept-queue (listen) overflow',
      summary: 'Handshakes complete faster than the application calls accept(): the accept queue is full and the kernel drops new connections (ListenOverflows). Clients see slow or failed connects. The fix is in the application, or a larger backlog.',
      body: [
        'Queue limit = min(backlog passed to listen(), net.core.somaxconn); somaxconn is 4096 since Linux 5.4 (128 before). ss shows the queue in Recv-Q and the limit in Send-Q of the LISTEN socket.',
        'When it is full the kernel ignores the client\'s final ACK; the client thinks it is connected, the server retransmits SYN+ACK, and if the queue frees up the connection completes late. With tcp_abort_on_overflow=1 the kernel sends RST instead, so clients fail fast with ECONNRESET.',
        'Fix: accept faster (more acceptor threads, SO_REUSEPORT, no blocking work in the accept loop); raise the backlog in the application and somaxconn together.',
        '$ tcpdoctor sockets state listening\n$ tcpdoctor counters   (TcpExtListenOverflows, TcpExtListenDrops)',
      ].join('\n\n'),
    },
    zh: {
      title: '全连接（accept）队列溢出',
      summary: '握手完成的速度超过应用程序调用 accept() 的速度：accept 队列已满，内核丢弃新连接（ListenOverflows）。客户端会看到连接缓慢或失败。修复在应用程序中，或加大 backlog。',
      body: [
        '队列上限 = min(传给 listen() 的 backlog, net.core.somaxconn);somaxconn 从 Linux 5.4 起为 4096（之前为 128）。ss 在 LISTEN 套接字的 Recv-Q 显示队列长度，在 Send-Q 显示上限。',
        '队列满时，内核忽略客户端的第三次握手 ACK；客户端以为已连接，服务器重传 SYN+ACK，队列空出后连接才迟迟完成。tcp_abort_on_overflow=1 时内核改为发送 RST，客户端会很快以 ECONNRESET 失败。',
        '修复：更快地 accept（更多 accept 线程、SO_REUSEPORT、accept 循环中不做阻塞操作）；同时调大应用程序的 backlog 和 somaxconn。',
        '$ tcpdoctor sockets state listening\n$ tcpdoctor counters   (TcpExtListenOverflows, TcpExtListenDrops)',
      ].join('\n\n'),
      aliases: ['全连接队列', '全连接队列溢出', 'accept队列', '监听队列溢出'],
    },
  }),
  topic({
    id: 'port-exhaustion',
    kind: 'concept',
    aliases: ['ephemeral port exhaustion', 'out of ports', 'source port exhaustion', 'TIME_WAIT_PORT_EXHAUSTION'],
    seeAlso: ['eaddrnotavail', 'time-wait', 'ip_local_port_range', 'ephemeral-port-range', 'tcp_tw_reuse'],
    refs: ['ip-sysctl.rst ip_local_port_range', 'Cloudflare: How to stop running out of ephemeral ports (2022)'],
    en: {
      title: 'Ephemeral port exhaustion',
      summary: 'A client host runs out of source ports for one destination (IP, port): connect() fails with EADDRNOTAVAIL, "Cannot assign requested address". Usually many short connections whose TIME_WAIT holds the ports.',
      body: [
        'A connection is unique per 4-tuple, so each destination (IP, port) has its own ip_local_port_range of source ports: 28,232 by default (32768-60999). Ports are held by open connections and for 60 s by TIME_WAIT when this side closed first. At 500 new connections per second to one destination the range is used up.',
        'Fixes, best first: reuse connections (HTTP keep-alive, pools); spread over several destination IPs/ports or source IPs; widen ip_local_port_range (avoid ports your services listen on; list them in ip_local_reserved_ports); tcp_tw_reuse=1 (outgoing only, needs timestamps); bind() with IP_BIND_ADDRESS_NO_PORT when choosing a source IP.',
        'Not a fix: tcp_tw_recycle (removed in 4.12), lowering tcp_max_tw_buckets (resets connections), tcp_fin_timeout (unrelated).',
      ].join('\n\n'),
    },
    zh: {
      title: '临时端口耗尽',
      summary: '客户端主机针对某个目标（IP, 端口）的源端口用完了：connect() 以 EADDRNOTAVAIL “Cannot assign requested address” 失败。通常是大量短连接，其 TIME_WAIT 占着端口。',
      body: [
        '连接按四元组区分，所以每个目标（IP, 端口）都有自己的一整套 ip_local_port_range 源端口：默认 28,232 个（32768-60999）。端口被打开的连接占用，在本端先关闭时还会被 TIME_WAIT 占用 60 秒。对同一目标每秒新建 500 个连接就会耗尽。',
        '修复方法，按优先级：复用连接（HTTP keep-alive、连接池）；分散到多个目的 IP/端口或源 IP；扩大 ip_local_port_range（避开本机服务监听的端口，把它们列入 ip_local_reserved_ports）；tcp_tw_reuse=1（只对外发连接有效，需要时间戳）；选择源 IP 时 bind() 配合 IP_BIND_ADDRESS_NO_PORT。',
        '无效的做法：tcp_tw_recycle（4.12 已删除）、调低 tcp_max_tw_buckets（会重置连接）、tcp_fin_timeout（无关）。',
      ].join('\n\n'),
      aliases: ['端口耗尽', '临时端口耗尽', '端口用尽'],
    },
  }),
  topic({
    id: 'ephemeral-port-range',
    kind: 'concept',
    aliases: ['ephemeral ports', 'local port range', 'EPHEMERAL_RANGE_NARROW', 'source ports'],
    seeAlso: ['ip_local_port_range', 'ip_local_reserved_ports', 'port-exhaustion'],
    refs: ['ip-sysctl.rst ip_local_port_range'],
    en: {
      title: 'Ephemeral port range',
      summary: 'The source ports the kernel picks for connect() and bind(port 0): net.ipv4.ip_local_port_range, default 32768-60999 (28,232 ports). A narrow range makes port exhaustion come sooner.',
      body: [
        'Linux prefers even ports for connect() and odd ones for bind(0) since 4.6, so an outgoing-heavy host effectively searches half the range first. The range should not overlap ports that services listen on; reserve those with ip_local_reserved_ports.',
        'EPHEMERAL_RANGE_NARROW is reported when the range is smaller than the default or much smaller than the connection rate needs.',
      ].join('\n\n'),
    },
    zh: {
      title: '临时端口范围',
      summary: '内核为 connect() 和 bind（端口 0） 选择的源端口：net.ipv4.ip_local_port_range，默认 32768-60999（28,232 个端口）。范围太窄会更早出现端口耗尽。',
      body: [
        '从 4.6 起，Linux 为 connect() 优先选偶数端口，为 bind(0) 优先选奇数端口，所以外发连接多的主机实际上先搜索一半的范围。范围不应与服务监听的端口重叠；用 ip_local_reserved_ports 保留这些端口。',
        '当范围小于默认值，或远小于连接速率所需时，报告 EPHEMERAL_RANGE_NARROW。',
      ].join('\n\n'),
      aliases: ['临时端口', '临时端口范围', '本地端口范围'],
    },
  }),
  topic({
    id: 'orphan-sockets',
    kind: 'concept',
    aliases: ['orphans', 'orphaned sockets', 'ORPHAN_SOCKETS_HIGH', 'too many orphaned sockets'],
    seeAlso: ['tcp_max_orphans', 'tcp_orphan_retries', 'fin-wait-1', 'last-ack', 'closing'],
    refs: ['ip-sysctl.rst tcp_max_orphans'],
    en: {
      title: 'Orphan sockets',
      summary: 'Sockets the application has closed but the kernel still finishes (FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK without a file descriptor). Each can hold up to about 64 KB of unswappable memory.',
      body: [
        'The count is in /proc/net/sockstat ("orphan"). Above tcp_max_orphans the kernel resets new orphans at once and logs "too many orphaned sockets". Orphans retransmit their FIN tcp_orphan_retries times (0 means 8).',
        'Many orphans mean peers that stopped answering while this host closes connections: a mass shutdown, clients gone, a zero window. ip-sysctl.rst: raise tcp_max_orphans rather than lower it, after adding memory.',
      ].join('\n\n'),
    },
    zh: {
      title: '孤儿套接字',
      summary: '应用程序已关闭、内核仍在收尾的套接字（没有文件描述符的 FIN_WAIT_1、FIN_WAIT_2、CLOSING、LAST_ACK）。每个最多可占用约 64 KB 不可换出的内存。',
      body: [
        '数量见 /proc/net/sockstat（“orphan”）。超过 tcp_max_orphans 时，内核立即重置新的孤儿并记录 “too many orphaned sockets”。孤儿会重传 FIN tcp_orphan_retries 次（0 表示 8 次）。',
        '孤儿多说明本机关闭连接时对端不再响应：批量关闭、客户端已消失、零窗口。ip-sysctl.rst：在增加内存之后可以调高 tcp_max_orphans，而不是调低。',
      ].join('\n\n'),
      aliases: ['孤儿套接字', '孤儿连接'],
    },
  }),
  topic({
    id: 'tcp-memory',
    kind: 'concept',
    aliases: ['memory pressure', 'TCP_MEMORY_PRESSURE', 'out of socket memory', 'tcp memory'],
    seeAlso: ['tcp_mem', 'tcp_rmem', 'tcp_wmem', 'orphan-sockets'],
    refs: ['ip-sysctl.rst tcp_mem'],
    en: {
      title: 'TCP memory pressure',
      summary: 'All TCP sockets together use more pages than tcp_mem allows: above "pressure" the kernel shrinks buffers, above "max" it refuses memory, drops segments and logs "out of memory -- consider tuning tcp_mem".',
      body: [
        'Current use is "mem" in /proc/net/sockstat (pages, global for the host). Counters: TcpExtTCPMemoryPressures, TcpExtTCPAbortOnMemory, TcpExtPruneCalled. Causes: many connections with full buffers (slow readers, large tcp_rmem/tcp_wmem maxima), many orphans.',
        'tcp_mem is computed at boot from RAM; raise it only with memory to back it, and first look for sockets with large Recv-Q/Send-Q.',
      ].join('\n\n'),
    },
    zh: {
      title: 'TCP 内存压力',
      summary: '所有 TCP 套接字合计使用的页数超过了 tcp_mem 的允许值：超过 “pressure” 内核会缩小缓冲区，超过 “max” 则拒绝分配内存、丢弃报文并记录 “out of memory -- consider tuning tcp_mem”。',
      body: [
        '当前用量是 /proc/net/sockstat 中的 “mem”（页数，全主机共享）。计数器：TcpExtTCPMemoryPressures、TcpExtTCPAbortOnMemory、TcpExtPruneCalled。原因：大量缓冲区满的连接（读取慢、tcp_rmem/tcp_wmem 上限大）、大量孤儿套接字。',
        'tcp_mem 在启动时根据内存计算；只有在有内存支撑时才调高它，并先查找 Recv-Q/Send-Q 很大的套接字。',
      ].join('\n\n'),
      aliases: ['内存压力', 'TCP内存', 'TCP 内存压力'],
    },
  }),
  topic({
    id: 'unexpected-listener',
    kind: 'concept',
    aliases: ['UNEXPECTED_LISTENER', 'open ports', 'backdoor', 'trojan'],
    seeAlso: ['listen'],
    refs: [],
    en: {
      title: 'Unexpected listener',
      summary: 'A process listens on a port that is not on your allowlist. Every listener is attack surface; a trojan opens one too, as the article warns.',
      body: ['Check the owner with tcpdoctor who :PORT, stop the service if it is not needed, or bind it to 127.0.0.1. Add expected ports to the diagnose allowlist so only surprises are reported.'].join('\n\n'),
    },
    zh: {
      title: '意外的监听端口',
      summary: '有进程在不在允许列表中的端口上监听。每个监听端口都是攻击面；正如原文提醒，木马也会打开端口监听。',
      body: ['用 tcpdoctor who :端口 查看所属进程；不需要的服务就停掉，或只绑定 127.0.0.1。把预期的端口加入 diagnose 的允许列表，只报告意外情况。'].join('\n\n'),
      aliases: ['意外监听', '未知监听端口', '木马端口'],
    },
  }),
  topic({
    id: 'outbound-scan',
    kind: 'concept',
    aliases: ['OUTBOUND_SCAN_SUSPECTED', 'port scan', 'worm', 'scanner'],
    seeAlso: ['syn-sent', 'null-scan', 'xmas-scan'],
    refs: [],
    en: {
      title: 'Outbound scan suspected',
      summary: 'Many SYN_SENT sockets from one process toward many different addresses or ports: a scanner, or malware spreading (the article\'s "Blaster" worm example).',
      body: ['tcpdoctor names the process and the spread of destinations. If you did not start a scanner, isolate the host and inspect the process.'].join('\n\n'),
    },
    zh: {
      title: '疑似向外扫描',
      summary: '同一进程向大量不同地址或端口发起了很多 SYN_SENT：可能是扫描器，或正在传播的恶意程序（原文举的“冲击波”病毒例子）。',
      body: ['tcpdoctor 会指出进程和目标的分布。如果不是你启动的扫描器，请隔离主机并检查该进程。'].join('\n\n'),
      aliases: ['向外扫描', '扫描', '病毒扫描'],
    },
  }),
  topic({
    id: 'sysctl-risk',
    kind: 'concept',
    aliases: ['SYSCTL_RISK', 'risky sysctl', 'sysctl audit', 'tune'],
    seeAlso: ['tcp_tw_recycle', 'tcp_max_tw_buckets', 'tcp_syncookies', 'tcp_fin_timeout', 'ip_local_port_range'],
    refs: ['ip-sysctl.rst'],
    en: {
      title: 'Risky sysctl settings',
      summary: 'A TCP sysctl is set to a value that hurts on this kernel: a removed key left in sysctl.conf, tcp_syncookies=0, tcp_max_tw_buckets or tcp_max_orphans lowered, a narrow port range. tcpdoctor tune lists them with the fix.',
      body: ['Much copied tuning advice predates current kernels. Run tcpdoctor tune to compare every setting with this kernel\'s defaults and a profile; nothing changes without --apply.', '$ tcpdoctor tune --profile server'].join('\n\n'),
    },
    zh: {
      title: '有风险的 sysctl 设置',
      summary: '某个 TCP sysctl 在当前内核上的取值有害：sysctl.conf 中残留已删除的参数、tcp_syncookies=0、调低了 tcp_max_tw_buckets 或 tcp_max_orphans、端口范围过窄。tcpdoctor tune 会列出它们并给出修复方法。',
      body: ['很多被到处复制的调优建议早于当前内核。运行 tcpdoctor tune，把每项设置与本内核的默认值和所选配置档比较；不加 --apply 什么都不会改变。', '$ tcpdoctor tune --profile server'].join('\n\n'),
      aliases: ['参数风险', '内核参数风险'],
    },
  }),
  topic({
    id: 'transitions',
    kind: 'concept',
    aliases: ['state diagram', 'state machine', 'state transitions', 'tcp states'],
    seeAlso: ['handshake', 'teardown', 'closed', 'established', 'time-wait'],
    refs: ['RFC 9293 3.3.2 figure 5'],
    en: {
      title: 'The TCP state diagram',
      summary: 'Eleven states and the events that move between them (RFC 9293 figure 5). Client path: CLOSED -> SYN_SENT -> ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED. Server path: CLOSED -> LISTEN -> SYN_RCVD -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED.',
      body: ['Every transition is listed below with its event and action. tcpdoctor diagram draws the figure, --path client|server marks the two routes, --live shows this host\'s counts on each state. The figure omits error handling: a RST or a timeout takes any synchronized state to CLOSED.', '$ tcpdoctor diagram --path client'].join('\n\n'),
    },
    zh: {
      title: 'TCP 状态迁移图',
      summary: '十一个状态以及在它们之间迁移的事件（RFC 9293 图 5）。客户端路线：CLOSED -> SYN_SENT -> ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 -> TIME_WAIT -> CLOSED。服务器路线：CLOSED -> LISTEN -> SYN_RCVD -> ESTABLISHED -> CLOSE_WAIT -> LAST_ACK -> CLOSED。',
      body: ['下面列出每个迁移及其事件和动作。tcpdoctor diagram 画出这张图，--path client|server 标出两条路线，--live 在每个状态上显示本机当前数量。图中省略了错误处理：RST 或超时会让任何同步状态进入 CLOSED。', '$ tcpdoctor diagram --path client'].join('\n\n'),
      aliases: ['状态迁移图', '状态图', '状态机', '状态迁移'],
    },
  }),
]
