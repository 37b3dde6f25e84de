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
} as const
