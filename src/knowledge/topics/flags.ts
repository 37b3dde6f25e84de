/**
 * @module
 * The TCP header flags one by one. RFC 9293 3.1 (header), RFC 3168 (ECE, CWR), RFC 3540 and
 * RFC 8311 (NS, historic), RFC 6093 (URG).
 */
import { topic } from '../types.js'

export const flags = [
  topic({
    id: 'tcp-flags',
    kind: 'concept',
    aliases: ['flags', 'tcp flags', 'control bits', 'flag'],
    seeAlso: ['syn', 'ack', 'fin', 'rst', 'psh', 'urg', 'ece', 'cwr', 'ns', 'syn-ack', 'syn-fin', 'xmas-scan'],
    refs: ['RFC 9293 3.1', 'RFC 3168', 'RFC 8311'],
    en: {
      title: 'TCP flags (control bits)',
      summary: 'Eight one-bit flags in every TCP header: CWR ECE URG ACK PSH RST SYN FIN. SYN opens, FIN closes gently, RST aborts, ACK acknowledges, PSH and URG are hints, ECE and CWR carry congestion signals (ECN).',
      body: [
        'In header order (RFC 9293, RFC 3168): CWR, ECE, URG, ACK, PSH, RST, SYN, FIN. The article lists six (SYN FIN ACK PSH RST URG); ECE and CWR were added for Explicit Congestion Notification in 2001, and the NS bit (RFC 3540) was made historic by RFC 8311.',
        'SYN and FIN each consume one sequence number, like one byte of data. The sequence space is 32 bits and wraps; TCP timestamps (PAWS) protect fast connections against old wrapped segments.',
        'Legal combinations: SYN alone, SYN+ACK, ACK alone, PSH+ACK (data), FIN+ACK, RST, RST+ACK, and ECE/CWR on top of those. Never legal: SYN+FIN, SYN+RST, no flag at all (null), FIN+PSH+URG (xmas): scanners and attacks use them, and tcpdoctor analyze flags them.',
      ].join('\n\n'),
    },
    zh: {
      title: 'TCP 标志位（控制位）',
      summary: '每个 TCP 报头中有 8 个一位的标志：CWR ECE URG ACK PSH RST SYN FIN。SYN 建立连接，FIN 正常关闭，RST 中止，ACK 确认，PSH 和 URG 是提示，ECE 和 CWR 传递拥塞信号（ECN）。',
      body: [
        '按报头中的顺序（RFC 9293、RFC 3168）：CWR、ECE、URG、ACK、PSH、RST、SYN、FIN。原文只列了六个（SYN FIN ACK PSH RST URG）；ECE 和 CWR 是 2001 年为显式拥塞通知（ECN）加入的，NS 位（RFC 3540）已被 RFC 8311 列为历史。',
        'SYN 和 FIN 各占用一个序列号，就像一个字节的数据。序列号空间是 32 位，会回绕；TCP 时间戳（PAWS）保护高速连接不受回绕后旧报文的干扰。',
        '合法组合：单独 SYN、SYN+ACK、单独 ACK、PSH+ACK（数据）、FIN+ACK、RST、RST+ACK，以及在这些之上的 ECE/CWR。永远不合法：SYN+FIN、SYN+RST、没有任何标志（null）、FIN+PSH+URG(xmas)：扫描器和攻击会使用它们，tcpdoctor analyze 会标记出来。',
      ].join('\n\n'),
      aliases: ['标志位', 'TCP标志', '控制位'],
    },
    outdated: {
      en: { article: 'The FLAGS field has six flags: SYN, FIN, ACK, PSH, RST, URG.', now: 'There are eight: CWR and ECE (RFC 3168, ECN) come first; NS (RFC 3540) is historic (RFC 8311); URG is discouraged for new applications (RFC 6093). RFC 793 is obsoleted by RFC 9293.' },
      zh: { article: 'FLAGS 字段有六个标志：SYN、FIN、ACK、PSH、RST、URG。', now: '共有八个：最前面是 CWR 和 ECE(RFC 3168,ECN);NS（RFC 3540）已成历史（RFC 8311）；新应用不建议使用 URG（RFC 6093）。RFC 793 已被 RFC 9293 取代。' },
    },
  }),
  topic({
    id: 'syn',
    kind: 'flag',
    aliases: ['SYN', 'synchronize'],
    seeAlso: ['handshake', 'syn-ack', 'syn-sent', 'syn-flood', 'tcp-flags'],
    refs: ['RFC 9293 3.5'],
    en: {
      title: 'SYN (synchronize)',
      summary: 'Opens a connection and carries the initial sequence number (ISN). Only the first segment of each direction has it.',
      body: [
        'The client sends SYN with its ISN (seq=j); the server answers SYN+ACK with its own ISN (seq=k, ack=j+1). The SYN also carries the options both sides agree on once: MSS, window scale, SACK permitted, timestamps, TCP Fast Open cookie.',
        'ISNs are chosen from a clock plus a keyed hash of the 4-tuple (RFC 6528), so they cannot be guessed. A SYN with data is only accepted with TCP Fast Open.',
      ].join('\n\n'),
    },
    zh: {
      title: 'SYN（同步）',
      summary: '建立连接，并携带初始序列号（ISN）。每个方向只有第一个报文带它。',
      body: [
        '客户端发送带 ISN 的 SYN(seq=j)；服务器回复 SYN+ACK，带上自己的 ISN（seq=k, ack=j+1）。SYN 还携带双方只协商一次的选项：MSS、窗口缩放、SACK 允许、时间戳、TCP Fast Open cookie。',
        'ISN 由时钟加上四元组的带密钥哈希生成（RFC 6528），无法被猜到。只有启用 TCP Fast Open 时，带数据的 SYN 才会被接受。',
      ].join('\n\n'),
      aliases: ['同步标志'],
    },
  }),
  topic({
    id: 'ack',
    kind: 'flag',
    aliases: ['ACK', 'acknowledgment', 'acknowledgement'],
    seeAlso: ['handshake', 'psh-ack', 'tcp-flags', 'retransmission'],
    refs: ['RFC 9293 3.4'],
    en: {
      title: 'ACK (acknowledgment)',
      summary: 'The acknowledgment number is valid: "I have everything before this byte". Every segment after the first SYN carries it.',
      body: [
        'The ack number is the next sequence number expected, so it acknowledges all bytes before it (cumulative). SACK (RFC 2018) adds ranges received out of order; duplicate ACKs signal a gap and drive fast retransmission.',
        'Linux delays pure ACKs a little (delayed ACK, up to about 40 ms at first) to combine them with data or acknowledge two segments at once.',
      ].join('\n\n'),
    },
    zh: {
      title: 'ACK（确认）',
      summary: '确认号有效：“这个字节之前的我都收到了”。除第一个 SYN 外每个报文都带它。',
      body: [
        '确认号是期望收到的下一个序列号，因此它确认了之前的所有字节（累计确认）。SACK（RFC 2018）补充了乱序收到的范围；重复 ACK 表示有缺口，会触发快速重传。',
        'Linux 会稍微延迟纯 ACK（延迟确认，起初最多约 40 毫秒），以便与数据一起发送，或一次确认两个报文。',
      ].join('\n\n'),
      aliases: ['确认标志', '确认'],
    },
  }),
  topic({
    id: 'fin',
    kind: 'flag',
    aliases: ['FIN', 'finish'],
    seeAlso: ['teardown', 'half-close', 'fin-ack', 'fin-wait-1', 'close-wait'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'FIN (finish)',
      summary: 'The sender has no more data: it closes its direction of the connection. The other direction stays open until the peer sends its own FIN.',
      body: [
        'FIN consumes one sequence number and is acknowledged like data. Receiving it makes read() return 0 (end of file) after the buffered data. It is sent by close() or shutdown(SHUT_WR), after all queued data.',
        'Because each direction closes separately, a normal close takes four segments (FIN, ACK, FIN, ACK), often three when the second FIN rides on the ACK.',
      ].join('\n\n'),
    },
    zh: {
      title: 'FIN（结束）',
      summary: '发送方不再有数据：它关闭自己这个方向。另一个方向保持打开，直到对端发送自己的 FIN。',
      body: [
        'FIN 占用一个序列号，像数据一样需要确认。收到它后，缓冲数据读完时 read() 返回 0（文件结束）。它由 close() 或 shutdown(SHUT_WR) 在所有排队数据之后发出。',
        '由于两个方向分别关闭，正常关闭需要四个报文（FIN、ACK、FIN、ACK），当第二个 FIN 与 ACK 合并时常常只需三个。',
      ].join('\n\n'),
      aliases: ['结束标志', '终止标志'],
    },
  }),
  topic({
    id: 'rst',
    kind: 'flag',
    aliases: ['RST', 'reset flag'],
    seeAlso: ['reset', 'rst-ack', 'econnreset', 'econnrefused', 'syn-rst'],
    refs: ['RFC 9293 3.5.2', 'RFC 5961'],
    en: {
      title: 'RST (reset)',
      summary: 'Aborts the connection at once: no FIN handshake, no TIME_WAIT on the receiver, unsent and unread data is lost. The receiver sees ECONNRESET (or ECONNREFUSED in answer to a SYN).',
      body: [
        'A TCP sends RST for a segment that belongs to no connection (a SYN to a closed port, data to a socket that was already closed), when an application closes with unread data in its receive buffer, when SO_LINGER with timeout 0 is used, or when the kernel gives up on an orphan.',
        'Linux only accepts an RST whose sequence number matches exactly; one that is merely in the window gets a challenge ACK (RFC 5961), which defeats blind reset attacks. Middleboxes (firewalls, load balancers) also forge resets.',
        'The article says RST usually follows FIN; in practice it often comes without any FIN.',
      ].join('\n\n'),
    },
    zh: {
      title: 'RST（复位）',
      summary: '立即中止连接：没有 FIN 握手，接收方没有 TIME_WAIT，未发送和未读的数据全部丢失。接收方得到 ECONNRESET（若是对 SYN 的回应则是 ECONNREFUSED）。',
      body: [
        'TCP 在以下情况发送 RST：报文不属于任何连接（发往未监听端口的 SYN、发往已关闭套接字的数据）；应用程序关闭时接收缓冲区中还有未读数据；使用超时为 0 的 SO_LINGER；内核放弃孤儿套接字。',
        'Linux 只接受序列号完全匹配的 RST；序列号仅在窗口内的会收到挑战 ACK(RFC 5961)，这可以抵御盲目复位攻击。中间设备（防火墙、负载均衡器）也会伪造复位。',
        '原文说 RST 一般出现在 FIN 之后；实际上它常常在没有任何 FIN 的情况下出现。',
      ].join('\n\n'),
      aliases: ['复位标志', '重置标志', 'RST标志'],
    },
  }),
  topic({
    id: 'psh',
    kind: 'flag',
    aliases: ['PSH', 'push'],
    seeAlso: ['psh-ack', 'tcp-flags'],
    refs: ['RFC 9293 3.9.1'],
    en: {
      title: 'PSH (push)',
      summary: 'A hint that the sender has no more data queued right now, so the receiver should hand the data to the application without waiting. Linux sets it on the last segment of a write.',
      body: [
        'PSH does not mark message boundaries and applications cannot set it through the socket API. The article says PSH means the segment carries data; that is mostly what you see (PSH+ACK on data segments), but data segments without PSH are normal too, in the middle of a large write.',
      ].join('\n\n'),
    },
    zh: {
      title: 'PSH（推送）',
      summary: '提示发送方此刻没有更多排队数据，接收方应立即把数据交给应用程序而不必等待。Linux 在一次写入的最后一个报文上设置它。',
      body: [
        'PSH 并不标记消息边界，应用程序也无法通过套接字 API 设置它。原文说 PSH 表示报文带有数据；你看到的大多确实如此（数据报文上的 PSH+ACK），但大块写入中间的数据报文不带 PSH 也是正常的。',
      ].join('\n\n'),
      aliases: ['推送标志', '推送'],
    },
  }),
  topic({
    id: 'urg',
    kind: 'flag',
    aliases: ['URG', 'urgent', 'urgent pointer', 'out-of-band', 'MSG_OOB'],
    seeAlso: ['tcp-flags'],
    refs: ['RFC 9293 3.8.5', 'RFC 6093'],
    en: {
      title: 'URG (urgent)',
      summary: 'The urgent pointer is valid (out-of-band data, MSG_OOB). Historic: implementations disagree on its meaning and RFC 6093 tells new applications not to use it.',
      body: [
        'Telnet and FTP used it to interrupt a transfer. Middleboxes may clear or reject it. In captures, URG usually appears only in scans (xmas) and attacks.',
      ].join('\n\n'),
    },
    zh: {
      title: 'URG（紧急）',
      summary: '紧急指针有效（带外数据，MSG_OOB）。已过时：各实现对其含义理解不一，RFC 6093 要求新应用不要使用。',
      body: ['Telnet 和 FTP 曾用它中断传输。中间设备可能清除或拒绝它。在抓包中，URG 通常只出现在扫描（xmas）和攻击中。'].join('\n\n'),
      aliases: ['紧急标志', '紧急指针'],
    },
  }),
  topic({
    id: 'ece',
    kind: 'flag',
    aliases: ['ECE', 'ECN-Echo', 'ECN echo', 'ecn'],
    seeAlso: ['cwr', 'tcp-flags'],
    refs: ['RFC 3168', 'ip-sysctl.rst tcp_ecn'],
    en: {
      title: 'ECE (ECN-Echo)',
      summary: 'Explicit Congestion Notification: on SYN it offers ECN; later it tells the sender that a router marked a packet "congestion experienced" instead of dropping it.',
      body: [
        'SYN+ECE+CWR offers ECN, SYN+ACK+ECE accepts. Afterwards the receiver sets ECE until the sender answers with CWR. Linux requests ECN on outgoing connections only if tcp_ecn=1 and accepts it when asked by default (tcp_ecn=2). The article does not list ECE; it belongs in every modern flag list.',
      ].join('\n\n'),
    },
    zh: {
      title: 'ECE（ECN 回显）',
      summary: '显式拥塞通知：在 SYN 上表示支持 ECN；之后用来告诉发送方，路由器把某个包标记为“经历拥塞”而不是丢弃它。',
      body: ['SYN+ECE+CWR 表示请求 ECN,SYN+ACK+ECE 表示接受。之后接收方持续设置 ECE，直到发送方以 CWR 回应。Linux 只有在 tcp_ecn=1 时才为外发连接请求 ECN，默认（tcp_ecn=2）在对方请求时接受。原文没有列出 ECE；现代的标志列表都应包含它。'].join('\n\n'),
      aliases: ['拥塞回显', 'ECN回显'],
    },
  }),
  topic({
    id: 'cwr',
    kind: 'flag',
    aliases: ['CWR', 'congestion window reduced'],
    seeAlso: ['ece', 'tcp-flags'],
    refs: ['RFC 3168'],
    en: {
      title: 'CWR (congestion window reduced)',
      summary: 'The sender tells the receiver it has reacted to an ECN echo by reducing its congestion window, so the receiver can stop setting ECE.',
      body: ['Part of ECN (RFC 3168) together with ECE; on a SYN, ECE+CWR together mean "I support ECN".'].join('\n\n'),
    },
    zh: {
      title: 'CWR（拥塞窗口已减小）',
      summary: '发送方告诉接收方：它已对 ECN 回显作出反应、减小了拥塞窗口，接收方可以停止设置 ECE。',
      body: ['与 ECE 一起构成 ECN(RFC 3168)；在 SYN 上同时设置 ECE+CWR 表示“我支持 ECN”。'].join('\n\n'),
      aliases: ['拥塞窗口减小'],
    },
  }),
  topic({
    id: 'ns',
    kind: 'flag',
    aliases: ['NS', 'nonce sum', 'ECN nonce', 'AE'],
    seeAlso: ['ece', 'cwr', 'tcp-flags'],
    refs: ['RFC 3540', 'RFC 8311'],
    en: {
      title: 'NS (ECN nonce sum, historic)',
      summary: 'A ninth bit proposed by RFC 3540 to protect ECN against concealment; it was never deployed and RFC 8311 made it historic. Newer drafts reuse the bit as AE (Accurate ECN).',
      body: ['Treat a set NS bit as reserved: tcpdump shows it, Linux ignores it unless Accurate ECN is in use.'].join('\n\n'),
    },
    zh: {
      title: 'NS（ECN nonce 和，已成历史）',
      summary: 'RFC 3540 提出的第九个标志位，用于防止 ECN 被隐瞒；它从未被部署，RFC 8311 已将其列为历史。新的草案把这一位重新用作 AE（精确 ECN）。',
      body: ['把置位的 NS 视为保留位：tcpdump 会显示它，Linux 除非使用精确 ECN，否则忽略它。'].join('\n\n'),
      aliases: ['随机数和'],
    },
  }),
]
