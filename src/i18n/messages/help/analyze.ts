/** Help of `tcpdoctor analyze`: its summary, examples and what each option does (--help). */
export const analyzeHelp = {
  en: {
    'help.analyze.summary': "read a pcap/pcapng: each TCP connection's states, outcome and Wireshark's anomalies",
    'help.analyze.examples': [
      'Reads a capture (tcpdump -w, Wireshark, dumpcap: pcap or pcapng; Ethernet, VLAN, Linux cooked',
      "SLL/SLL2 from -i any, raw IP, loopback) and tells each TCP connection's story: handshake, both",
      "endpoints' states (RFC 9293), teardown, RTT, bytes, and the anomalies Wireshark flags, counted",
      "per packet as tshark counts tcp.analysis.* (connections numbered as tshark's tcp.stream).",
      '',
      'Examples:',
      '  tcpdoctor analyze trace.pcap              summary and connection table',
      '  tcpdoctor analyze trace.pcap --conn 3     sequence diagram of connection #3',
      '  tcpdump -i any -w - port 9000 | tcpdoctor analyze -',
      '  tcpdoctor analyze trace.pcapng --json     the report for a script',
    ].join('\n'),
    'help.analyze.opt.conn': 'N  draw connection N (its # in the table) as a sequence diagram with both states',
    'help.analyze.opt.all': 'list every connection (default: the first 50)',
  },
  zh: {
    'help.analyze.summary': '读取 pcap/pcapng: 每个 TCP 连接的状态、结果以及 Wireshark 标出的异常',
    'help.analyze.examples': [
      '读取抓包文件 (tcpdump -w、Wireshark、dumpcap: pcap 或 pcapng; Ethernet、VLAN、-i any 产生的',
      'Linux cooked SLL/SLL2、raw IP、loopback), 讲述每个 TCP 连接的经过: 握手、两端的状态',
      '(RFC 9293)、关闭、RTT、字节数, 以及 Wireshark 标出的异常, 按数据包计数, 与 tshark 统计',
      'tcp.analysis.* 的方式一致 (连接编号与 tshark 的 tcp.stream 相同)。',
      '',
      '示例:',
      '  tcpdoctor analyze trace.pcap              摘要和连接表',
      '  tcpdoctor analyze trace.pcap --conn 3     连接 #3 的时序图',
      '  tcpdump -i any -w - port 9000 | tcpdoctor analyze -',
      '  tcpdoctor analyze trace.pcapng --json     给脚本用的报告',
    ].join('\n'),
    'help.analyze.opt.conn': 'N  把连接 N (表中的 #) 画成时序图, 标出两端的状态',
    'help.analyze.opt.all': '列出全部连接 (默认: 前 50 个)',
  },
} as const
