/** Help of `tcpdoctor history`: its summary, examples and what each option does (--help). */
export const historyHelp = {
  en: {
    'help.history.summary': 'state counts and counter rates over time from the local history store (sar -f)',
    'help.history.examples': [
      'serve records a sample per interval; history reads them back: 1 s rows for the last hour,',
      '1 min rows for a week (by default). --step averages into buckets of that many seconds.',
      '',
      'Examples:',
      '  tcpdoctor history --last 10m',
      '  tcpdoctor history --from 2026-12-01T22:00:00Z --to 2026-12-01T23:00:00Z --step 60 --csv',
      '  tcpdoctor history --last 1h --json',
    ].join('\n'),
    'help.history.opt.db': 'PATH  the history database (default $XDG_STATE_HOME/tcpdoctor/history.db)',
    'help.history.opt.from': 'TIME  start (ISO 8601, ms since the epoch, or -15m)',
    'help.history.opt.to': 'TIME  end (default now)',
    'help.history.opt.last': 'DURATION  the last 15m, 1h, 7d (default 10m)',
    'help.history.opt.step': 'SECONDS  average into buckets of this size',
    'help.history.opt.csv': 'comma-separated values with a header row',
  },
  zh: {
    'help.history.summary': '从本地历史存储读取随时间变化的状态计数和计数器速率 (sar -f)',
    'help.history.examples': [
      'serve 每个间隔记录一次采样; history 把它们读出来: 最近一小时为 1 秒粒度,',
      '一周内为 1 分钟粒度 (默认)。--step 按该秒数分桶取平均。',
      '',
      '示例:',
      '  tcpdoctor history --last 10m',
      '  tcpdoctor history --from 2026-12-01T22:00:00Z --to 2026-12-01T23:00:00Z --step 60 --csv',
      '  tcpdoctor history --last 1h --json',
    ].join('\n'),
    'help.history.opt.db': 'PATH  历史数据库 (默认 $XDG_STATE_HOME/tcpdoctor/history.db)',
    'help.history.opt.from': 'TIME  起始时间 (ISO 8601、自纪元起的毫秒数, 或 -15m)',
    'help.history.opt.to': 'TIME  结束时间 (默认现在)',
    'help.history.opt.last': 'DURATION  最近的 15m、1h、7d (默认 10m)',
    'help.history.opt.step': 'SECONDS  按此大小分桶取平均',
    'help.history.opt.csv': '逗号分隔值 (CSV), 带表头行',
  },
} as const
