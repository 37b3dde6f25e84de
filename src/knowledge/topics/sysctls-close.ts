/**
 * @module
 * Sysctls of closing and TIME_WAIT: tcp_tw_reuse, tcp_tw_reuse_delay, tcp_tw_recycle,
 * tcp_fin_timeout, tcp_max_tw_buckets, tcp_max_orphans, tcp_orphan_retries.
 * Documentation/networking/ip-sysctl.rst; commits 4396e46187ca, 79e9fed46038.
 */
import { sysctlTopic } from './sysctl-topic.js'

export const sysctlsClose = [
  sysctlTopic({
    key: 'net.ipv4.tcp_tw_reuse',
    seeAlso: ['time-wait', 'port-exhaustion', 'tcp_timestamps', 'tcp_tw_reuse_delay', 'tcp_tw_recycle'],
    en: {
      summary: 'Lets a NEW OUTGOING connection take over a 4-tuple still in TIME_WAIT when TCP timestamps prove it safe. 0 off, 1 on, 2 loopback only (the default since Linux 4.19). It does nothing for incoming connections.',
      body: 'It matters only on hosts that open many connections to the same destination and close them first (clients, proxies, load generators). It needs tcp_timestamps on both ends. ip-sysctl.rst: "It should not be changed without advice/request of technical experts." Prefer connection reuse; set 1 on a load generator or a proxy that keeps running out of ports.',
    },
    zh: {
      summary: '在 TCP 时间戳证明安全时，允许“新的外发”连接接管仍处于 TIME_WAIT 的四元组。0 关闭，1 开启，2 仅回环（Linux 4.19 起的默认值）。对入站连接没有任何作用。',
      body: '它只对向同一目标建立大量连接并先关闭的主机有意义（客户端、代理、压测机）。两端都需要开启 tcp_timestamps。ip-sysctl.rst:“没有技术专家的建议或要求不应修改”。优先复用连接；对总是端口不够用的压测机或代理可设为 1。',
      aliases: ['TIME_WAIT重用', 'TIME_WAIT 复用'],
    },
    outdated: {
      en: { article: 'tcp_tw_reuse = 1 reuses TIME-WAIT sockets for new connections; default 0.', now: 'It only applies to outgoing connections, needs timestamps, and defaults to 2 (loopback only) since 4.19. A server with TIME_WAIT from incoming connections gains nothing from it.' },
      zh: { article: 'tcp_tw_reuse = 1 表示允许把 TIME-WAIT 套接字重新用于新连接，默认为 0。', now: '它只作用于外发连接，需要时间戳，且从 4.19 起默认为 2（仅回环）。TIME_WAIT 来自入站连接的服务器用它毫无收益。' },
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_tw_reuse_delay',
    seeAlso: ['tcp_tw_reuse', 'time-wait'],
    en: {
      summary: 'Milliseconds a TIME_WAIT socket must have existed before tcp_tw_reuse may take it over (default 1000). Present on recent kernels only (Linux 6.x).',
      body: 'Before it existed the delay was a fixed one second. Lowering it speeds up port reuse on loopback-heavy test rigs; leave it alone elsewhere.',
    },
    zh: {
      summary: 'TIME_WAIT 套接字至少存在多少毫秒后，tcp_tw_reuse 才能接管它（默认 1000）。只存在于较新的内核（Linux 6.x）。',
      body: '在它出现之前，这个延迟固定为一秒。在大量使用回环的测试环境中调低它可以加快端口复用；其他场合不要修改。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_tw_recycle',
    seeAlso: ['time-wait', 'tcp_tw_reuse', 'port-exhaustion', 'tcp_timestamps'],
    en: {
      summary: 'REMOVED in Linux 4.12. It dropped TIME_WAIT early using per-host timestamps and silently rejected SYNs from clients behind NAT. Delete it from sysctl.conf: on current kernels the line fails with "No such file or directory".',
      body: 'It assumed timestamps grow monotonically per source IP, which is false behind NAT (many hosts, one address) and since Linux 4.10 randomizes timestamp offsets per connection. The kernel removed it in commit 4396e46187ca "tcp: remove tcp_tw_recycle". tcpdoctor tune reports it wherever it is still configured.',
    },
    zh: {
      summary: '已在 Linux 4.12 删除。它利用按主机记录的时间戳提前回收 TIME_WAIT，会静默丢弃 NAT 后面客户端的 SYN。请从 sysctl.conf 中删除：在当前内核上这一行会报 “No such file or directory”。',
      body: '它假定同一源 IP 的时间戳单调递增，而这在 NAT 之后（多台主机共用一个地址）并不成立；Linux 4.10 起时间戳偏移还按连接随机化。内核在提交 4396e46187ca “tcp: remove tcp_tw_recycle” 中删除了它。tcpdoctor tune 会报告所有仍配置它的地方。',
      aliases: ['TIME_WAIT快速回收', '快速回收'],
    },
    outdated: {
      en: { article: 'Set tcp_tw_recycle = 1 to recycle TIME-WAIT sockets quickly.', now: 'It broke clients behind NAT (their SYNs were dropped) and was removed in Linux 4.12; setting it now fails.' },
      zh: { article: '设置 tcp_tw_recycle = 1 快速回收 TIME-WAIT 套接字。', now: '它会导致 NAT 后面的客户端连不上（SYN 被丢弃），已在 Linux 4.12 删除；现在设置会失败。' },
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_fin_timeout',
    seeAlso: ['fin-wait-2', 'time-wait', 'orphan-sockets'],
    en: {
      summary: 'How long an ORPHANED connection (already closed by the application) may stay in FIN_WAIT_2 waiting for the peer FIN. Default 60 s. It does not shorten TIME_WAIT.',
      body: 'ip-sysctl.rst: "The length of time an orphaned (no longer referenced by any application) connection will remain in the FIN_WAIT_2 state before it is aborted at the local end." Sockets still held by the application (after shutdown()) are not affected. Lowering it below 60 is rarely useful; very low values cut off slow peers that still have data to send.',
    },
    zh: {
      summary: '“孤儿”连接（应用程序已关闭）在 FIN_WAIT_2 中等待对端 FIN 的最长时间。默认 60 秒。它不会缩短 TIME_WAIT。',
      body: 'ip-sysctl.rst:“孤儿连接（不再被任何应用程序引用）在本端中止前保持 FIN_WAIT_2 状态的时长。”应用程序仍持有的套接字(shutdown() 之后)不受影响。调到 60 以下很少有用；过低的值会切断仍有数据要发送的慢速对端。',
    },
    outdated: {
      en: { article: 'tcp_fin_timeout = 30 changes the system default TIMEOUT (implied: TIME_WAIT ends sooner).', now: 'It bounds orphaned FIN_WAIT_2 only. TIME_WAIT is a fixed 60 s on Linux (TCP_TIMEWAIT_LEN).' },
      zh: { article: 'tcp_fin_timeout = 30 修改系统默认的 TIMEOUT 时间（言下之意：TIME_WAIT 更快结束）。', now: '它只限制孤儿 FIN_WAIT_2。Linux 上 TIME_WAIT 固定为 60 秒（TCP_TIMEWAIT_LEN）。' },
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_max_tw_buckets',
    seeAlso: ['time-wait', 'port-exhaustion'],
    en: {
      summary: 'The most TIME_WAIT sockets the host keeps; beyond it new ones are destroyed at once and "time wait bucket table overflow" is logged (TcpExtTCPTimeWaitOverflow). Default scales with memory. Do not lower it.',
      body: 'ip-sysctl.rst: "This limit exists only to prevent simple DoS attacks, you _must_ not lower the limit artificially, but rather increase it (probably, after increasing installed memory), if network conditions require more than default value." Destroying TIME_WAIT early brings back the risks TIME_WAIT prevents.',
    },
    zh: {
      summary: '主机保留的 TIME_WAIT 套接字上限；超出后新的会被立即销毁，并记录 “time wait bucket table overflow”（TcpExtTCPTimeWaitOverflow）。默认值随内存变化。不要调低。',
      body: 'ip-sysctl.rst:“这个限制只是为了防止简单的 DoS 攻击，绝不能人为调低，如果网络情况需要超过默认值，应该调高（可能要先增加内存）。”提前销毁 TIME_WAIT 会带回 TIME_WAIT 本来要防止的风险。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_max_orphans',
    seeAlso: ['orphan-sockets', 'tcp_orphan_retries', 'fin-wait-1'],
    en: {
      summary: 'The most orphaned sockets (closed by the application, still closing in the kernel); beyond it they are reset at once ("too many orphaned sockets"). Global: it exists only in the initial network namespace. Do not lower it.',
      body: 'ip-sysctl.rst: each orphan "eats up to ~64K of unswappable memory"; the limit prevents simple DoS attacks and "you shouldn\'t rely on this or lower the limit artificially, but rather increase it" when needed.',
    },
    zh: {
      summary: '孤儿套接字（应用程序已关闭、内核仍在关闭中）的上限；超出后立即重置（“too many orphaned sockets”）。全局参数：只存在于初始网络命名空间。不要调低。',
      body: 'ip-sysctl.rst：每个孤儿“最多占用约 64K 不可换出的内存”；该限制用于防止简单的 DoS 攻击，“不应依赖它或人为调低，需要时应调高”。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_orphan_retries',
    seeAlso: ['orphan-sockets', 'fin-wait-1', 'last-ack', 'closing'],
    en: {
      summary: 'How many times an orphaned connection retransmits (its FIN, usually) before the kernel kills it. Default 0, which means 8 (about 100 s or more at RTO backoff).',
      body: 'ip-sysctl.rst suggests lowering it on loaded web servers, since each orphan holds memory. Too low cuts off slow peers before they acknowledge the end of a response.',
    },
    zh: {
      summary: '孤儿连接在被内核杀掉之前重传（通常是 FIN）的次数。默认 0，表示 8 次（按 RTO 退避约 100 秒以上）。',
      body: 'ip-sysctl.rst 建议在负载高的 Web 服务器上调低它，因为每个孤儿都占用内存。过低会在慢速对端确认响应结束之前就切断它们。',
    },
  }),
]
