/** Help of `tcpdoctor diagram`: its summary, examples and what each option does (--help). */
export const diagramHelp = {
  en: {
    'help.diagram.summary': 'the TCP state diagram (RFC 9293) in the terminal or as SVG, with live counts per state',
    'help.diagram.examples': [
      'Examples:',
      '  tcpdoctor diagram                       the diagram and its numbered transitions',
      "  tcpdoctor diagram --path client         the article's client route in heavy lines",
      '  tcpdoctor diagram --highlight close-wait',
      "  tcpdoctor diagram --live                this host's sockets on each state",
      '  tcpdoctor diagram --live --netns NAME   (or --from snapshot.json)',
      '  tcpdoctor diagram --svg states.svg --lang zh',
      '',
      'With --json: { nodes, edges, path?, highlight?, counts? } (docs/commands/diagram.md).',
    ].join('\n'),
    'help.diagram.opt.svg': 'FILE  write the diagram as SVG to FILE (- for stdout)',
    'help.diagram.opt.highlight': 'STATE  highlight one state',
    'help.diagram.opt.path': 'NAME  highlight a path (client, server, simultaneous-open, simultaneous-close)',
    'help.diagram.opt.live': 'overlay the current socket counts on each state',
  },
  zh: {
    'help.diagram.summary': 'TCP 状态图 (RFC 9293), 在终端中显示或输出为 SVG, 可叠加每个状态的实时计数',
    'help.diagram.examples': [
      '示例:',
      '  tcpdoctor diagram                       状态图及其编号的转换',
      '  tcpdoctor diagram --path client         用粗线画出原文中客户端的路径',
      '  tcpdoctor diagram --highlight close-wait',
      '  tcpdoctor diagram --live                在每个状态上标出本机的套接字数',
      '  tcpdoctor diagram --live --netns NAME   (或 --from snapshot.json)',
      '  tcpdoctor diagram --svg states.svg --lang zh',
      '',
      '使用 --json 时: { nodes, edges, path?, highlight?, counts? } (docs/commands/diagram.md)。',
    ].join('\n'),
    'help.diagram.opt.svg': 'FILE  把状态图以 SVG 格式写入 FILE (- 表示 stdout)',
    'help.diagram.opt.highlight': 'STATE  突出显示一个状态',
    'help.diagram.opt.path': 'NAME  突出显示一条路径 (client、server、simultaneous-open、simultaneous-close)',
    'help.diagram.opt.live': '在每个状态上叠加当前的套接字计数',
  },
} as const
