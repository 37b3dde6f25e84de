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
} as const
