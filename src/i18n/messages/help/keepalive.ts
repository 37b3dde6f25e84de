/** Help of `tcpdoctor keepalive`: its summary, examples and what each option does (--help). */
export const keepaliveHelp = {
  en: {
    'help.keepalive.summary': 'keepalive on/off, idle time and dead-peer detection time per ESTABLISHED socket (ss -o, explained)',
    'help.keepalive.examples': [
      'For each ESTABLISHED socket: keepalive timer (on/off), idle time (since data or an ACK was',
      'last received), and the longest time until the kernel notices a vanished peer:',
      '  keepalive on      next probe + tcp_keepalive_intvl x tcp_keepalive_probes',
      '  data in flight    tcp_retries2 (15 -> 924.6 s)',
      '  neither           never: the socket stays ESTABLISHED until the application writes',
      'Sockets with neither, idle at least --min-idle seconds (default 60), are listed as "never".',
      '--never shows only those. Per-socket TCP_KEEPIDLE/INTVL/CNT and TCP_USER_TIMEOUT cannot be',
      'seen from outside the process; estimates assume the sysctl defaults and say so.',
    ].join('\n'),
    'help.keepalive.opt.min-idle': 'SECONDS  only sockets idle at least this long',
    'help.keepalive.opt.never': 'only sockets that would never notice a dead peer',
    'help.keepalive.opt.process': 'show the owning process',
  },
  zh: {
    'help.keepalive.summary': '每个 ESTABLISHED 套接字的 keepalive 开关、空闲时间和发现对端失效所需的时间 (ss -o, 附解释)',
    'help.keepalive.examples': [
      '对每个 ESTABLISHED 套接字: keepalive 定时器 (开/关)、空闲时间 (自上次收到数据或 ACK',
      '以来), 以及内核发现对端消失最长需要多久:',
      '  keepalive 开启    下一次探测 + tcp_keepalive_intvl x tcp_keepalive_probes',
      '  有在途数据        tcp_retries2 (15 -> 924.6 s)',
      '  两者都没有        永远不会: 在应用写入数据之前, 套接字一直保持 ESTABLISHED',
      '两者都没有且空闲至少 --min-idle 秒 (默认 60) 的套接字列为 "永远不会"。',
      '--never 只显示这些。单个套接字的 TCP_KEEPIDLE/INTVL/CNT 和 TCP_USER_TIMEOUT 无法从',
      '进程外部看到; 估计值假设使用内核参数的默认值, 并会注明。',
    ].join('\n'),
    'help.keepalive.opt.min-idle': 'SECONDS  只显示空闲至少这么久的套接字',
    'help.keepalive.opt.never': '只显示永远发现不了对端失效的套接字',
    'help.keepalive.opt.process': '显示所属进程',
  },
} as const
