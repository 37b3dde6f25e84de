/**
 * @module
 * Sysctls of opening connections: tcp_syncookies, tcp_max_syn_backlog, somaxconn,
 * tcp_synack_retries, tcp_syn_retries, tcp_syn_linear_timeouts, tcp_abort_on_overflow,
 * tcp_fastopen. Documentation/networking/ip-sysctl.rst.
 */
import { sysctlTopic } from './sysctl-topic.js'

export const sysctlsOpen = [
  sysctlTopic({
    key: 'net.ipv4.tcp_syncookies',
    seeAlso: ['syn-flood', 'tcp_max_syn_backlog', 'listen-overflow'],
    en: {
      summary: 'Answer with SYN cookies when a listener\'s SYN queue overflows, so a SYN flood cannot lock out real clients. 1 (default) when needed, 2 always, 0 never. Keep it at 1.',
      body: 'Cookies cost some TCP options on the affected connections (older kernels lost window scaling; with timestamps most options are encoded). ip-sysctl.rst: syncookies are a fallback and "MUST NOT be used to help highly loaded servers to stand against legal connection rate"; if cookies are sent under normal load, raise the backlog instead.',
    },
    zh: {
      summary: '监听套接字的 SYN 队列溢出时用 SYN cookie 应答，让 SYN 洪水无法把真实客户端挡在外面。1（默认）按需启用，2 总是启用，0 从不启用。保持为 1。',
      body: 'cookie 会让受影响的连接损失一些 TCP 选项（旧内核会丢失窗口缩放；有时间戳时大多数选项可以编码）。ip-sysctl.rst:syncookies 是后备机制，“绝不能用来帮助高负载服务器应对合法的连接速率”；如果正常负载下也在发送 cookie，应调大 backlog。',
    },
    outdated: {
      en: { article: 'tcp_syncookies = 1 enables SYN cookies, default 0; it is listed among the fixes for many TIME_WAIT.', now: 'It defaults to 1 on every mainstream distribution and kernel build, and it has nothing to do with TIME_WAIT: it only acts when a SYN queue overflows.' },
      zh: { article: 'tcp_syncookies = 1 开启 SYN cookies，默认为 0；它被列为解决大量 TIME_WAIT 的方法之一。', now: '在主流发行版和内核配置中它默认为 1，并且与 TIME_WAIT 毫无关系：它只在 SYN 队列溢出时起作用。' },
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_max_syn_backlog',
    seeAlso: ['syn-flood', 'new-syn-recv', 'somaxconn', 'tcp_syncookies'],
    en: {
      summary: 'The most half-open connection requests (SYN received, ACK pending) a listener keeps before syncookies or drops take over. Default between 128 and a few thousand, from memory.',
      body: 'The effective limit per listener also depends on the listen() backlog. Raise it together with somaxconn on busy servers; a SYN queue that is full under normal load shows up as TcpExtTCPReqQFullDoCookies or TcpExtTCPReqQFullDrop.',
    },
    zh: {
      summary: '监听套接字在启用 syncookies 或丢弃之前最多保留的半连接请求数（已收到 SYN、等待 ACK）。默认在 128 到几千之间，由内存决定。',
      body: '每个监听套接字的实际上限还取决于 listen() 的 backlog。繁忙的服务器应与 somaxconn 一起调大；正常负载下 SYN 队列满会体现为 TcpExtTCPReqQFullDoCookies 或 TcpExtTCPReqQFullDrop。',
      aliases: ['半连接队列'],
    },
  }),
  sysctlTopic({
    key: 'net.core.somaxconn',
    seeAlso: ['listen-overflow', 'listen', 'tcp_max_syn_backlog'],
    aliases: ['SOMAXCONN'],
    en: {
      summary: 'Upper limit for the accept-queue length passed to listen(): backlog = min(listen() argument, somaxconn). 4096 since Linux 5.4; 128 before.',
      body: 'Applications that pass a large backlog (nginx, Java, Node.js use 511 or more) are silently capped by it. On kernels older than 5.4 raise it to 4096 or more on servers. It is per network namespace.',
    },
    zh: {
      summary: '传给 listen() 的 accept 队列长度上限：backlog = min(listen() 参数， somaxconn)。Linux 5.4 起为 4096；之前为 128。',
      body: '传入较大 backlog 的应用程序（nginx、Java、Node.js 使用 511 或更大）会被它静默截断。在 5.4 以前的内核上，服务器应调到 4096 或更高。它按网络命名空间隔离。',
      aliases: ['全连接队列上限'],
    },
    outdated: {
      en: { article: 'Guides of the article\'s era assume somaxconn = 128 and tell you to raise it.', now: 'The default is 4096 since Linux 5.4; only older kernels need it raised.' },
      zh: { article: '与原文同时代的指南假定 somaxconn = 128，并要求调大。', now: '从 Linux 5.4 起默认为 4096；只有旧内核才需要调大。' },
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_synack_retries',
    seeAlso: ['syn-recv', 'syn-flood', 'syn-ack'],
    en: {
      summary: 'How many times a SYN+ACK is retransmitted for a pending request. Default 5: the request is dropped after about 63 s (1+2+4+8+16+32).',
      body: 'Lowering it (to 2 or 3) frees the SYN queue faster during a flood but hurts clients on lossy paths. With syncookies on it matters less.',
    },
    zh: {
      summary: '对一个待处理请求重传 SYN+ACK 的次数。默认 5：约 63 秒（1+2+4+8+16+32）后丢弃该请求。',
      body: '调低（到 2 或 3）可以在洪水时更快释放 SYN 队列，但会伤害链路丢包的客户端。开启 syncookies 时它的影响较小。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_syn_retries',
    seeAlso: ['syn-sent', 'etimedout', 'tcp_syn_linear_timeouts'],
    en: {
      summary: 'How many times connect() retransmits its SYN before failing with ETIMEDOUT. Default 6: about 127 s with exponential backoff (1+2+4+8+16+32+64); about 135 s measured on 6.18, where tcp_syn_linear_timeouts adds retries.',
      body: 'Clients that must fail fast should set a connect timeout in the application (or TCP_SYNCNT per socket) rather than lower this for the whole host.',
    },
    zh: {
      summary: 'connect() 在以 ETIMEDOUT 失败之前重传 SYN 的次数。默认 6：指数退避下约 127 秒（1+2+4+8+16+32+64）；在 6.18 上实测约 135 秒，因为 tcp_syn_linear_timeouts 增加了重试。',
      body: '需要快速失败的客户端应在应用程序中设置连接超时（或对单个套接字设置 TCP_SYNCNT），而不是为整台主机调低它。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_syn_linear_timeouts',
    seeAlso: ['tcp_syn_retries', 'syn-sent'],
    en: {
      summary: 'On recent kernels (6.x), the number of SYN retransmissions done with a linear (1 s) timeout before exponential backoff starts. Default 4; these retries are added to tcp_syn_retries.',
      body: 'With the defaults the SYN goes out at 0, 1, 2, 3, 4, 5 s, then backs off 2, 4, 8 ... s, so a dropped SYN is retried quickly on a lossy network while the total time to ETIMEDOUT stays about two minutes. Only present where the kernel has it; tcpdoctor tune says so.',
    },
    zh: {
      summary: '在较新的内核（6.x）上，开始指数退避之前以线性（1 秒）超时重传 SYN 的次数。默认 4；这些重试加在 tcp_syn_retries 之上。',
      body: '默认设置下 SYN 在 0、1、2、3、4、5 秒发出，之后按 2、4、8……秒退避，这样在丢包网络上丢失的 SYN 能快速重试，而到 ETIMEDOUT 的总时间仍约为两分钟。只在内核支持时存在；tcpdoctor tune 会说明。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_abort_on_overflow',
    seeAlso: ['listen-overflow', 'econnreset', 'reset'],
    en: {
      summary: 'When the accept queue is full: 0 (default) drop the client\'s final ACK so it retries later; 1 reset the connection so the client fails at once with ECONNRESET.',
      body: 'ip-sysctl.rst: enable it only if you are sure the listener cannot be tuned to accept faster; it hurts clients during short bursts that the default would absorb.',
    },
    zh: {
      summary: 'accept 队列满时：0（默认）丢弃客户端的最后一个 ACK，让它稍后重试；1 复位连接，客户端立即以 ECONNRESET 失败。',
      body: 'ip-sysctl.rst：只有在确定无法让监听程序更快 accept 时才开启；在默认设置能吸收的短时突发中，它反而会伤害客户端。',
    },
  }),
  sysctlTopic({
    key: 'net.ipv4.tcp_fastopen',
    seeAlso: ['handshake', 'syn'],
    aliases: ['TFO', 'TCP Fast Open'],
    en: {
      summary: 'TCP Fast Open (RFC 7413): data in the SYN on repeat connections. Bitmask: 1 client (default), 2 server, 3 both; applications must also opt in (TCP_FASTOPEN, MSG_FASTOPEN).',
      body: 'Saves one RTT for short requests; some middleboxes drop SYNs with data, and Linux backs off automatically (tcp_fastopen_blackhole_timeout_sec).',
    },
    zh: {
      summary: 'TCP Fast Open(RFC 7413)：重复连接时在 SYN 中携带数据。位掩码：1 客户端（默认），2 服务器，3 两者；应用程序也必须主动使用（TCP_FASTOPEN、MSG_FASTOPEN）。',
      body: '对短请求可节省一个 RTT；部分中间设备会丢弃带数据的 SYN,Linux 会自动退避（tcp_fastopen_blackhole_timeout_sec）。',
    },
  }),
]
