import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HistoryStore, WAL_LIMIT } from './store.js'
import type { Sample } from '../sample.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'tdmon-store-'))
  dirs.push(d)
  return join(d, 'h.db')
}
const sample = (at: number, est: number): Sample => ({ at, hostname: 'h', netns: 'host', source: 'netlink', total: est, states: { ESTABLISHED: est }, rates: {}, counters: { TcpActiveOpens: est / 10 }, counterTotals: {}, ports: [], processes: [], peers: [], listeners: [], findings: [], notes: [], tookMs: 1 })

describe('HistoryStore', () => {
  it('migrates once, records, rolls minutes up and applies retention', () => {
    const p = tmp()
    const t0 = Date.UTC(2026, 11, 1, 0, 0, 0)
    const s = new HistoryStore(p, { rawRetentionMs: 120_000, minuteRetentionMs: 600_000 })
    expect(s.schemaVersion()).toBe(1)
    for (let i = 0; i < 15 * 60; i++) s.record(sample(t0 + i * 1000, i % 60))
    const st = s.stats()
    // Raw rows only for the last 2 minutes (plus the current one), minute rows for 10 minutes.
    expect(st.raw).toBeLessThanOrEqual(121 + 60)
    expect(st.minutes).toBeLessThanOrEqual(11)
    expect(st.minutes).toBeGreaterThanOrEqual(9)
    s.close()
    const again = new HistoryStore(p)
    expect(again.schemaVersion()).toBe(1)
    const rows = again.query(t0, t0 + 15 * 60_000)
    const minute = rows.find((r) => r.step === 60)!
    // Each minute averages 0..59.
    expect(minute.states.ESTABLISHED).toBeCloseTo(29.5)
    expect(minute.rates.TcpActiveOpens).toBeCloseTo(2.95)
    const bucketed = again.query(t0 + 14 * 60_000, t0 + 15 * 60_000, 30)
    expect(bucketed.length).toBe(2)
    expect(bucketed[0]!.step).toBe(30)
    again.close()
  })

  it('stays within its retention: the file stops growing and the WAL is checkpointed and cut back', () => {
    const p = tmp()
    const t0 = Date.UTC(2026, 11, 1, 0, 0, 0)
    const s = new HistoryStore(p, { rawRetentionMs: 120_000, minuteRetentionMs: 600_000 })
    const size = (f: string): number => { try { return statSync(f).size } catch { return 0 } }
    const sizes: { db: number; wal: number }[] = []
    for (let i = 0; i < 40 * 60; i++) {
      s.record(sample(t0 + i * 1000, i % 60))
      if (i % 60 === 59) sizes.push({ db: size(p), wal: size(`${p}-wal`) })
    }
    s.close()
    // After the retention windows have filled (minute 12 on), freed pages are reused.
    const later = sizes.slice(12).map((x) => x.db)
    expect(Math.max(...later)).toBe(Math.min(...later))
    // 256 pages of 4 kB before a checkpoint, then cut back to WAL_LIMIT.
    expect(Math.max(...sizes.map((x) => x.wal))).toBeLessThanOrEqual(Math.max(WAL_LIMIT, 260 * 4096) + 64 * 1024)
  })

  it('a read-only open of a missing file is TD_NOT_FOUND', () => {
    expect(() => new HistoryStore(join(tmpdir(), 'tdmon-missing', 'x.db'), { readonly: true })).toThrow(expect.objectContaining({ code: 'TD_NOT_FOUND' }))
  })

  it('a database from a newer tcpdoctor is refused', () => {
    const p = tmp()
    const s = new HistoryStore(p)
    ;(s as unknown as { db: { exec(q: string): void } }).db.exec('INSERT INTO migrations VALUES (99, 0)')
    s.close()
    expect(() => new HistoryStore(p)).toThrow(/newer/)
  })
})
