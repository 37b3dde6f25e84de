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
    'help.snapshot.summary': '把全部套接字连同所属进程、tcp_info、定时器和内存保存到文件 (用 --from 回放)',
    'help.snapshot.examples': [
      '保存套接字 (所属进程、tcp_info、定时器、内存)、在 --interval 秒内采样的计数器',
      '(默认 1; 0 表示只采样一次)、内核参数和内核日志行。states、sockets、who、',
      'diagram --live 和 diagnose 都可以用 --from 回放。',
      '',
      '示例:',
      '  tcpdoctor snapshot -o before.json',
      '  tcpdoctor states --by port --from before.json',
      '  tcpdoctor who 8080 --from before.json',
      '  tcpdoctor diagnose --from before.json',
    ].join('\n'),
    'help.snapshot.opt.output': 'FILE  把快照写入 FILE (- 表示 stdout)',
    'help.snapshot.opt.interval': 'SECONDS  在这段时间内采样计数器 (默认 1)',
  },
} as const
