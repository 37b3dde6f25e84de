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
    'help.states.summary': '按 TCP 状态统计套接字, 可按端口/本地/远端/进程/命名空间分组 (netstat -nat | awk, ss -s)',
    'help.states.examples': [
      '示例:',
      '  tcpdoctor states                      本命名空间的全部套接字, 按状态统计',
      '  tcpdoctor states --by port --top 5    最繁忙的 5 个服务端口, 每个端口的状态',
      '  tcpdoctor states --by process         按所属进程统计状态 (TIME_WAIT: 推断的所属进程)',
      '  tcpdoctor states --netns all          主机上的每个网络命名空间',
      "  tcpdoctor states 'sport = :8080'      用 ss 过滤器限定统计范围",
      '',
      '--by port 把套接字归到它的服务端口下: 本地端口上有程序监听时取本地端口,',
      '否则取远端端口 (显示为 ->:PORT, 即连到该服务的外发连接)。',
    ].join('\n'),
    'help.states.opt.by': 'KEY  按 port、local、remote、process 或 netns 分组',
    'help.states.opt.top': 'N  显示最大的 N 个分组 (默认 10)',
  },
} as const
