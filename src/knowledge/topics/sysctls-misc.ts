/**
 * @module
 * Sysctls of liveness, ports and buffers: keepalive, tcp_retries2, ip_local_port_range,
 * ip_local_reserved_ports, tcp_mem/rmem/wmem, timestamps, SACK, window scaling, slow start after
 * idle, congestion control, and two legacy no-ops. Documentation/networking/ip-sysctl.rst.
 */
import { sysctlTopic } from './sysctl-topic.js'

export const sysctlsMisc = [
  sysctlTopic({
    key: 'net.ipv4.tcp_keepalive_time',
    seeAlso: ['keepalive', 'tcp_keepalive_intvl', 'tcp_keepalive_probes', 'half-open'],
    en: { summary: 'Idle seconds before the first keepalive probe, for sockets with SO_KEEPALIVE that did not set TCP_KEEPIDLE. Default 7200 (2 hours).', body: 'Time to detect a dead peer = time + intvl x probes (default 7200 + 75 x 9 = 7875 s). NAT gateways and firewalls often forget idle flows after 5 to 30 minutes, so servers with long idle connections use 300 to 600.' },
    zh: { summary: '对开启了 SO_KEEPALIVE 但没有设置 TCP_KEEPIDLE 的套接字，发送第一个保活探测前的空闲秒数。默认 7200（2 小时）。', body: '发现对端失效的时间 = time + intvl x probes（默认 7200 + 75 x 9 = 7875 秒）。NAT 网关和防火墙常在 5 到 30 分钟后忘记空闲的流，所以有长时间空闲连接的服务器常用 300 到 600。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_keepalive_intvl',
    seeAlso: ['keepalive', 'tcp_keepalive_time', 'tcp_keepalive_probes'],
    en: { summary: 'Seconds between keepalive probes when the peer does not answer. Default 75.', body: 'Only for sockets with SO_KEEPALIVE that did not set TCP_KEEPINTVL themselves. With the defaults, 9 probes 75 s apart add 11 min 15 s after the 2 hour idle time before the connection fails with ETIMEDOUT.' },
    zh: { summary: '对端不应答时两次保活探测之间的秒数。默认 75。', body: '只作用于开启了 SO_KEEPALIVE 且没有自行设置 TCP_KEEPINTVL 的套接字。默认设置下，在 2 小时空闲之后还要再发 9 次间隔 75 秒的探测，即再过 11 分 15 秒，连接才以 ETIMEDOUT 失败。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_keepalive_probes',
    seeAlso: ['keepalive', 'tcp_keepalive_time', 'tcp_keepalive_intvl'],
    en: { summary: 'Unanswered keepalive probes before the connection is declared dead (ETIMEDOUT). Default 9.', body: 'Only for sockets with SO_KEEPALIVE that did not set TCP_KEEPCNT themselves. A peer that answers any probe resets the count; a rebooted peer answers with RST and the connection fails at once with ECONNRESET.' },
    zh: { summary: '连接被判定失效（ETIMEDOUT）前未应答的保活探测次数。默认 9。', body: '只作用于开启了 SO_KEEPALIVE 且没有自行设置 TCP_KEEPCNT 的套接字。对端应答任何一次探测都会让计数重新开始；已重启的对端会回复 RST，连接立即以 ECONNRESET 失败。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_retries2',
    seeAlso: ['retransmission', 'half-open', 'etimedout'],
    aliases: ['tcp_retries1'],
    en: { summary: 'How many RTO timeouts unacknowledged data survives before the connection is killed with ETIMEDOUT. Default 15, about 924.6 s with a 200 ms minimum RTO.', body: 'RFC 1122 asks for at least 100 s; ip-sysctl.rst suggests no lower than 8 (about 100 s). TCP_USER_TIMEOUT is the per-socket, time-based alternative. tcp_retries1 (default 3) only triggers route re-validation, not the abort.' },
    zh: { summary: '未确认的数据经历多少次 RTO 超时后连接以 ETIMEDOUT 终止。默认 15，在 200 毫秒最小 RTO 下约 924.6 秒。', body: 'RFC 1122 要求至少 100 秒；ip-sysctl.rst 建议不低于 8（约 100 秒）。TCP_USER_TIMEOUT 是按套接字、按时间设置的替代方法。tcp_retries1（默认 3）只触发路由重新确认，不会中止连接。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.ip_local_port_range',
    seeAlso: ['ephemeral-port-range', 'port-exhaustion', 'ip_local_reserved_ports', 'eaddrnotavail'],
    en: { summary: 'The ephemeral (source) port range, two numbers. Default 32768 60999 (28,232 ports per destination).', body: 'ip-sysctl.rst: "it is better these numbers have different parity (one even and one odd value)". Ports that services listen on inside the range should be listed in ip_local_reserved_ports. Widening to 1024-65535 (or 10000-65535) is the usual fix for clients and proxies that run out of ports.' },
    zh: { summary: '临时（源）端口范围，两个数字。默认 32768 60999（每个目标 28,232 个端口）。', body: 'ip-sysctl.rst:“这两个数最好奇偶性不同（一个偶数一个奇数）”。范围内如有服务监听的端口，应列入 ip_local_reserved_ports。对端口不够用的客户端和代理，通常的修复是扩大到 1024-65535（或 10000-65535）。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.ip_local_reserved_ports',
    seeAlso: ['ip_local_port_range', 'ephemeral-port-range'],
    en: { summary: 'Ports (list or ranges, "8080,9000-9100") the kernel never picks as ephemeral ports, so services that start later can still bind them. Default empty.', body: 'Explicit bind() to a reserved port still works; only automatic selection skips it.' },
    zh: { summary: '内核永远不会选作临时端口的端口（列表或范围，如 “8080,9000-9100”），这样后启动的服务仍能绑定它们。默认为空。', body: '显式 bind() 到保留端口仍然可以；只有自动选择会跳过它们。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_mem',
    seeAlso: ['tcp-memory', 'tcp_rmem', 'tcp_wmem'],
    en: { summary: 'Three numbers in PAGES for all TCP sockets together: low, pressure, max. Computed at boot from RAM. Global: it exists only in the initial network namespace.', body: 'Above pressure the kernel moderates buffers; above max it refuses allocations and logs "TCP: out of memory -- consider tuning tcp_mem". Do not copy values from another machine: they are pages, not bytes.' },
    zh: { summary: '所有 TCP 套接字合计的三个值，单位是“页”:low、pressure、max。启动时根据内存计算。全局参数：只存在于初始网络命名空间。', body: '超过 pressure 时内核会收紧缓冲区；超过 max 时拒绝分配并记录 “TCP: out of memory -- consider tuning tcp_mem”。不要照抄其他机器的值：单位是页，不是字节。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_rmem',
    seeAlso: ['tcp_wmem', 'tcp_mem', 'tcp_window_scaling'],
    en: { summary: 'Receive buffer per socket in bytes: min, default, max. Autotuning grows the buffer up to max (default max 6 MB). Setting SO_RCVBUF disables autotuning for that socket.', body: 'Raise max for high bandwidth x delay paths (max >= bandwidth x RTT). Together with many connections a large max can push the host into tcp_mem pressure.' },
    zh: { summary: '每个套接字的接收缓冲区（字节）：min、default、max。自动调整会把缓冲区增大到 max（默认 max 为 6 MB）。设置 SO_RCVBUF 会关闭该套接字的自动调整。', body: '对高带宽时延积的路径调大 max（max >= 带宽 x RTT）。连接很多时，过大的 max 可能让主机进入 tcp_mem 压力状态。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_wmem',
    seeAlso: ['tcp_rmem', 'tcp_mem'],
    en: { summary: 'Send buffer per socket in bytes: min, default, max (default 4096 16384 4194304). Autotuned up to max unless SO_SNDBUF is set.', body: 'A socket with a full send buffer blocks writers; large Send-Q on ESTABLISHED sockets means a slow receiver or a congested path.' },
    zh: { summary: '每个套接字的发送缓冲区（字节）：min、default、max（默认 4096 16384 4194304）。除非设置了 SO_SNDBUF，会自动调整到 max。', body: '发送缓冲区满的套接字会阻塞写入者；ESTABLISHED 套接字的 Send-Q 很大说明接收方慢或路径拥塞。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_timestamps',
    seeAlso: ['tcp_tw_reuse', 'tcp_tw_recycle', 'time-wait'],
    en: { summary: 'TCP timestamps (RFC 7323): RTT measurement and protection against wrapped sequence numbers (PAWS). Default 1 (with random per-connection offsets). tcp_tw_reuse needs them.', body: 'Turning them off saves 10 bytes per segment but disables tcp_tw_reuse and PAWS; keep 1.' },
    zh: { summary: 'TCP 时间戳（RFC 7323）：测量 RTT，并防止序列号回绕（PAWS）。默认 1（每个连接使用随机偏移）。tcp_tw_reuse 需要它。', body: '关闭它每个报文可省 10 字节，但会让 tcp_tw_reuse 和 PAWS 失效；保持为 1。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_sack',
    seeAlso: ['retransmission', 'tcp_fack'],
    en: { summary: 'Selective acknowledgments (RFC 2018): the receiver reports which ranges arrived, so the sender retransmits only what is missing. Default 1; keep it.', body: 'Disabling it was a workaround for the 2019 SACK Panic bug (CVE-2019-11477); patched kernels do not need it.' },
    zh: { summary: '选择性确认（RFC 2018）：接收方报告收到了哪些范围，发送方只重传缺失的部分。默认 1；保持开启。', body: '关闭它曾是 2019 年 SACK Panic 漏洞（CVE-2019-11477）的临时规避手段；已修补的内核不需要。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_window_scaling',
    seeAlso: ['tcp_rmem'],
    en: { summary: 'Window scaling (RFC 7323): windows larger than 64 KB. Default 1. With 0 a connection cannot exceed 64 KB per RTT.', body: 'Some very old middleboxes mangled the option; that is no reason to disable it today.' },
    zh: { summary: '窗口缩放（RFC 7323）：允许大于 64 KB 的窗口。默认 1。设为 0 时每个 RTT 最多传 64 KB。', body: '一些非常老的中间设备会篡改这个选项；如今这不再是关闭它的理由。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_slow_start_after_idle',
    seeAlso: ['tcp_congestion_control', 'keepalive'],
    en: { summary: 'Reset the congestion window after an idle period (RFC 5681). Default 1. Setting 0 helps long-lived connections with bursty traffic (HTTP/2, RPC) keep their speed.', body: 'The reset is conservative for paths whose conditions may have changed while idle; inside a datacenter 0 is common.' },
    zh: { summary: '空闲一段时间后重置拥塞窗口（RFC 5681）。默认 1。设为 0 有助于流量突发的长连接（HTTP/2、RPC）保持速度。', body: '重置是针对空闲期间路径状况可能已变化的保守做法；在数据中心内设为 0 很常见。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_congestion_control',
    seeAlso: ['retransmission', 'tcp_slow_start_after_idle'],
    en: { summary: 'Default congestion control for new connections: cubic on most kernels; bbr if the module is available and chosen. Applications can pick per socket (TCP_CONGESTION).', body: 'Allowed choices are in tcp_allowed_congestion_control, loaded ones in tcp_available_congestion_control. BBR usually pairs with the fq qdisc for pacing.' },
    zh: { summary: '新连接默认使用的拥塞控制算法：多数内核为 cubic；模块可用并被选中时为 bbr。应用程序可按套接字选择（TCP_CONGESTION）。', body: '允许的选择见 tcp_allowed_congestion_control，已加载的见 tcp_available_congestion_control。BBR 通常搭配 fq 队列规则做发送节奏控制。' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_low_latency',
    seeAlso: ['sysctl-risk'],
    en: { summary: 'Legacy: no effect since Linux 4.14 (the prequeue it controlled was removed). Remove it from configuration.', body: 'ip-sysctl.rst: "This is a legacy option, it has no effect anymore."' },
    zh: { summary: '遗留参数：从 Linux 4.14 起不再有任何作用（它控制的 prequeue 已删除）。从配置中删除。', body: 'ip-sysctl.rst:“这是遗留选项，已不再有任何作用。”' },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_fack',
    seeAlso: ['tcp_sack', 'sysctl-risk'],
    en: { summary: 'Legacy: forward acknowledgment was replaced by RACK and the knob has no effect since Linux 4.15. Remove it from configuration.', body: 'ip-sysctl.rst: "This is a legacy option, it has no effect anymore."' },
    zh: { summary: '遗留参数：前向确认已被 RACK 取代，从 Linux 4.15 起该开关不再有作用。从配置中删除。', body: 'ip-sysctl.rst:“这是遗留选项，已不再有任何作用。”' },
  }),
]
