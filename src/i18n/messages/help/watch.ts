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
} as const
