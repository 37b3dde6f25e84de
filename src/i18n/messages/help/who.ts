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
    'help.who.summary': '哪些进程占用某个端口或地址, 按状态统计其套接字, 包括没有文件描述符的 (lsof -i)',
    'help.who.examples': [
      '示例:',
      '  tcpdoctor who 8080             端口 8080 上的进程, 以及它们在本机上的客户端',
      '  tcpdoctor who 127.0.0.1:5432',
      '  tcpdoctor who :443 --json',
      '',
      'TIME_WAIT 和孤儿套接字没有文件描述符, 所以 lsof 永远看不到它们; tcpdoctor',
      '把它们归到在同一端口上监听的进程, 并标记为推断。',
      '目标上没有任何套接字时, 退出码为 1。',
    ].join('\n'),
  },
} as const
