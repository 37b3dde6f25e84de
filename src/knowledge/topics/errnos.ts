/**
 * @module
 * The errors applications meet on TCP sockets, with the kernel's reason for each.
 * errno(3), connect(2), send(2), tcp(7).
 */
import { topic } from '../types.js'

export const errnos = [
  topic({
    id: 'eaddrnotavail',
    kind: 'errno',
    aliases: ['EADDRNOTAVAIL', 'Cannot assign requested address', 'errno 99', 'address not available'],
    seeAlso: ['port-exhaustion', 'time-wait', 'ip_local_port_range', 'tcp_tw_reuse'],
    refs: ['connect(2)', 'ip-sysctl.rst ip_local_port_range'],
    en: {
      title: 'EADDRNOTAVAIL: "Cannot assign requested address"',
      summary: 'connect() found no free source port for this destination (ephemeral port exhaustion), or bind() named an address this host does not have.',
      body: [
        'For connect(): every port of ip_local_port_range is already used toward this (destination IP, port), by open connections or by TIME_WAIT entries of connections this host closed first. See port-exhaustion for the fixes; connection reuse is the real one.',
        'For bind(): the IP address is not configured on any interface (a typo, an address that moved, IPv6 not yet up). net.ipv4.ip_nonlocal_bind=1 allows binding to it anyway.',
        '$ tcpdoctor states --by remote\n$ tcpdoctor diagnose',
      ].join('\n\n'),
    },
    zh: {
      title: 'EADDRNOTAVAIL:"Cannot assign requested address"',
      summary: 'connect() 找不到到该目标的空闲源端口（临时端口耗尽），或者 bind() 指定了本机没有的地址。',
      body: [
        '对 connect():ip_local_port_range 中每个端口都已被用于这个（目的 IP, 端口）：被打开的连接占用，或被本机先关闭的连接的 TIME_WAIT 条目占用。修复方法见 port-exhaustion；真正的修复是复用连接。',
        '对 bind()：该 IP 地址没有配置在任何网卡上（写错、地址已迁移、IPv6 尚未就绪）。设置 net.ipv4.ip_nonlocal_bind=1 可以仍然绑定。',
        '$ tcpdoctor states --by remote\n$ tcpdoctor diagnose',
      ].join('\n\n'),
      aliases: ['无法分配请求的地址', '不能分配请求的地址'],
    },
    outdated: {
      en: { article: 'Many TIME_WAIT cause "Cannot assign requested address"; tune tcp_tw_reuse, tcp_tw_recycle and tcp_fin_timeout.', now: 'Only on the side that closes first AND opens many connections to the same destination IP and port: the limit is per 4-tuple. tcp_tw_recycle no longer exists (4.12), tcp_fin_timeout does not touch TIME_WAIT; reuse connections, add source IPs or destination ports, widen the port range.' },
      zh: { article: '大量 TIME_WAIT 导致 “Cannot assign requested address”；调整 tcp_tw_reuse、tcp_tw_recycle 和 tcp_fin_timeout。', now: '只发生在既先关闭、又向同一目的 IP 和端口建立大量连接的一方：限制是按四元组计算的。tcp_tw_recycle 已不存在（4.12），tcp_fin_timeout 与 TIME_WAIT 无关；应复用连接、增加源 IP 或目的端口、扩大端口范围。' },
    },
  }),
  topic({
    id: 'eaddrinuse',
    kind: 'errno',
    aliases: ['EADDRINUSE', 'Address already in use', 'errno 98', 'SO_REUSEADDR', 'SO_REUSEPORT'],
    seeAlso: ['time-wait', '2msl', 'bound-inactive', 'listen'],
    refs: ['bind(2)', 'socket(7)'],
    en: {
      title: 'EADDRINUSE: "Address already in use"',
      summary: 'bind() or listen() on a port that another socket holds. A server restarting while old connections sit in TIME_WAIT needs SO_REUSEADDR, which every common server sets.',
      body: [
        'Find the holder with tcpdoctor who :PORT. If it is a live listener, another instance is running. If only TIME_WAIT or other leftovers of the previous process remain, set SO_REUSEADDR before bind(); SO_REUSEPORT lets several processes share one port on purpose.',
        'This is the httpd restart problem the article attributes to 2MSL.',
      ].join('\n\n'),
    },
    zh: {
      title: 'EADDRINUSE:"Address already in use"',
      summary: '对另一个套接字占用的端口调用 bind() 或 listen()。服务器重启时旧连接处于 TIME_WAIT，需要设置 SO_REUSEADDR，常见服务器都会设置。',
      body: [
        '用 tcpdoctor who :端口 找到占用者。如果是仍在运行的监听者，说明另一个实例在运行。如果只剩上一个进程留下的 TIME_WAIT 等，在 bind() 前设置 SO_REUSEADDR;SO_REUSEPORT 允许多个进程有意共享同一个端口。',
        '这就是原文归因于 2MSL 的 httpd 重启问题。',
      ].join('\n\n'),
      aliases: ['地址已在使用', '端口被占用', '地址已被使用'],
    },
  }),
  topic({
    id: 'econnrefused',
    kind: 'errno',
    aliases: ['ECONNREFUSED', 'Connection refused', 'errno 111'],
    seeAlso: ['rst-ack', 'syn-sent', 'listen', 'reset'],
    refs: ['connect(2)'],
    en: {
      title: 'ECONNREFUSED: "Connection refused"',
      summary: 'The destination answered our SYN with RST: the host is up but nothing listens on that port (or a firewall rejects with tcp-reset).',
      body: ['Check the port and address (IPv4 vs IPv6, 127.0.0.1 vs the public address the server binds), and whether the service runs: tcpdoctor who :PORT on the server. A refused connect is fast; a silent drop gives ETIMEDOUT instead. tcpdoctor ping --tcp PORT classifies refused, timeout and unreachable.'].join('\n\n'),
    },
    zh: {
      title: 'ECONNREFUSED:"Connection refused"',
      summary: '目标用 RST 回应了我们的 SYN：主机在线，但该端口上没有监听者（或防火墙以 tcp-reset 拒绝）。',
      body: ['检查端口和地址（IPv4 还是 IPv6，服务绑定的是 127.0.0.1 还是公网地址），以及服务是否在运行：在服务器上执行 tcpdoctor who :端口。连接被拒绝会很快返回；被静默丢弃则得到 ETIMEDOUT。tcpdoctor ping --tcp 端口 可以区分拒绝、超时和不可达。'].join('\n\n'),
      aliases: ['连接被拒绝', '拒绝连接'],
    },
  }),
  topic({
    id: 'econnreset',
    kind: 'errno',
    aliases: ['ECONNRESET', 'Connection reset by peer', 'errno 104'],
    seeAlso: ['rst', 'reset', 'listen-overflow', 'epipe'],
    refs: ['tcp(7)'],
    en: {
      title: 'ECONNRESET: "Connection reset by peer"',
      summary: 'The peer (or a middlebox) sent RST on an established connection: it closed with unread data, crashed and rebooted, aborted on purpose, or its accept queue overflowed with tcp_abort_on_overflow=1.',
      body: ['Data still in flight is lost. Common causes: the server closed an idle keep-alive connection just as the client reused it (retry idempotent requests); the peer closed without reading the whole request; a load balancer idle timeout; a rebooted peer answering a half-open connection. Capture both ends to see who sends the RST.'].join('\n\n'),
    },
    zh: {
      title: 'ECONNRESET:"Connection reset by peer"',
      summary: '对端（或中间设备）在已建立的连接上发送了 RST：它关闭时还有未读数据、崩溃后重启、有意中止，或在 tcp_abort_on_overflow=1 时 accept 队列溢出。',
      body: ['仍在途中的数据全部丢失。常见原因：服务器恰在客户端复用时关闭了空闲的 keep-alive 连接（对幂等请求重试）；对端没读完整个请求就关闭了；负载均衡器空闲超时；重启后的对端回应半打开连接。在两端抓包，看是谁发出的 RST。'].join('\n\n'),
      aliases: ['连接被对端重置', '连接被重置'],
    },
  }),
  topic({
    id: 'etimedout',
    kind: 'errno',
    aliases: ['ETIMEDOUT', 'Connection timed out', 'errno 110'],
    seeAlso: ['syn-sent', 'tcp_syn_retries', 'tcp_retries2', 'keepalive', 'half-open'],
    refs: ['tcp(7)', 'ip-sysctl.rst'],
    en: {
      title: 'ETIMEDOUT: "Connection timed out"',
      summary: 'The kernel gave up: a connect() got no answer after tcp_syn_retries SYNs (about 2 minutes), data stayed unacknowledged through tcp_retries2 (about 15 minutes) or TCP_USER_TIMEOUT, or keepalive probes went unanswered.',
      body: ['On connect() it means packets are silently dropped (a firewall, a host that is down, a wrong route), unlike ECONNREFUSED. On an established connection it is how a dead peer is finally noticed; the article\'s recv() returning -1 with ETIMEDOUT after keepalive is this case. Measured on Linux 6.18 with defaults, a connect to a dropping destination fails after about 135 s.'].join('\n\n'),
    },
    zh: {
      title: 'ETIMEDOUT:"Connection timed out"',
      summary: '内核放弃了：connect() 发出 tcp_syn_retries 次 SYN 仍无应答（约 2 分钟），数据经过 tcp_retries2 次重传（约 15 分钟）或 TCP_USER_TIMEOUT 仍未被确认，或保活探测无应答。',
      body: ['在 connect() 上它表示报文被静默丢弃（防火墙、主机宕机、路由错误），这与 ECONNREFUSED 不同。在已建立的连接上，这是最终发现对端失效的方式；原文中保活后 recv() 返回 -1、errno 为 ETIMEDOUT 就是这种情况。在 Linux 6.18 默认设置下实测，连接一个丢弃报文的目标约 135 秒后失败。'].join('\n\n'),
      aliases: ['连接超时', '超时'],
    },
  }),
  topic({
    id: 'epipe',
    kind: 'errno',
    aliases: ['EPIPE', 'Broken pipe', 'SIGPIPE', 'errno 32'],
    seeAlso: ['econnreset', 'rst', 'half-close'],
    refs: ['send(2)', 'socket(7)'],
    en: {
      title: 'EPIPE: "Broken pipe"',
      summary: 'Writing to a connection that can no longer send: the peer reset it, or this side already shut down writing. Without MSG_NOSIGNAL the process also gets SIGPIPE, which kills it by default.',
      body: ['Typically the first write after a RST returns ECONNRESET and the next EPIPE. Servers should ignore SIGPIPE (Node.js does) or send with MSG_NOSIGNAL, and treat EPIPE as "the peer is gone".'].join('\n\n'),
    },
    zh: {
      title: 'EPIPE:"Broken pipe"',
      summary: '向已无法发送的连接写数据：对端已复位连接，或本端已关闭写方向。没有 MSG_NOSIGNAL 时进程还会收到 SIGPIPE，默认会被它杀死。',
      body: ['通常在收到 RST 后，第一次写返回 ECONNRESET，下一次返回 EPIPE。服务器应忽略 SIGPIPE（Node.js 已这样做）或使用 MSG_NOSIGNAL 发送，并把 EPIPE 当作“对端已离开”。'].join('\n\n'),
      aliases: ['管道破裂', '断开的管道'],
    },
  }),
  topic({
    id: 'ehostunreach',
    kind: 'errno',
    aliases: ['EHOSTUNREACH', 'No route to host', 'errno 113', 'ENETUNREACH', 'Network is unreachable'],
    seeAlso: ['syn-sent', 'etimedout', 'econnrefused'],
    refs: ['connect(2)', 'RFC 1122 4.2.3.9'],
    en: {
      title: 'EHOSTUNREACH: "No route to host" (and ENETUNREACH)',
      summary: 'An ICMP unreachable came back, or the local host could not resolve the next hop (no ARP/neighbour answer), or a firewall rejected with icmp-host-prohibited. ENETUNREACH: no route at all.',
      body: ['Check routes (ip route get ADDR), the neighbour table (ip neigh), and REJECT rules on both hosts. tcpdoctor trace ADDR shows where the path stops.'].join('\n\n'),
    },
    zh: {
      title: 'EHOSTUNREACH:“No route to host”（以及 ENETUNREACH）',
      summary: '收到了 ICMP 不可达，或本机无法解析下一跳（ARP/邻居无应答），或防火墙以 icmp-host-prohibited 拒绝。ENETUNREACH：根本没有路由。',
      body: ['检查路由（ip route get 地址）、邻居表（ip neigh）以及两台主机上的 REJECT 规则。tcpdoctor trace 地址 显示路径在哪里中断。'].join('\n\n'),
      aliases: ['没有到主机的路由', '主机不可达', '网络不可达'],
    },
  }),
]
