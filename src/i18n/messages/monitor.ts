/** Messages of `serve` and `history`. */
export const monitor = {
  en: {
    'monitor.serving': 'tcpdoctor serve: {url}  (dashboard /, metrics /metrics, API /api/sample, sampling every {interval}s{db})',
    'monitor.db': ', history in {db}',
    'monitor.stopped': 'stopped',
    'monitor.history.empty': 'no samples between {from} and {to} in {db}',
    'monitor.history.head': 'tcpdoctor history {db}  {from} .. {to}  step {step}s  per-second rates',
  },
  zh: {
    'monitor.serving': 'tcpdoctor serve：{url}（仪表盘 /，指标 /metrics，接口 /api/sample，每 {interval} 秒采样{db}）',
    'monitor.db': '，历史记录在 {db}',
    'monitor.stopped': '已停止',
    'monitor.history.empty': '{db} 中 {from} 到 {to} 之间没有样本',
    'monitor.history.head': 'tcpdoctor history {db}  {from} .. {to}  步长 {step} 秒  每秒速率',
  },
} as const
