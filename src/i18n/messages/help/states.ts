/** Help of `tcpdoctor states`: its summary, examples and what each option does (--help). */
export const statesHelp = {
  en: {
    'help.states.summary': 'count sockets per TCP state, per port/local/remote/process/netns (netstat -nat | awk, ss -s)',
    'help.states.examples': [
      'Examples:',
      '  tcpdoctor states                      all sockets of this namespace, per state',
      '  tcpdoctor states --by port --top 5    the 5 busiest service ports, states per port',
      '  tcpdoctor states --by process         states per owning process (TIME_WAIT: inferred owner)',
      '  tcpdoctor states --netns all          every network namespace on the host',
      "  tcpdoctor states 'sport = :8080'      an ss filter limits what is counted",
      '',
      '--by port groups a socket under its service port: the local port when something listens on',
      'it, else the remote port (shown as ->:PORT, an outgoing connection to that service).',
    ].join('\n'),
    'help.states.opt.by': 'KEY  group by port, local, remote, process or netns',
    'help.states.opt.top': 'N  show the N biggest groups (default 10)',
  },
  zh: {
    'help.states.summary': 'count sockets per TCP state, per port/local/remote/process/netns (netstat -nat | awk, ss -s)',
    'help.states.examples': [
      'Examples:',
      '  tcpdoctor states                      all sockets of this namespace, per state',
      '  tcpdoctor states --by port --top 5    the 5 busiest service ports, states per port',
      '  tcpdoctor states --by process         states per owning process (TIME_WAIT: inferred owner)',
      '  tcpdoctor states --netns all          every network namespace on the host',
      "  tcpdoctor states 'sport = :8080'      an ss filter limits what is counted",
      '',
      '--by port groups a socket under its service port: the local port when something listens on',
      'it, else the remote port (shown as ->:PORT, an outgoing connection to that service).',
    ].join('\n'),
    'help.states.opt.by': 'KEY  group by port, local, remote, process or netns',
    'help.states.opt.top': 'N  show the N biggest groups (default 10)',
  },
} as const
