/**
 * The dashboard in a real browser: Debian's chromium driven by playwright-core opens the page
 * served for a private namespace (tdweb<pid>), sees the counts on the state diagram, the
 * listener's accept queue and the top ports change when sockets are created there, switches
 * to Chinese, and saves screenshots under test-artifacts/ (gitignored). The page must load under
 * a strict Content-Security-Policy with no violation and no script error. Needs a built dist/web
 * (npm run build:web).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'
import { startPreview, type Preview } from './dashboard-preview.js'
import { commands } from '../../src/cli/commands/index.js'
import { spawn } from 'node:child_process'
import { once } from 'node:events'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')

/** `tcpdoctor serve --netns NS` on an ephemeral port (no history file); its URL from the --json line. */
async function startServe(netns: string): Promise<Preview> {
  const child = spawn(process.execPath, [BIN, 'serve', '--netns', netns, '--listen', '127.0.0.1:0', '--interval', '0.5', '--no-db', '--findings-every', '4', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let text = ''
  child.stdout.on('data', (b: Buffer) => (text += b.toString()))
  const line = await waitUntil(() => (text.includes('\n') ? text.split('\n')[0] : undefined), 'serve to print its URL', 20_000)
  const { url } = JSON.parse(line) as { url: string }
  return {
    url,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM')
        await once(child, 'exit')
      }
    },
  }
}

const root = join(import.meta.dirname, '..', '..')
const ARTIFACTS = join(root, 'test-artifacts')
const CHROMIUM = '/usr/bin/chromium'
const skip = need(['netns'], ['tool', 'python3']) ?? (existsSync(CHROMIUM) ? undefined : need(['tool', 'chromium']))

// A listener on 8080 and, when told on stdin, 6 connections to it held open.
const PLANT = `
import socket, sys
keep = []
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8080)); l.listen(64); keep.append(l)
print("READY", flush=True)
sys.stdin.readline()
for _ in range(6):
    c = socket.create_connection(("127.0.0.1", 8080)); keep.append(c); keep.append(l.accept()[0])
print("PLANTED", flush=True)
sys.stdin.readline()
# A listener that never accepts, backlog 4, and 10 non-blocking connects: the accept queue fills
# (backlog + 1 = 5, as the kernel allows), the rest of the SYNs are dropped (ListenOverflows).
f = socket.socket(); f.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
f.bind(("127.0.0.1", 8081)); f.listen(4); keep.append(f)
for _ in range(10):
    c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", 8081)); keep.append(c)
print("FLOODED", flush=True)
sys.stdin.readline()
`

