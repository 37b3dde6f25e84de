/** Help of `tcpdoctor diff`: its summary, examples and what each option does (--help). */
export const diffHelp = {
  en: {
    'help.diff.summary': 'what changed between two snapshots: state counts, ports, sockets appeared/gone/changed',
    'help.diff.examples': [
      'Examples:',
      '  tcpdoctor snapshot -o before.json; sleep 60; tcpdoctor snapshot -o after.json',
      '  tcpdoctor diff before.json after.json',
      '',
      'Sockets are matched by their kernel cookie (by 4-tuple on /proc snapshots).',
    ].join('\n'),
    'help.diff.opt.limit': 'N  at most N example sockets per kind (default 10)',
  },
  zh: {
    'help.diff.summary': '两个快照之间的变化: 状态计数、端口、出现/消失/改变的套接字',
    'help.diff.examples': [
      '示例:',
      '  tcpdoctor snapshot -o before.json; sleep 60; tcpdoctor snapshot -o after.json',
      '  tcpdoctor diff before.json after.json',
      '',
      '套接字按内核 cookie 匹配 (/proc 快照按四元组匹配)。',
    ].join('\n'),
    'help.diff.opt.limit': 'N  每一类最多列出 N 个示例套接字 (默认 10)',
  },
} as const
