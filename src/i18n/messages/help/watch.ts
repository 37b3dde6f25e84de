/** Help of `tcpdoctor watch`: its summary, examples and what each option does (--help). */
export const watchHelp = {
  en: {
    'help.watch.summary': 'live terminal view: states with sparklines, open/reset/retransmit/overflow rates, top ports and processes, findings (top, sar -n SOCK 1)',
    'help.watch.examples': [
      'Keys: q or Ctrl-C quit, space pause/resume, s cycle the sort of the port and process lists',
      '(total, established, time-wait, close-wait), / type a filter (a port: 8080 or :8080; a state:',
      'time_wait, close-wait, synrecv) and Enter, Esc clear the filter.',
      '',
      'Examples:',
      '  tcpdoctor watch',
      '  tcpdoctor watch --interval 2 --netns web1',
      '',
      'watch is for a person at a terminal; --json does not apply (use tcpdoctor serve: /api/sample',
      'and the /api/events stream).',
    ].join('\n'),
    'help.watch.opt.interval': 'SECONDS  between samples (default 1)',
  },
  zh: {
    'help.watch.summary': '终端实时视图: 各状态及其迷你走势图, 建连/重置/重传/溢出速率, 排名靠前的端口和进程, 发现 (top, sar -n SOCK 1)',
    'help.watch.examples': [
      '按键: q 或 Ctrl-C 退出, 空格 暂停/继续, s 切换端口和进程列表的排序方式',
      '(total、established、time-wait、close-wait), / 输入过滤条件 (端口: 8080 或 :8080; 状态:',
      'time_wait、close-wait、synrecv) 后按 Enter, Esc 清除过滤条件。',
      '',
      '示例:',
      '  tcpdoctor watch',
      '  tcpdoctor watch --interval 2 --netns web1',
      '',
      'watch 供人在终端前查看; 不支持 --json (请用 tcpdoctor serve: /api/sample',
      '和 /api/events 事件流)。',
    ].join('\n'),
    'help.watch.opt.interval': 'SECONDS  两次采样之间的间隔 (默认 1)',
  },
} as const
