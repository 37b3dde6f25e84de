/**
 * @module
 * `tcpdoctor serve`: the dashboard, /metrics and /api/* over HTTP, recording history.
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { defineCommand } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { serve } from '../../monitor/server.js'
import { defaultDbPath } from '../../monitor/defaults.js'
import { parseDuration } from './history.js'

export const serveCommand = defineCommand({
  name: 'serve',
  summary: 'help.serve.summary',
  usage: 'serve [--listen HOST:PORT] [--interval SECONDS] [--db PATH] [--token TOKEN | --tls-cert F --tls-key F --basic-auth U:P]',
  help: 'help.serve.examples',
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
    listen: 'help.serve.opt.listen',
    interval: 'help.serve.opt.interval',
    db: 'help.serve.opt.db',
    'no-db': 'help.serve.opt.no-db',
    token: 'help.serve.opt.token',
    'tls-cert': 'help.serve.opt.tls-cert',
    'tls-key': 'help.serve.opt.tls-key',
    'basic-auth': 'help.serve.opt.basic-auth',
    'port-cap': 'help.serve.opt.port-cap',
    'raw-retention': 'help.serve.opt.raw-retention',
    'minute-retention': 'help.serve.opt.minute-retention',
    'findings-every': 'help.serve.opt.findings-every',
  },
  async run(ctx, { values: v }) {
    const listen = v.listen ?? '127.0.0.1:9273'
    const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(listen)
    if (!m || Number(m[3]) > 65535) throw new TcpdoctorError('TD_USAGE', msg('err.cli.listenMustBeHost', { listen }))
    const host = m[1] ?? (m[2] || '127.0.0.1')
    const interval = v.interval === undefined ? 1 : Number(v.interval)
    if (!Number.isFinite(interval) || interval < 0.1 || interval > 3600) throw new TcpdoctorError('TD_USAGE', msg('err.cli.intervalMustBeSeconds2', { interval: v.interval }))
    const int = (name: string, text: string | undefined, dflt: number): number => {
      if (text === undefined) return dflt
      const n = Number(text)
      if (!Number.isInteger(n) || n < 0) throw new TcpdoctorError('TD_USAGE', msg('err.cli.mustBeAWhole', { name, text }))
      return n
    }
    const db = v['no-db'] ? undefined : (v.db ?? defaultDbPath(ctx.env))
    if (db) {
      try {
        mkdirSync(dirname(db), { recursive: true })
      } catch (err) {
        throw new TcpdoctorError('TD_IO', msg('err.cli.cannotCreate', { db: dirname(db), detail: (err as Error).message }), { cause: err })
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
