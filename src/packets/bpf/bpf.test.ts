/**
 * The BPF compiler checked against tcpdump on the same input: (a) the bytes of `tcpdump -dd`
 * where libpcap's optimizer and ours reach the same program, (b) by meaning on the shared corpus:
 * the packets our program accepts (run by vm.ts) are exactly those `tcpdump -r FILE EXPR`
 * prints, (c) fast-check: any text gives a program or TD_FILTER_SYNTAX.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { need } from '../../../test/helpers/can.js'
import { corpus, needCorpus } from '../../../test/helpers/corpus.js'
import { compileFilter, formatProgram, parseDd, runFilter, type LinkType } from './index.js'

const noTcpdump = need(['tool', 'tcpdump'])
const noCorpus = needCorpus()

/** Records of a classic pcap file (enough for the corpus files used here; the full reader is src/packets). */
function pcapRecords(file: string): { linktype: number; packets: Uint8Array[] } {
  return pcapBytes(readFileSync(file))
}

function pcapBytes(b: Buffer): { linktype: number; packets: Uint8Array[] } {
  // tcpdump writes nothing when libpcap proves the expression "rejects all packets" (arp on raw IP)
  if (b.length < 24) return { linktype: -1, packets: [] }
  const magic = b.readUInt32LE(0)
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o))
  const linktype = u32(20) & 0xffff
  const packets: Uint8Array[] = []
  let o = 24
  while (o + 16 <= b.length) {
    const incl = u32(o + 8)
    if (o + 16 + incl > b.length) break
    packets.push(b.subarray(o + 16, o + 16 + incl))
    o += 16 + incl
  }
  return { linktype, packets }
}

const LINK_OF: Record<number, LinkType> = { 1: 'ethernet', 113: 'sll', 276: 'sll2', 101: 'raw' }

