/**
 * @module
 * `tcpdoctor serve`: the dashboard, /metrics and /api/* over HTTP, recording history.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { defineCommand } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t } from '../../i18n/index.js'
import { serve } from '../../monitor/server.js'
import { defaultDbPath } from '../../monitor/defaults.js'
import { parseDuration } from './history.js'

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'HTTP dashboard, Prometheus /metrics and JSON /api/*; records history (node_exporter tcpstat, TCPView)',
  usage: 'serve [--listen HOST:PORT] [--interval SECONDS] [--db PATH] [--token TOKEN | --tls-cert F --tls-key F --basic-auth U:P]',
  help: [
    'Binds 127.0.0.1:9273 by default. Beyond loopback it needs --token (clients send',
    '"Authorization: Bearer TOKEN") or TLS with basic auth. Read-only: GET and HEAD only.',
    '',
    'Examples:',
    '  tcpdoctor serve',
    '  tcpdoctor serve --listen 0.0.0.0:9273 --token "$(cat /etc/tcpdoctor/token)"',
    '  tcpdoctor serve --netns web1 --interval 5 --db /var/lib/tcpdoctor/history.db',
  ].join('\n'),
  globals: ['netns', 'proc-root', 'source'],
  options: {
    listen: { type: 'string' },
    interval: { type: 'string', short: 'i' },
    db: { type: 'string' },
    'no-db': { type: 'boolean' },
    token: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'basic-auth': { type: 'string' },
    'port-cap': { type: 'string' },
    'raw-retention': { type: 'string' },
    'minute-retention': { type: 'string' },
    'findings-every': { type: 'string' },
  },
  optionHelp: {
    listen: 'HOST:PORT  where to listen (default 127.0.0.1:9273; port 0 picks a free one)',
    interval: 'SECONDS  between samples (default 1)',
    db: 'PATH  the history database (default $XDG_STATE_HOME/tcpdoctor/history.db)',
    'no-db': 'do not record history',
    token: 'TOKEN  required bearer token (at least 16 characters); needed beyond loopback without TLS',
    'tls-cert': 'FILE  serve HTTPS with this certificate (PEM)',
    'tls-key': 'FILE  the private key of --tls-cert (PEM)',
    'basic-auth': 'USER:PASSWORD  basic auth (with TLS only)',
    'port-cap': 'N  listener ports with their own /metrics series (default 20; the rest are port="other")',
    'raw-retention': 'DURATION  how long 1 s rows are kept (default 1h)',
    'minute-retention': 'DURATION  how long 1 min rows are kept (default 7d)',
    'findings-every': 'N  run the doctor every N samples (default 60), less often when one run costs over 1 % of a core',
  },
  async run(ctx, { values: v }) {
    const listen = v.listen ?? '127.0.0.1:9273'
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen)
    if (!m || Number(m[3]) > 65535) throw new TcpdoctorError('TD_USAGE', `--listen must be HOST:PORT, not ${listen}`)
    const host = m[1] ?? (m[2] || '127.0.0.1')
    const interval = v.interval === undefined ? 1 : Number(v.interval)
    if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600) throw new TcpdoctorError('TD_USAGE', `--interval must be seconds from 0.1 to 3600, not ${v.interval}`)
    const int = (name: string, text: string | undefined, dflt: number): number => {
      if (text === undefined) return dflt
      const n = Number(text)
      if (!Number.isInteger(n) || n < 0) throw new TcpdoctorError('TD_USAGE', `--${name} must be a whole number, not ${text}`)
      return n
    }
    const db = v['no-db'] ? undefined : (v.db ?? defaultDbPath(ctx.env))
    if (db) {
      try {
        mkdirSync(dirname(db), { recursive: true })
      } catch (err) {
        throw new TcpdoctorError('TD_IO', `cannot create ${dirname(db)}: ${(err as Error).message}`, { cause: err })
      }
    }
    const s = await serve({
      host, port: Number(m[3]), intervalMs: interval * 1000, db,
      store: { rawRetentionMs: v['raw-retention'] ? parseDuration(v['raw-retention']) : undefined, minuteRetentionMs: v['minute-retention'] ? parseDuration(v['minute-retention']) : undefined },
      token: v.token, basicAuth: v['basic-auth'], tlsCert: v['tls-cert'], tlsKey: v['tls-key'],
      portCap: int('port-cap', v['port-cap'], 20), findingsEvery: int('findings-every', v['findings-every'], 60),
      netns: ctx.netns, procRoot: ctx.procRoot, source: ctx.source, lang: ctx.lang,
    })
    const line = t(ctx.lang, 'monitor.serving', { url: s.url, interval, db: db ? t(ctx.lang, 'monitor.db', { db }) : '' })
    if (ctx.json) ctx.out(JSON.stringify({ url: s.url, interval, db: db ?? null }))
    else ctx.out(line)
    await new Promise<void>((r) => {
      if (ctx.signal.aborted) return r()
      ctx.signal.addEventListener('abort', () => r(), { once: true })
    })
    await s.close()
    if (!ctx.json) ctx.note(t(ctx.lang, 'monitor.stopped'))
    return 0
  },
})
