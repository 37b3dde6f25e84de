/**
 * @module
 * Flag combinations: the legal ones users meet in captures and the illegal ones scanners send.
 * RFC 9293 3.10; nmap's scan types for null/xmas.
 */
import { topic } from '../types.js'

export const flagCombos = [
  topic({
    id: 'syn-ack',
    kind: 'flags',
    aliases: ['SYN+ACK', 'SYN ACK', 'SYN/ACK', 'SYN-ACK', 'SYNACK'],
    seeAlso: ['handshake', 'syn', 'ack', 'syn-recv', 'tcp_synack_retries'],
    refs: ['RFC 9293 3.5'],
    en: {
      title: 'SYN+ACK',
      summary: 'The second segment of the handshake: the server acknowledges the client SYN (ack=j+1) and sends its own SYN (seq=k) in the same segment.',
      body: ['A listener that receives a SYN answers SYN+ACK and keeps a request socket (SYN_RECV). If the ACK does not come it resends the SYN+ACK up to tcp_synack_retries times. In a simultaneous open each side sends SYN+ACK after receiving the other SYN.'].join('\n\n'),
    },
    zh: {
      title: 'SYN+ACK',
      summary: '握手的第二个报文：服务器在同一个报文里确认客户端的 SYN（ack=j+1）并发送自己的 SYN（seq=k）。',
      body: ['监听套接字收到 SYN 后回复 SYN+ACK 并保存一个请求套接字（SYN_RECV）。收不到 ACK 时最多重发 tcp_synack_retries 次 SYN+ACK。同时打开时，双方在收到对方 SYN 后各发一个 SYN+ACK。'].join('\n\n'),
      aliases: ['同步确认'],
    },
  }),
  topic({
    id: 'rst-ack',
    kind: 'flags',
    aliases: ['RST+ACK', 'RST ACK', 'RST/ACK', 'RST-ACK', 'ACK+RST'],
    seeAlso: ['rst', 'reset', 'econnrefused', 'econnreset'],
    refs: ['RFC 9293 3.10.7'],
    en: {
      title: 'RST+ACK',
      summary: 'A reset that also carries a valid acknowledgment number. Linux answers a SYN to a port with no listener this way (the client gets ECONNREFUSED), and sends it when an application aborts a connection.',
      body: ['The ACK makes the reset acceptable to a peer in SYN_SENT, which checks that it acknowledges its SYN. As the article says, it releases the connection while acknowledging what was received; any data not yet read is lost.'].join('\n\n'),
    },
    zh: {
      title: 'RST+ACK',
      summary: '同时带有有效确认号的复位。Linux 用它回应发往无人监听端口的 SYN（客户端得到 ECONNREFUSED），应用程序中止连接时也发送它。',
      body: ['带上 ACK，处于 SYN_SENT 的对端才会接受这个复位（它会检查复位是否确认了自己的 SYN）。正如原文所说，它在释放连接的同时确认了已收到的数据；尚未读取的数据全部丢失。'].join('\n\n'),
      aliases: ['复位确认'],
    },
  }),
  topic({
    id: 'fin-ack',
    kind: 'flags',
    aliases: ['FIN+ACK', 'FIN ACK', 'FIN/ACK', 'FIN-ACK', 'ACK+FIN'],
    seeAlso: ['fin', 'teardown', 'time-wait'],
    refs: ['RFC 9293 3.6'],
    en: {
      title: 'FIN+ACK',
      summary: 'A FIN that also acknowledges received data: what close() normally sends, since every segment after the handshake carries ACK.',
      body: ['When the passive closer closes right after receiving the FIN, its ACK and FIN travel in one segment and the teardown takes three segments instead of four. A FIN+ACK that acknowledges our own FIN moves FIN_WAIT_1 directly to TIME_WAIT.'].join('\n\n'),
    },
    zh: {
      title: 'FIN+ACK',
      summary: '同时确认已收数据的 FIN：这就是 close() 通常发出的报文，因为握手之后每个报文都带 ACK。',
      body: ['如果被动关闭方在收到 FIN 后立即关闭，它的 ACK 和 FIN 会合并在一个报文里，挥手只需三个报文而不是四个。确认了我方 FIN 的 FIN+ACK 会让 FIN_WAIT_1 直接进入 TIME_WAIT。'].join('\n\n'),
      aliases: ['结束确认'],
    },
  }),
  topic({
    id: 'psh-ack',
    kind: 'flags',
    aliases: ['PSH+ACK', 'PSH ACK', 'PSH/ACK', 'PSH-ACK', 'ACK+PSH'],
    seeAlso: ['psh', 'ack'],
    refs: ['RFC 9293 3.9.1'],
    en: {
      title: 'PSH+ACK',
      summary: 'The usual data segment: it carries data (PSH: deliver it now) and acknowledges the peer data.',
      body: ['Seen on the last segment of each write. A bulk transfer shows runs of ACK-only data segments ending with one PSH+ACK.'].join('\n\n'),
    },
    zh: {
      title: 'PSH+ACK',
      summary: '最常见的数据报文：携带数据（PSH：立即交付）并确认对端的数据。',
      body: ['出现在每次写入的最后一个报文上。大块传输中可以看到一串只带 ACK 的数据报文，最后是一个 PSH+ACK。'].join('\n\n'),
      aliases: ['推送确认'],
    },
  }),
  topic({
    id: 'syn-fin',
    kind: 'flags',
    aliases: ['SYN+FIN', 'SYN FIN', 'SYN/FIN', 'FIN+SYN'],
    seeAlso: ['tcp-flags', 'xmas-scan', 'null-scan'],
    refs: ['RFC 9293 3.10'],
    en: {
      title: 'SYN+FIN (illegal)',
      summary: 'Never legal: one flag opens a connection, the other closes it. Such segments come from scanners and evasion tools; most stacks and firewalls drop them.',
      body: ['As the article says, SYN and FIN are never set together. Old firewalls that only looked for a lone SYN let SYN+FIN through, which is why scanners tried it. tcpdoctor analyze reports it as an illegal combination.'].join('\n\n'),
    },
    zh: {
      title: 'SYN+FIN（非法）',
      summary: '永远不合法：一个标志建立连接，另一个关闭连接。这样的报文来自扫描器和规避工具；大多数协议栈和防火墙会丢弃它们。',
      body: ['正如原文所说，SYN 和 FIN 不会同时置位。早期只检查单独 SYN 的防火墙会放行 SYN+FIN，所以扫描器曾经利用它。tcpdoctor analyze 会把它报告为非法组合。'].join('\n\n'),
      aliases: ['同步结束'],
    },
  }),
  topic({
    id: 'syn-rst',
    kind: 'flags',
    aliases: ['SYN+RST', 'SYN RST', 'SYN/RST', 'RST+SYN'],
    seeAlso: ['tcp-flags', 'rst', 'syn'],
    refs: ['RFC 9293 3.10'],
    en: {
      title: 'SYN+RST (illegal)',
      summary: 'Never legal: a reset cannot also open a connection. Seen only from broken stacks, fuzzers and scanners; drop and flag it.',
      body: ['A receiver processes the RST check first, so the segment cannot open anything; its only use is fingerprinting and evading firewalls. tcpdoctor analyze reports it.'].join('\n\n'),
    },
    zh: {
      title: 'SYN+RST（非法）',
      summary: '永远不合法：复位不能同时建立连接。只会来自有缺陷的协议栈、模糊测试工具和扫描器；应丢弃并标记。',
      body: ['接收方先进行 RST 检查，因此这种报文无法建立任何连接；它唯一的用途是识别操作系统指纹和规避防火墙。tcpdoctor analyze 会报告它。'].join('\n\n'),
      aliases: ['同步复位'],
    },
  }),
  topic({
    id: 'null-scan',
    kind: 'flags',
    aliases: ['null', 'NULL flags', 'no flags', 'null packet', 'null scan'],
    seeAlso: ['xmas-scan', 'tcp-flags', 'outbound-scan'],
    refs: ['RFC 9293 3.10.7.1'],
    en: {
      title: 'Null segment (no flags)',
      summary: 'A TCP segment with no flag set. Never legal; a null scan uses it to probe ports: a closed port answers RST, an open one stays silent.',
      body: ['Every legal segment has at least SYN, ACK or RST. Linux answers a null segment to a closed port with RST+ACK and drops it on an open one, which is exactly what a null scan measures. Seeing many of them in a capture means someone scans you.'].join('\n\n'),
    },
    zh: {
      title: '空标志报文（null）',
      summary: '没有任何标志位的 TCP 报文。永远不合法；null 扫描用它探测端口：关闭的端口回 RST，打开的端口不回应。',
      body: ['每个合法报文至少带 SYN、ACK 或 RST 之一。Linux 对发往关闭端口的空标志报文回复 RST+ACK，对打开的端口则丢弃，这正是 null 扫描所利用的。抓包中大量出现说明有人在扫描你。'].join('\n\n'),
      aliases: ['空标志', '空扫描'],
    },
  }),
  topic({
    id: 'xmas-scan',
    kind: 'flags',
    aliases: ['xmas', 'christmas tree', 'FIN+PSH+URG', 'FIN PSH URG', 'xmas scan'],
    seeAlso: ['null-scan', 'syn-fin', 'tcp-flags'],
    refs: ['RFC 9293 3.10.7.1'],
    en: {
      title: 'Xmas segment (FIN+PSH+URG)',
      summary: 'FIN, PSH and URG set together, "lit up like a Christmas tree". Not a legal segment outside a connection; an xmas scan uses it like a null scan.',
      body: ['Closed ports answer RST, open ones stay silent. Some tools also call all flags set "xmas". tcpdoctor analyze reports both as illegal combinations.'].join('\n\n'),
    },
    zh: {
      title: '圣诞树报文（FIN+PSH+URG）',
      summary: '同时设置 FIN、PSH 和 URG,“像圣诞树一样全亮”。在连接之外不是合法报文；xmas 扫描像 null 扫描一样利用它。',
      body: ['关闭的端口回 RST，打开的端口不回应。有些工具把所有标志都置位也称作 “xmas”。tcpdoctor analyze 把两者都报告为非法组合。'].join('\n\n'),
      aliases: ['圣诞树扫描', '圣诞树'],
    },
  }),
]
