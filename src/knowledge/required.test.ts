/**
 * The brief's list: every state, flag, combination, concept, errno and sysctl must be answered
 * in both languages, and every finding of SPEC 5 and every key tune knows must have a topic.
 */
import { describe, expect, it } from 'vitest'
import { findTopic, topicExists } from './lookup.js'
import { FINDING_TOPICS } from '../model/finding.js'
import { TRANSITIONS } from './transitions.js'
import { KEYS } from '../tune/keys.js'
import { PROFILES } from '../tune/profiles.js'

const REQUIRED = {
  states: ['ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'SYN_RCVD', 'FIN_WAIT1', 'FIN_WAIT_1', 'FIN_WAIT2', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSE', 'CLOSED', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'bound-inactive'],
  flags: ['SYN', 'FIN', 'ACK', 'PSH', 'RST', 'URG', 'ECE', 'CWR', 'NS'],
  combinations: ['syn+ack', 'rst+ack', 'fin+ack', 'psh+ack', 'syn+fin', 'syn+rst', 'null', 'xmas'],
  concepts: ['handshake', 'teardown', 'half-close', 'simultaneous-open', 'simultaneous-close', '2msl', 'time-wait', 'half-open', 'keepalive', 'heartbeat', 'syn-flood', 'listen-overflow', 'transitions'],
  errnos: ['EADDRNOTAVAIL', 'Cannot assign requested address', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'],
  sysctls: [
    'tcp_tw_reuse', 'tcp_tw_recycle', 'tcp_fin_timeout', 'tcp_max_tw_buckets', 'tcp_max_orphans', 'tcp_orphan_retries', 'tcp_syncookies',
    'tcp_max_syn_backlog', 'somaxconn', 'tcp_synack_retries', 'tcp_syn_retries', 'tcp_keepalive_time', 'tcp_keepalive_intvl',
    'tcp_keepalive_probes', 'tcp_retries2', 'ip_local_port_range', 'ip_local_reserved_ports', 'tcp_mem', 'tcp_rmem', 'tcp_wmem',
    'tcp_abort_on_overflow', 'tcp_timestamps', 'tcp_sack', 'tcp_window_scaling', 'tcp_fastopen', 'tcp_slow_start_after_idle',
    'tcp_congestion_control', 'tcp_syn_linear_timeouts', 'tcp_low_latency', 'tcp_fack', 'tcp_tw_reuse_delay',
  ],
}

const SPEC_FINDINGS = [
  'SYN_SENT_UNREACHABLE', 'OUTBOUND_SCAN_SUSPECTED', 'SYN_FLOOD', 'LISTEN_QUEUE_OVERFLOW', 'CLOSE_WAIT_LEAK', 'HALF_OPEN_SUSPECTED',
  'FIN_WAIT_1_PILEUP', 'FIN_WAIT_2_PILEUP', 'CLOSING_PILEUP', 'LAST_ACK_PILEUP', 'TIME_WAIT_PORT_EXHAUSTION', 'TIME_WAIT_BUCKET_OVERFLOW',
  'ORPHAN_SOCKETS_HIGH', 'RETRANSMISSION_HIGH', 'RESETS_HIGH', 'TCP_MEMORY_PRESSURE', 'UNEXPECTED_LISTENER', 'SYSCTL_RISK', 'EPHEMERAL_RANGE_NARROW',
]

const BRIEF_FINDING_TOPICS = ['close-wait', 'syn-flood', 'listen-overflow', 'time-wait', 'port-exhaustion', 'eaddrnotavail', 'orphan-sockets', 'retransmission', 'reset', 'tcp-memory', 'half-open', 'fin-wait-1', 'fin-wait-2', 'closing', 'last-ack', 'syn-sent', 'unexpected-listener', 'ephemeral-port-range']

describe('every required subject is answered in English and Chinese', () => {
  for (const [group, list] of Object.entries(REQUIRED)) {
    it.each(list)(`${group}: %s`, (query) => {
      const topic = findTopic(query).found
      expect(topic, query).toBeDefined()
      for (const lang of ['en', 'zh'] as const) {
        expect(topic![lang].title.trim()).not.toBe('')
        expect(topic![lang].summary.trim().length).toBeGreaterThan(20)
        expect(topic![lang].body.trim().length).toBeGreaterThan(20)
      }
      expect(topic!.zh.summary).toMatch(/[\u4e00-\u9fff]/)
    })
  }

  it('sysctls also resolve by their full key', () => {
    for (const k of REQUIRED.sysctls) expect(findTopic(k === 'somaxconn' ? 'net.core.somaxconn' : `net.ipv4.${k}`).found?.id, k).toBe(k)
  })

  it.each(TRANSITIONS.map((tr) => [tr.n, tr.from, tr.to] as const))('transition %i (%s -> %s) resolves in both languages', (n, from, to) => {
    const topic = findTopic(`${from} -> ${to}`).found
    expect(topic?.id).toBe(`transition-${n}`)
    expect(topic!.en.summary).not.toBe(topic!.zh.summary)
    expect(topic!.zh.summary).toMatch(/[\u4e00-\u9fff]/)
  })
})

describe('topics for other modules', () => {
  it('maps every finding code of SPEC 5 to an existing topic', () => {
    expect(Object.keys(FINDING_TOPICS).sort()).toEqual([...SPEC_FINDINGS].sort())
    for (const [code, id] of Object.entries(FINDING_TOPICS)) expect(topicExists(id), `${code} -> ${id}`).toBe(true)
  })

  it.each(BRIEF_FINDING_TOPICS)('finding subject %s is a topic id', (id) => {
    expect(topicExists(id)).toBe(true)
  })

  it('every sysctl tune knows or recommends has a topic', () => {
    for (const k of KEYS) expect(topicExists(k.topic), k.key).toBe(true)
    for (const rules of Object.values(PROFILES)) for (const r of rules) expect(topicExists(r.topic), r.key).toBe(true)
  })

  it('the article\'s outdated advice is corrected where ANCHORS (d) says so', () => {
    for (const id of ['tcp_tw_recycle', 'tcp_tw_reuse', 'tcp_fin_timeout', 'time-wait', '2msl', 'close-wait', 'syn-flood', 'somaxconn', 'eaddrnotavail', 'keepalive', 'tcp-flags']) {
      const topic = findTopic(id).found!
      expect(topic.outdated, id).toBeDefined()
    }
    expect(findTopic('tcp_tw_recycle').found!.en.summary).toMatch(/4\.12/)
    expect(findTopic('tcp_fin_timeout').found!.en.summary).toMatch(/does not shorten TIME_WAIT/)
    expect(findTopic('time-wait').found!.en.summary).toMatch(/60 s/)
  })
})