function tcpdumpDd(file: string, expr: string): string {
  return execFileSync('tcpdump', ['-r', file, '-dd', expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
}

const ETH = 'dpkt/http.pcap'
const SLL = 'tcpdump/tcp-handshake-nano.pcap'
const SLL2 = 'zeek/linux_dlt_sll2.pcap'

// Expressions whose optimized program is byte-for-byte libpcap's (per link type).
const BYTE_EQUAL = [
  'tcp', 'udp', 'icmp', 'icmp6', 'ip', 'ip6', 'arp', 'sctp',
  'port 80', 'tcp port 80', 'udp port 53', 'src port 1234', 'dst port 443',
  'host 10.0.0.1', 'src host 10.0.0.1', 'dst host 192.168.1.2', 'net 10.1.0.0/16', 'host ::1', 'ip6 host fe80::1',
  'ip host 10.0.0.1', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'tcp[13] & 2 != 0', 'tcp[13] & 3 == 2',
  'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0', 'ip[0] + 1 == 2', 'greater 1000',
]

describe('bytes equal to tcpdump -dd', () => {
  for (const [file, link] of [[ETH, 'ethernet'], [SLL, 'sll'], [SLL2, 'sll2']] as const) {
    it.skipIf(noTcpdump || noCorpus).each(BYTE_EQUAL)(`${link}: %s`, (expr) => {
      const want = parseDd(tcpdumpDd(corpus(file), expr))
      const got = compileFilter(expr, link, { snaplen: readFileSync(corpus(file)).readUInt32LE(16) })
      expect(formatProgram(got)).toBe(formatProgram(want))
    })
  }
})

// Filters checked by meaning on every packet of these captures.
const MEANING = [
  'tcp', 'udp', 'icmp', 'ip', 'ip6', 'arp', 'not tcp', 'tcp port 80', 'port 80 or port 53', 'portrange 1-1024',
  'tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0', 'tcp[tcpflags] & tcp-rst != 0', 'tcp[tcpflags] == tcp-syn',
  'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn', 'src net 10.0.0.0/8 or dst net 192.168.0.0/16', 'host 10.77.0.1 or 10.77.3.2',
  'ip6 and tcp', 'tcp and not (port 22 or port 80)', '!tcp && (udp || icmp)', 'tcp and greater 100', 'less 60',
  'src port 80 and tcp[tcpflags] & tcp-push != 0', 'dst portrange 9000-9010', 'net fd77::/16', 'ip[8] < 64', 'udp[0:2] == 53 or udp[2:2] == 53',
]

const FILES = [
  'dpkt/http.pcap', 'dpkt/nb6-http.pcap', 'tcpdump/print-flags.pcap', 'tcpdump/dns_tcp.pcap', 'tcpdump/resp_1_benchmark.pcap',
  'tcpdump/tcp-handshake-nano.pcap', 'zeek/tcp__ssh-dups.pcap', 'zeek/linux_dlt_sll2.pcap', 'zeek/linuxsll-arp.pcap',
  'zeek/ipv4__fragmented-syn.pcap', 'zeek/communityid__ipv6.pcap', 'zeek/http-vlan-0.pcap', 'generated/gen-rst-refused.pcap',
  'generated/gen-loss-client-side.pcap', 'generated/gen-sll2-any-forwarded.pcap', 'generated/gen-sll1-any-forwarded.pcap',
  'generated/gen-ipv6-handshake-halfclose-fin.pcap', 'generated/gen-syn-blackhole.pcap', 'suricata-verify/tcp-empty-sack__tcp-opt.pcap',
  'tcpdump/LINKTYPE_RAW_ipv6.pcap', 'suricata-verify/decode-sll2-01__input.pcap',
]

/** The records tcpdump keeps for EXPR (`tcpdump -r FILE -w - EXPR`), as hex, in order. */
function tcpdumpAccepted(file: string, expr: string): string[] {
  const r = spawnSync('tcpdump', ['-r', file, '-w', '-', expr], { maxBuffer: 64 << 20 })
  return pcapBytes(r.stdout).packets.map((p) => Buffer.from(p).toString('hex'))
}

describe('by meaning: our program accepts exactly the packets tcpdump prints', () => {
  for (const file of FILES) {
    it.skipIf(noTcpdump || noCorpus)(file, () => {
      const { linktype, packets } = pcapRecords(corpus(file))
      const link = LINK_OF[linktype]!
      expect(link).toBeDefined()
      for (const expr of MEANING) {
        const prog = compileFilter(expr, link)
        const ours = packets.filter((p) => runFilter(prog, p) > 0).map((p) => Buffer.from(p).toString('hex'))
        const theirs = tcpdumpAccepted(corpus(file), expr)
        expect({ expr, accepted: ours.length, same: ours.join() === theirs.join() }).toEqual({ expr, accepted: theirs.length, same: true })
      }
    })
  }

  it.skipIf(noTcpdump || noCorpus)('cooked (-i any in the kernel): same answers as the SLL file with the header stripped', () => {
    for (const file of ['tcpdump/resp_1_benchmark.pcap', 'generated/gen-sll2-any-forwarded.pcap', 'zeek/linuxsll-arp.pcap']) {
      const { linktype, packets } = pcapRecords(corpus(file))
      const hdr = linktype === 113 ? 16 : 20
      // `len` counts the link header, which a cooked socket does not have: those filters differ by design
      for (const expr of MEANING.filter((x) => !/len|less|greater/.test(x))) {
        const onFile = compileFilter(expr, linktype === 113 ? 'sll' : 'sll2')
        const cooked = compileFilter(expr, 'cooked')
        for (const p of packets) {
          const protocol = linktype === 113 ? (p[14]! << 8) | p[15]! : (p[0]! << 8) | p[1]!
          expect(runFilter(cooked, p.subarray(hdr), { protocol }) > 0, `${file} ${expr}`).toBe(runFilter(onFile, p) > 0)
        }
      }
    }
  })
})

describe('errors', () => {
  it.each([
    ['tcp port', /port.*expected before the end at position 9/],
    ['host 10.0.0.300', /not an IPv4 or IPv6 address at position 6/],
    ['port 70000', /out of range/],
    ['tcp and (udp', /expected "\)" before the end/],
    ['host example.com', /host names are not resolved/],
    ['tcp host 10.0.0.1', /'tcp' cannot be combined with host/],
    ['net 10.0.0.1/8', /host bits set/],
    ['tcp[13] &', /position 10/],
    ['ip6 host 10.0.0.1', /ip6/],
    ['tcp $ 3', /unexpected character "\$" at position 5/],
    ['tcp[x] == 1', /position/],
    ['1 / 0 == 1', /division by zero/],
  ])('%s', (expr, re) => {
    expect(() => compileFilter(expr, 'ethernet')).toThrow(expect.objectContaining({ code: 'TD_FILTER_SYNTAX', message: expect.stringMatching(re) }))
  })

  it('an empty filter accepts everything', () => {
    expect(runFilter(compileFilter('', 'ethernet'), new Uint8Array(10))).toBe(262144)
  })
})

describe('property: any text is a program or TD_FILTER_SYNTAX, never a crash', () => {
  const words = fc.constantFrom('tcp', 'udp', 'ip', 'ip6', 'host', 'net', 'port', 'portrange', 'src', 'dst', 'and', 'or', 'not', '!', '(', ')', '&&', '||',
    '10.0.0.1', '::1', '10.0.0.0/8', '80', '1-100', 'tcp[13]', '&', '!=', '==', '0', 'tcp-syn', 'len', '[', ']', ':', '2', 'less', 'greater')
  const check = (text: string): void => {
    try {
      const prog = compileFilter(text, 'ethernet')
      expect(prog.length).toBeGreaterThan(0)
      expect(prog.at(-1)!.code & 0x07).toBe(0x06)
      runFilter(prog, new Uint8Array(64))
    } catch (err) {
      expect((err as { code?: string }).code).toBe('TD_FILTER_SYNTAX')
    }
  }
  it('token soup', () => {
    fc.assert(fc.property(fc.array(words, { maxLength: 20 }), (ws) => check(ws.join(' '))), { numRuns: 3000 })
  })
  it('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60 }), check), { numRuns: 3000 })
  })
})
