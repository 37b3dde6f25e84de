/** Help of `tcpdoctor explain`: its summary, examples and what each option does (--help). */
export const explainHelp = {
  en: {
    'help.explain.summary': 'explain a TCP state, flag, sysctl, error or concept, correct for modern Linux (en/zh)',
    'help.explain.examples': [
      'Examples:',
      '  tcpdoctor explain close-wait',
      '  tcpdoctor explain "Cannot assign requested address"',
      '  tcpdoctor explain syn+ack',
      '  tcpdoctor explain net.ipv4.tcp_tw_reuse --lang zh',
      '  tcpdoctor explain "LISTEN -> SYN_RCVD"      one transition of the state diagram',
      '  tcpdoctor explain --list --json',
      '',
      'Any spelling works: CLOSE_WAIT, close-wait, closewait, 关闭等待. On a miss the closest',
      'topics are suggested and the exit code is 2 (TD_NOT_FOUND).',
    ].join('\n'),
    'help.explain.opt.list': 'list every topic',
    'help.explain.opt.width': 'COLUMNS  wrap text at this width',
  },
  zh: {
    'help.explain.summary': '解释 TCP 状态、标志位、内核参数、错误或概念, 以现代 Linux 为准 (中/英文)',
    'help.explain.examples': [
      '示例:',
      '  tcpdoctor explain close-wait',
      '  tcpdoctor explain "Cannot assign requested address"',
      '  tcpdoctor explain syn+ack',
      '  tcpdoctor explain net.ipv4.tcp_tw_reuse --lang zh',
      '  tcpdoctor explain "LISTEN -> SYN_RCVD"      状态图中的一次转换',
      '  tcpdoctor explain --list --json',
      '',
      '任何写法都可以: CLOSE_WAIT、close-wait、closewait、关闭等待。找不到时会建议',
      '最接近的主题, 退出码为 2 (TD_NOT_FOUND)。',
    ].join('\n'),
    'help.explain.opt.list': '列出全部主题',
    'help.explain.opt.width': 'COLUMNS  按此宽度换行',
  },
} as const
