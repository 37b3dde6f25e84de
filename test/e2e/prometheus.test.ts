/**
 * A real Prometheus (Debian package) scrapes a real `serve` on loopback; the metrics pass
 * `promtool check metrics`, the shipped rules pass `promtool check rules` and `promtool test
 * rules`, and every Grafana panel query runs through Prometheus's query API and returns data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve, type Served } from '../../src/monitor/server.js'
import { need } from '../helpers/can.js'

const root = join(import.meta.dirname, '..', '..')
const skip = need(['tool', 'prometheus'], ['tool', 'promtool'])

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const p = (s.address() as { port: number }).port
  await new Promise((r) => s.close(r))
  return p
}

describe.skipIf(skip)('serve + Prometheus', () => {
  let served: Served
  let prom: ChildProcess
  let dir: string
  let api: string
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tdmon-prom-'))
    served = await serve({ host: '127.0.0.1', port: 0, intervalMs: 500, db: join(dir, 'h.db'), findingsEvery: 4 })
    const target = new URL(served.url).host
    const port = await freePort()
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: tcpdoctor\n    static_configs:\n      - targets: ['${target}']\n`)
    prom = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' })
    api = `http://127.0.0.1:${port}/api/v1`
  }, 60_000)
  afterAll(async () => {
    prom?.kill('SIGTERM')
    if (prom && prom.exitCode === null) await new Promise((r) => prom.once('exit', r))
    await served?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const query = async (q: string): Promise<{ status: string; data: { result: unknown[] }; error?: string }> => {
    const r = await fetch(`${api}/query?query=${encodeURIComponent(q)}`)
    return (await r.json()) as { status: string; data: { result: unknown[] }; error?: string }
  }

  it('/metrics passes promtool check metrics', async () => {
    const text = await (await fetch(`${served.url}metrics`)).text()
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' })
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(text).toMatch(/^tcpdoctor_sockets\{netns="[^"]*",state="LISTEN"\} [1-9]/m)
  })

  it('the alert and recording rules pass promtool check rules and promtool test rules', () => {
    const c = spawnSync('promtool', ['check', 'rules', 'deploy/prometheus/alerts.yml', 'deploy/prometheus/recording.yml'], { cwd: root, encoding: 'utf8' })
    expect(c.status, c.stdout + c.stderr).toBe(0)
    const t = spawnSync('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml'], { cwd: root, encoding: 'utf8' })
    expect(t.status, t.stdout + t.stderr).toBe(0)
  })

  it('Prometheus scrapes serve and every Grafana panel query returns data', async () => {
    // The LISTEN count of serve's own listener, read back through Prometheus.
    let listen = 0
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      const r = await query('tcpdoctor_sockets{job="tcpdoctor",state="LISTEN"}').catch(() => undefined)
      const v = (r?.data?.result?.[0] as { value?: [number, string] } | undefined)?.value?.[1]
      if (v !== undefined) {
        listen = Number(v)
        break
      }
      await new Promise((res) => setTimeout(res, 250))
    }
    expect(listen).toBeGreaterThanOrEqual(1)
    // rate() over [1m] needs two scrapes of each counter.
    const dash = JSON.parse(readFileSync(join(root, 'deploy', 'grafana', 'dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] }
    expect(dash.panels.length).toBeGreaterThan(5)
    for (const p of dash.panels) {
      for (const t of p.targets) {
        const expr = t.expr.replaceAll('$instance', '.*')
        let r = await query(expr)
        const until = Date.now() + 20_000
        while (r.status === 'success' && r.data.result.length === 0 && Date.now() < until) {
          await new Promise((res) => setTimeout(res, 500))
          r = await query(expr)
        }
        expect(r.status, `${p.title}: ${expr}: ${r.error ?? ''}`).toBe('success')
        expect(r.data.result.length, `${p.title}: ${expr} returned no data`).toBeGreaterThan(0)
      }
    }
  }, 120_000)
})
