import { describe, expect, it } from 'vitest'
import { aliasCollisions, allTopics, findTopic, normalizeQuery, topicExists, transitionTopics } from './lookup.js'

const id = (q: string): string | undefined => findTopic(q).found?.id

describe('findTopic', () => {
  it.each([
    ['close_wait', 'close-wait'],
    ['CLOSE-WAIT', 'close-wait'],
    ['closewait', 'close-wait'],
    ['关闭等待', 'close-wait'],
    ['Cannot assign requested address', 'eaddrnotavail'],
    ['cannot assign requested address', 'eaddrnotavail'],
    ['EADDRNOTAVAIL', 'eaddrnotavail'],
    ['syn ack', 'syn-ack'],
    ['syn+ack', 'syn-ack'],
    ['ACK+SYN', 'syn-ack'],
    ['SYN/ACK', 'syn-ack'],
    ['tcp_tw_reuse', 'tcp_tw_reuse'],
    ['net.ipv4.tcp_tw_reuse', 'tcp_tw_reuse'],
    ['/proc/sys/net/ipv4/tcp_tw_reuse', 'tcp_tw_reuse'],
    ['net.core.somaxconn', 'somaxconn'],
    ['SYN_RCVD', 'syn-recv'],
    ['syn-received', 'syn-recv'],
    ['FIN_WAIT_1', 'fin-wait-1'],
    ['finwait2', 'fin-wait-2'],
    ['ESTAB', 'established'],
    ['UNCONN', 'closed'],
    ['time wait', 'time-wait'],
    ['三次握手', 'handshake'],
    ['四次挥手', 'teardown'],
    ['Connection reset by peer', 'econnreset'],
    ['assign requested', 'eaddrnotavail'],
    ['rst', 'rst'],
    ['2MSL', '2msl'],
    ['keep-alive', 'keepalive'],
    ['xmas', 'xmas-scan'],
    ['fin psh urg', 'xmas-scan'],
  ])('%s -> %s', (query, want) => {
    expect(id(query)).toBe(want)
  })

  it('finds transitions by their two states', () => {
    const t = findTopic('LISTEN -> SYN_RCVD').found
    expect(t?.kind).toBe('transition')
    expect(t?.en.summary).toContain('SYN+ACK')
    expect(findTopic('time-wait to closed').found?.id).toBe('transition-21')
  })

  it('suggests near topics on a miss', () => {
    const r = findTopic('close-wiat')
    expect(r.found).toBeUndefined()
    expect('suggestions' in r && r.suggestions).toContain('close-wait')
    const s = findTopic('tcp_tw_reues')
    expect('suggestions' in s && s.suggestions).toContain('tcp_tw_reuse')
  })

  it('gives no suggestions for nonsense', () => {
    const r = findTopic('qqqqqqqqqqqqqqq')
    expect(r.found).toBeUndefined()
  })
})

describe('the topic table', () => {
  it('has unique ids and no alias that points at two topics', () => {
    const ids = allTopics().map((t) => t.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(aliasCollisions()).toEqual([])
  })

  it('every see-also names an existing topic', () => {
    for (const t of allTopics()) for (const s of t.seeAlso) expect(topicExists(s), `${t.id} -> ${s}`).toBe(true)
  })

  it('every topic id is kebab-case or a kernel sysctl name', () => {
    for (const t of allTopics()) expect(t.id, t.id).toMatch(t.kind === 'sysctl' ? /^[a-z0-9_]+$/ : /^[a-z0-9]+(-[a-z0-9]+)*$/)
  })

  it('every topic has both languages, and outdated notes in both', () => {
    for (const t of [...allTopics(), ...transitionTopics()]) {
      for (const lang of ['en', 'zh'] as const) {
        expect(t[lang].title, `${t.id} ${lang}`).not.toBe('')
        expect(t[lang].summary.length, `${t.id} ${lang}`).toBeGreaterThan(10)
        expect(t[lang].body.length, `${t.id} ${lang}`).toBeGreaterThan(10)
        if (t.outdated) {
          expect(t.outdated[lang].article.length).toBeGreaterThan(10)
          expect(t.outdated[lang].now.length).toBeGreaterThan(10)
        }
      }
      expect(t.zh.summary, t.id).toMatch(/[\u4e00-\u9fff]/)
      expect(t.zh.body, t.id).toMatch(/[\u4e00-\u9fff]/)
    }
  })

  it('normalizes separators and prefixes', () => {
    expect(normalizeQuery('net.ipv4.tcp_fin_timeout')).toBe('tcpfintimeout')
    expect(normalizeQuery('SYN + ACK')).toBe(normalizeQuery('ack+syn'))
  })
})
