/**
 * `tcpdoctor explain` end to end: forgiving lookup, both languages, wrapping to the width,
 * suggestions with exit code 2 and TD_NOT_FOUND, --list and --json. Needs a built dist/.
 */
import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import stringWidth from 'string-width'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const env = { ...process.env, LANG: 'C', COLUMNS: '', NO_COLOR: '1' }

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'explain', ...args], { encoding: 'utf8', env })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('tcpdoctor explain', () => {
  it.each([
    ['close_wait', 'close-wait'], ['CLOSE-WAIT', 'close-wait'], ['closewait', 'close-wait'], ['关闭等待', 'close-wait'],
    ['Cannot assign requested address', 'eaddrnotavail'], ['syn ack', 'syn-ack'], ['syn+ack', 'syn-ack'], ['EADDRNOTAVAIL', 'eaddrnotavail'],
    ['tcp_tw_reuse', 'tcp_tw_reuse'], ['net.ipv4.tcp_tw_reuse', 'tcp_tw_reuse'], ['time-wait', 'time-wait'], ['handshake', 'handshake'],
  ])('finds %s', (query, id) => {
    const r = run(query, '--json')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.out)
    expect(doc).toMatchObject({ id, lang: 'en' })
    for (const k of ['title', 'summary', 'body', 'aliases', 'seeAlso']) expect(doc).toHaveProperty(k)
  })

  it('accepts a query in several words without quotes', () => {
    expect(JSON.parse(run('Connection', 'reset', 'by', 'peer', '--json').out).id).toBe('econnreset')
  })

  it('prints the article\'s outdated advice and the modern answer, in Chinese too', () => {
    const doc = JSON.parse(run('tcp_tw_recycle', '--json', '--lang', 'zh').out)
    expect(doc.lang).toBe('zh')
    expect(doc.outdated.article).toMatch(/tcp_tw_recycle/)
    expect(doc.outdated.now).toMatch(/4\.12/)
    expect(doc.summary).toMatch(/[\u4e00-\u9fff]/)
  })

  it('wraps human output to 100 columns by default and to --width, counting CJK as two', () => {
    for (const [args, width] of [[['time-wait'], 100], [['time-wait', '--lang', 'zh'], 100], [['syn-flood', '--lang', 'zh', '--width', '50'], 50], [['keepalive', '--width', '40'], 40]] as const) {
      const r = run(...args)
      expect(r.code).toBe(0)
      for (const line of r.out.split('\n')) if (!line.trimStart().startsWith('$ ')) expect(stringWidth(line), line).toBeLessThanOrEqual(width)
    }
    expect(run('time-wait', '--lang', 'zh').out).toContain('时间等待')
  })

  it('suggests close topics on a miss, exit code 2, TD_NOT_FOUND', () => {
    const r = run('close-wiat')
    expect(r.code).toBe(2)
    expect(r.err).toContain('TD_NOT_FOUND')
    expect(r.err).toContain('close-wait')
    const j = run('tcp_tw_reues', '--json')
    expect(j.code).toBe(2)
    const doc = JSON.parse(j.out)
    expect(doc.error.code).toBe('TD_NOT_FOUND')
    expect(doc.error.hint).toContain('tcp_tw_reuse')
  })

  it('lists every topic', () => {
    const doc = JSON.parse(run('--list', '--json').out)
    expect(doc.topics.length).toBeGreaterThan(80)
    expect(doc.topics.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['close-wait', 'syn-ack', 'tcp_tw_reuse', 'eaddrnotavail', 'handshake']))
    const human = run('--list', '--lang', 'zh')
    expect(human.code).toBe(0)
    expect(human.out).toContain('关闭等待')
  })

  it('explains a transition of the diagram', () => {
    const doc = JSON.parse(run('ESTABLISHED -> CLOSE_WAIT', '--json').out)
    expect(doc).toMatchObject({ id: 'transition-13', kind: 'transition' })
  })

  it('needs a topic', () => {
    const r = run()
    expect(r.code).toBe(2)
    expect(r.err).toContain('TD_USAGE')
  })
})
