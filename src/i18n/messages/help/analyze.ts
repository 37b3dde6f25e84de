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
} as const
