/** Help of `tcpdoctor who`: its summary, examples and what each option does (--help). */
export const whoHelp = {
  en: {
    'help.who.summary': 'which processes hold a port or address, sockets per state, fd-less ones included (lsof -i)',
    'help.who.examples': [
      'Examples:',
      '  tcpdoctor who 8080             processes on port 8080 and their clients on this host',
      '  tcpdoctor who 127.0.0.1:5432',
      '  tcpdoctor who :443 --json',
      '',
      'TIME_WAIT and orphaned sockets have no file descriptor, so lsof never shows them; tcpdoctor',
      'attributes them to the process listening on the same port and marks that as inferred.',
      'Exit code 1 when nothing is on the target.',
    ].join('\n'),
  },
  zh: {
    'help.who.summary': 'which processes hold a port or address, sockets per state, fd-less ones included (lsof -i)',
    'help.who.examples': [
      'Examples:',
      '  tcpdoctor who 8080             processes on port 8080 and their clients on this host',
      '  tcpdoctor who 127.0.0.1:5432',
      '  tcpdoctor who :443 --json',
      '',
      'TIME_WAIT and orphaned sockets have no file descriptor, so lsof never shows them; tcpdoctor',
      'attributes them to the process listening on the same port and marks that as inferred.',
      'Exit code 1 when nothing is on the target.',
    ].join('\n'),
  },
} as const
