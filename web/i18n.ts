/** The dashboard's strings in English and Chinese (the CLI catalog lives in src/i18n; these are the browser's). */
export type Lang = 'en' | 'zh'

const en = {
  'live.connecting': 'connecting',
  'live.live': 'live',
  'live.lost': 'reconnecting',
  'kpi.total': 'Sockets',
  'kpi.established': 'Established',
  'kpi.opens': 'Opens /s',
  'kpi.resets': 'Resets /s',
  'kpi.retrans': 'Retransmits /s',
  'kpi.overflows': 'Listen overflows /s',
  'diagram.title': 'TCP state machine, live',
  'diagram.hint': 'Each box is a state with the sockets in it now; hover an arrow for the event that moves a socket along it (RFC 9293).',
  'chart.title': 'Sockets per state over time',
  'chart.empty': 'No history in this range yet.',
  'findings.title': 'Findings',
  'findings.none': 'Nothing looks wrong: no rule of tcpdoctor diagnose fired.',
  'findings.fix': 'What to do',
  'findings.explain': 'Read more: tcpdoctor explain {topic}',
  'findings.at': 'Checked at {time} (the doctor runs less often than the counts: serve --findings-every).',
  'listeners.title': 'Listeners: accept queue vs backlog',
  'listeners.none': 'No listening sockets.',
  'listeners.local': 'Address',
  'listeners.queue': 'Queue',
  'listeners.process': 'Process',
  'ports.title': 'Top ports',
  'ports.key': 'Port',
  'processes.title': 'Top processes',
  'processes.key': 'Process',
  'peers.title': 'Top peers',
  'peers.key': 'Remote host',
  'col.total': 'Total',
  'none': 'None.',
  'sev.critical': 'critical',
  'sev.warning': 'warning',
  'sev.info': 'info',
  'footer': 'tcpdoctor serve: read-only; data from the kernel (sock_diag, /proc/net). Metrics at /metrics.',
  'range.5m': '5 min',
  'range.1h': '1 h',
  'range.6h': '6 h',
  'range.24h': '24 h',
  'range.7d': '7 d',
}

const zh: Record<keyof typeof en, string> = {
  'live.connecting': '连接中',
  'live.live': '实时',
  'live.lost': '重新连接中',
  'kpi.total': '套接字',
  'kpi.established': '已建立',
  'kpi.opens': '新建 /秒',
  'kpi.resets': '重置 /秒',
  'kpi.retrans': '重传 /秒',
  'kpi.overflows': '监听队列溢出 /秒',
  'diagram.title': 'TCP 状态机（实时）',
  'diagram.hint': '每个方框是一个状态及其中当前的套接字数；鼠标悬停在箭头上可看到使套接字沿它迁移的事件（RFC 9293）。',
  'chart.title': '各状态套接字数随时间变化',
  'chart.empty': '此时间范围内还没有历史数据。',
  'findings.title': '发现的问题',
  'findings.none': '一切正常：tcpdoctor diagnose 的规则都没有触发。',
  'findings.fix': '怎么做',
  'findings.explain': '详细说明：tcpdoctor explain {topic}',
  'findings.at': '检查时间 {time}（诊断规则的运行频率低于计数：serve --findings-every）。',
  'listeners.title': '监听套接字：accept 队列 / backlog',
  'listeners.none': '没有监听套接字。',
  'listeners.local': '地址',
  'listeners.queue': '队列',
  'listeners.process': '进程',
  'ports.title': '端口排行',
  'ports.key': '端口',
  'processes.title': '进程排行',
  'processes.key': '进程',
  'peers.title': '对端排行',
  'peers.key': '远端主机',
  'col.total': '总数',
  'none': '无。',
  'sev.critical': '严重',
  'sev.warning': '警告',
  'sev.info': '提示',
  'footer': 'tcpdoctor serve：只读；数据来自内核（sock_diag、/proc/net）。指标见 /metrics。',
  'range.5m': '5 分钟',
  'range.1h': '1 小时',
  'range.6h': '6 小时',
  'range.24h': '24 小时',
  'range.7d': '7 天',
}

export type Key = keyof typeof en
const tables: Record<Lang, Record<Key, string>> = { en, zh }

export function tr(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return tables[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
}

/** The language saved by the switch, else the browser's. */
export function initialLang(): Lang {
  const saved = localStorage.getItem('tcpdoctor.lang')
  if (saved === 'en' || saved === 'zh') return saved
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en'
}
