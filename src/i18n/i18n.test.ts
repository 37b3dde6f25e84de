import { describe, expect, it } from 'vitest'
import stringWidth from 'string-width'
import { allMessages, catalogs, t } from './index.js'
import { formatTable } from '../cli/render/table.js'

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort()

describe('message catalogs', () => {
  it('every catalog has the same keys in English and Chinese', () => {
    for (const c of catalogs) {
      const en = Object.keys(c.en).sort()
      const zh = Object.keys(c.zh).sort()
      expect(zh).toEqual(en)
    }
  })

  it('every message has the same {placeholders} in both languages and no empty text', () => {
    for (const m of allMessages()) {
      expect(m.en, m.key).toBeTruthy()
      expect(m.zh, m.key).toBeTruthy()
      expect(placeholders(m.zh!), m.key).toEqual(placeholders(m.en!))
    }
  })

  it('no key is defined by two catalogs', () => {
    const seen = new Set<string>()
    for (const c of catalogs)
      for (const k of Object.keys(c.en)) {
        expect(seen.has(k), k).toBe(false)
        seen.add(k)
      }
  })

  it('fills placeholders and falls back to English for unknown keys', () => {
    expect(t('en', 'explain.notFound', { query: 'x' })).toBe('no topic matches "x"')
    expect(t('zh', 'explain.notFound', { query: 'x' })).toContain('x')
  })
})

describe('CJK column alignment', () => {
  it('aligns Chinese headers and cells by display width', () => {
    const table = formatTable(
      [{ header: t('zh', 'tune.col.key') }, { header: t('zh', 'tune.col.current') }, { header: t('zh', 'tune.col.recommended') }],
      [['net.ipv4.tcp_keepalive_time', '7200', '600'], ['同时关闭中', '1', '2']],
    )
    const lines = table.split('\n')
    // The third column starts at the same display column on every line.
    const starts = lines.map((l) => {
      const cells = l.split(/\s{2,}/)
      return stringWidth(l.slice(0, l.lastIndexOf(cells[cells.length - 1]!)))
    })
    expect(new Set(starts).size).toBe(1)
  })
})
