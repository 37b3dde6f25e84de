import { describe, expect, it } from 'vitest'
import stringWidth from 'string-width'
import { wrapLine, wrapText } from './wrap.js'
import { allTopics } from './lookup.js'

describe('wrapLine', () => {
  it('breaks English at spaces', () => {
    expect(wrapLine('one two three four', 9)).toEqual(['one two', 'three', 'four'])
  })
  it('breaks Chinese between characters and counts two cells each', () => {
    const lines = wrapLine('对端已关闭它那一侧我们收到并确认了', 10)
    for (const l of lines) expect(stringWidth(l)).toBeLessThanOrEqual(10)
    expect(lines.join('')).toBe('对端已关闭它那一侧我们收到并确认了')
  })
  it('never starts a line with closing punctuation', () => {
    const lines = wrapLine('甲乙丙丁戊\uff0c己庚', 10)
    for (const l of lines) expect(l.startsWith('\uff0c')).toBe(false)
  })
  it('breaks words longer than the line', () => {
    expect(wrapLine('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij'])
  })
})

describe('wrapText', () => {
  it('keeps commands whole and indents bullets', () => {
    const text = wrapText('intro words here\n\n- a bullet that wraps around\n$ tcpdoctor sockets state close-wait --process', 16)
    expect(text).toContain('  $ tcpdoctor sockets state close-wait --process')
    expect(text).toMatch(/^- a bullet that$/m)
    expect(text).toMatch(/^ {2}wraps around$/m)
  })
  it('fits every topic body in 60 cells in both languages (commands excepted)', () => {
    for (const t of allTopics())
      for (const lang of ['en', 'zh'] as const)
        for (const line of wrapText(t[lang].body, 60).split('\n')) if (!line.trimStart().startsWith('$ ')) expect(stringWidth(line), `${t.id} ${lang}: ${line}`).toBeLessThanOrEqual(60)
  })
})
