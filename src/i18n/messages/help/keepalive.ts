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
} as const