describe.skipIf(skip)('dashboard in chromium', () => {
  let ns = ''
  let plant: ChildProcess
  let out = ''
  let server: Preview | undefined
  let browser: BrowserContext | undefined
  let page: Page
  let profile = ''
  const problems: string[] = []

  beforeAll(async () => {
    expect(existsSync(join(root, 'dist', 'web', 'index.html')), 'dist/web is built (npm run build:web)').toBe(true)
    mkdirSync(ARTIFACTS, { recursive: true })
    ns = makeNetns('tdweb')
    plant = spawnInNetns(ns, 'python3', ['-c', PLANT])
    plant.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    await waitUntil(() => out.includes('READY'), 'the planter to listen')
    // The real `tcpdoctor serve` once it is registered; until then the stand-in with its contract.
    server = commands.some((c) => c.name === 'serve') ? await startServe(ns) : await startPreview(ns, 500)
    profile = mkdtempSync(join(tmpdir(), 'tdweb-chromium-'))
    // A fresh profile (the --user-data-dir): playwright takes it as launchPersistentContext's first argument.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1600, height: 1300 },
      locale: 'en-US',
    })
    page = browser.pages()[0] ?? (await browser.newPage())
    page.on('console', (m) => {
      // the 400 of the deliberately bad connection filter is the answer the test asks for
      if (/status of 400/.test(m.text()) && m.location().url.includes('/api/connections')) return
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text())
    })
    page.on('pageerror', (e) => problems.push(String(e)))
  }, 60_000)

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    await server?.close()
    if (ns) dropNetns(ns)
    if (profile) rmSync(profile, { recursive: true, force: true })
  })

  const count = (state: string): Promise<string> => page.locator(`[data-count="${state}"]`).textContent().then((t) => t ?? '')

  it('shows the live counts of the served namespace on the state diagram', async () => {
    await page.goto(server!.url)
    await page.locator('[data-count="LISTEN"]', { hasText: /^1$/ }).waitFor({ timeout: 20_000 })
    await page.locator('[data-count="ESTABLISHED"]', { hasText: /^0$/ }).waitFor({ timeout: 20_000 })
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 20_000 })
  }, 30_000)

  it('follows sockets created in the namespace: diagram, KPI, listener queue, top ports', async () => {
    plant.stdin!.write('\n')
    await waitUntil(() => out.includes('PLANTED'), 'the connections')
    // 6 pairs on loopback: 12 ESTABLISHED sockets, as ss -tan in the namespace shows.
    await page.locator('[data-count="ESTABLISHED"]', { hasText: /^12$/ }).waitFor({ timeout: 20_000 })
    expect(await page.locator('[data-kpi="established"] .kpi-value').textContent()).toBe('12')
    expect(await page.locator('#listeners').textContent()).toContain('127.0.0.1:8080')
    expect(await page.locator('#listeners').textContent()).toContain('0 / 64')
    expect(await page.locator('#ports').textContent()).toContain(':8080')
    expect(await page.locator('#processes').textContent()).toContain('python3')
    await page.locator('#chart canvas').waitFor()
  }, 40_000)

  it('lists the connections like TCPView: the same sockets as ss, an ss filter, a coded error for a bad one', async () => {
    const ssRows = (expr: string): string[] =>
      inNetns(ns, 'ss', ['-tanH', 'state', 'all', expr]).trim().split('\n').filter(Boolean).map((l) => l.split(/\s+/)).map((f) => `${f[0]} ${f[3]} ${f[4]}`).sort()
    const rows = async (): Promise<string[]> => (await page.locator('#connections tbody tr:not(.gone)').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')))).map((c) => `${c[1]} ${c[2]} ${c[3]}`).sort()
    const ssState = (r: string): string => r.replace(/^ESTAB /, 'ESTABLISHED ').replace(/^LISTEN (\S+) 0\.0\.0\.0:\*/, 'LISTEN $1 0.0.0.0:*')
    await page.fill('#connections input', 'sport = :8080')
    await page.click('#connections button')
    const oracle = ssRows('sport = :8080').map(ssState)
    expect(oracle).toHaveLength(7) // the listener and the 6 accepted ends
    await waitUntil(async () => JSON.stringify(await rows()) === JSON.stringify(oracle), 'the table to equal ss -tan sport = :8080', 20_000, 200)
    expect(await page.locator('#connections .conn-status').textContent()).toContain('7')
    expect(await page.locator('#connections tbody').textContent()).toContain('python3[')
    await page.fill('#connections input', 'sport = ')
    await page.click('#connections button')
    await page.locator('#connections .conn-error', { hasText: 'TD_FILTER_SYNTAX' }).waitFor({ timeout: 10_000 })
    await page.fill('#connections input', '')
    await page.click('#connections button')
    await page.locator('#connections .conn-error').waitFor({ state: 'hidden', timeout: 10_000 })
    // everything again: the 12 ESTABLISHED ends and the listener
    await waitUntil(async () => (await rows()).length === 13, 'all 13 sockets in the table', 20_000, 200)
  }, 60_000)

  it('shows a full accept queue in red and the overflow rate', async () => {
    plant.stdin!.write('\n')
    await waitUntil(() => out.includes('FLOODED'), 'the accept queue to be filled')
    await page.locator('#listeners tr', { hasText: '127.0.0.1:8081' }).locator('.meter.full').waitFor({ timeout: 20_000 })
    // the new sockets come into the connection table marked as new (green), as TCPView marks them
    await page.locator('#connections tr.new', { hasText: '127.0.0.1:8081' }).first().waitFor({ timeout: 20_000 })
    expect(await page.locator('#listeners tr', { hasText: '127.0.0.1:8081' }).textContent()).toContain('5 / 4')
    // Dropped SYNs are retried by the clients (1 s, 3 s, ...): ListenOverflows rises while they do.
    await page.locator('[data-kpi="overflows"].bad').waitFor({ timeout: 20_000 })
    // diagnose's rule explains it, with what to do.
    await page.locator('#findings .finding', { hasText: 'LISTEN_QUEUE_OVERFLOW' }).first().waitFor({ timeout: 20_000 })
    expect(await page.locator('#findings').textContent()).toContain('127.0.0.1:8081')
    // The doctor runs less often than the counts: the card says when it last did.
    expect(await page.locator('#findings .findings-at').textContent()).toMatch(/^Checked at \S.* \(the doctor runs less often than the counts/)
    await page.waitForTimeout(1500) // a few more live points on the chart for the picture
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-en.png'), fullPage: true })
  }, 40_000)

  it('switches to Chinese and back', async () => {
    await page.click('#lang-zh')
    await page.locator('html[lang="zh-CN"]').waitFor()
    expect(await page.locator('h2[data-i18n="findings.title"]').textContent()).toBe('发现的问题')
    expect(await page.locator('[data-state="ESTABLISHED"] .state-zh').textContent()).toBe('已建立')
    expect(await page.locator('[data-kpi="established"] .kpi-label').textContent()).toBe('已建立')
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-zh.png'), fullPage: true })
    // The choice is remembered across a reload.
    await page.reload()
    await page.locator('html[lang="zh-CN"]').waitFor()
    await page.click('#lang-en')
    await page.locator('html[lang="en"]').waitFor()
    expect(await page.locator('h2[data-i18n="findings.title"]').textContent()).toBe('Findings')
  }, 30_000)

  it('the range picker asks the history for each range', async () => {
    const asked: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/api/history')) asked.push(r.url())
    })
    await page.click('[data-range="range.1h"]')
    await waitUntil(() => asked.length > 0, 'a history request')
    const u = new URL(asked[0]!)
    const span = Number(u.searchParams.get('to')) - Number(u.searchParams.get('from'))
    expect(span).toBe(3600_000)
    expect(await page.locator('[data-range="range.1h"]').getAttribute('class')).toBe('on')
  })

  it('ran under the strict CSP with no violation or script error', () => {
    expect(problems).toEqual([])
  })
})
