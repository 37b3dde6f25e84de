/** Help of `tcpdoctor snapshot`: its summary, examples and what each option does (--help). */
export const snapshotHelp = {
  en: {
    'help.snapshot.summary': 'save all sockets with owners, tcp_info, timers and memory to a file (replay with --from)',
    'help.snapshot.examples': [
      'Saves sockets (owners, tcp_info, timers, memory), counters sampled over --interval seconds',
      '(default 1; 0 for one sample), sysctls and kernel log lines. Replay with --from on states,',
      'sockets, who, diagram --live and diagnose.',
      '',
      'Examples:',
      '  tcpdoctor snapshot -o before.json',
      '  tcpdoctor states --by port --from before.json',
      '  tcpdoctor who 8080 --from before.json',
      '  tcpdoctor diagnose --from before.json',
    ].join('\n'),
    'help.snapshot.opt.output': 'FILE  write the snapshot to FILE (- for stdout)',
    'help.snapshot.opt.interval': 'SECONDS  sample counters over this long (default 1)',
  },
  zh: {
    'help.snapshot.summary': 'save all sockets with owners, tcp_info, timers and memory to a file (replay with --from)',
    'help.snapshot.examples': [
      'Saves sockets (owners, tcp_info, timers, memory), counters sampled over --interval seconds',
      '(default 1; 0 for one sample), sysctls and kernel log lines. Replay with --from on states,',
      'sockets, who, diagram --live and diagnose.',
      '',
      'Examples:',
      '  tcpdoctor snapshot -o before.json',
      '  tcpdoctor states --by port --from before.json',
      '  tcpdoctor who 8080 --from before.json',
      '  tcpdoctor diagnose --from before.json',
    ].join('\n'),
    'help.snapshot.opt.output': 'FILE  write the snapshot to FILE (- for stdout)',
    'help.snapshot.opt.interval': 'SECONDS  sample counters over this long (default 1)',
  },
} as const
