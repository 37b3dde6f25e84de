/**
 * capture keeps 802.1Q tags: the kernel strips a VLAN tag on receive (skb_vlan_untag) and hands it
 * over beside the frame, so a capture that writes the bytes as they come loses it; libpcap puts it
 * back. This kernel has no 8021q module (no VLAN links), so the tagged frames are written raw:
 * python sends 802.1Q frames through an AF_PACKET socket on one end of a veth pair, and tcpdump and
 * tcpdoctor capture on the other end at the same moment. The oracle is tcpdump itself: `tcpdump -e
 * -r` of both files prints the same frames with the same "vlan N" tags, and tshark reads the tags
 * back from our file. Needs root, netns, the addon, tcpdump, tshark and python3.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const skip = need(['root'], ['netns'], ['native'], ['tool', 'tcpdump'], ['tool', 'tshark'], ['tool', 'python3'])

// Three TCP segments of one connection, tagged VLAN 100, 200 and 100 (802.1Q), plus one 802.1ad
// (QinQ outer TPID 0x88a8) frame, sent raw to the peer's MAC address.
const SEND = `
import socket, struct, sys
dst = bytes.fromhex(sys.argv[1].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind((sys.argv[2], 0))
def csum(b):
    if len(b) % 2: b += b'\\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
src_ip, dst_ip = socket.inet_aton('10.77.0.1'), socket.inet_aton('10.77.0.2')
for tpid, vid, flags, seq in ((0x8100, 100, 0x02, 1000), (0x8100, 200, 0x12, 5000), (0x8100, 100, 0x10, 1001), (0x88a8, 300, 0x04, 1001)):
    tcp = struct.pack('!HHIIBBHHH', 40000, 8080, seq, 0, 5 << 4, flags, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack('!H', csum(src_ip + dst_ip + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    s.send(dst + bytes.fromhex('020000000001') + struct.pack('!HHH', tpid, vid, 0x0800) + ip + tcp)
print('sent')
`

interface Run { child: ChildProcess; err: string; done: Promise<number | null> }

function run(cmd: string, args: string[]): Run {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LANG: 'C' } })
  const r: Run = { child, err: '', done: new Promise((res) => child.on('exit', (code) => res(code))) }
  child.stderr!.on('data', (d: Buffer) => { r.err += d.toString() })
  return r
}

/** tcpdump -e -n -r FILE, without the timestamps. */
function readBack(file: string): string[] {
  return execFileSync('tcpdump', ['-e', '-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .trim().split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, ''))
}

describe.skipIf(skip)('capture re-inserts the VLAN tags the kernel strips, as tcpdump does', () => {
  let a = ''
  let b = ''
  let dir = ''
  beforeAll(() => {
    a = makeNetns('tdvla')
    b = makeNetns('tdvlb')
    dir = mkdtempSync(join(tmpdir(), 'tdvlan-'))
    chmodSync(dir, 0o777) // tcpdump and our capture drop root before writing
    execFileSync('ip', ['-n', a, 'link', 'add', 'vla0', 'type', 'veth', 'peer', 'name', 'vlb0', 'netns', b])
    execFileSync('ip', ['-n', a, 'link', 'set', 'vla0', 'up'])
    execFileSync('ip', ['-n', b, 'link', 'set', 'vlb0', 'up'])
  })
  afterAll(() => {
    dropNetns(a)
    dropNetns(b)
    rmSync(dir, { recursive: true, force: true })
  })

  it('on the receiving end (tag stripped by the kernel): the same tagged frames as tcpdump -w, and tshark reads the VLAN ids', async () => {
    const mac = (JSON.parse(execFileSync('ip', ['-n', b, '-j', 'link', 'show', 'vlb0'], { encoding: 'utf8' })) as { address: string }[])[0]!.address
    const oursFile = join(dir, 'ours.pcap')
    const theirsFile = join(dir, 'theirs.pcap')
    const ours = run('node', [BIN, 'capture', '--netns', b, '-i', 'vlb0', '-w', oursFile, 'tcp'])
    const theirs = run('ip', ['netns', 'exec', b, 'tcpdump', '-n', '-U', '--immediate-mode', '-i', 'vlb0', '-w', theirsFile, 'tcp'])
    await waitUntil(() => /listening on/.test(ours.err) && /listening on/.test(theirs.err), 'both captures listening')
    expect(inNetns(a, 'python3', ['-c', SEND, mac, 'vla0'])).toContain('sent')
    // both have the four frames once tcpdump's file and our count say so; then Ctrl-C
    await waitUntil(() => {
      try { return readBack(theirsFile).length >= 4 } catch { return false }
    }, 'tcpdump to write the four frames')
    await new Promise((r) => setTimeout(r, 300))
    ours.child.kill('SIGINT')
    theirs.child.kill('SIGINT')
    expect(await ours.done).toBe(0)
    await theirs.done

    const mine = readBack(oursFile)
    const oracle = readBack(theirsFile)
    expect(oracle).toHaveLength(4)
    expect(oracle.join('\n')).toMatch(/vlan 100.*vlan 200.*vlan 100.*vlan 300/s)
    expect(mine).toEqual(oracle)
    // 802.1Q is vlan.id to Wireshark, 802.1ad (0x88a8) ieee8021ad.id
    const ids = execFileSync('tshark', ['-r', oursFile, '-T', 'fields', '-e', 'vlan.id', '-e', 'ieee8021ad.id'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    expect(ids.trim().split('\n').map((l) => l.split('\t').join(''))).toEqual(['100', '200', '100', '300'])
    // and analyze decodes through the tags: one connection, all four segments
    const report = JSON.parse(execFileSync('node', [BIN, 'analyze', '--json', oursFile], { encoding: 'utf8' })) as { connections: { packets: number; server: { port: number } }[] }
    expect(report.connections).toHaveLength(1)
    expect(report.connections[0]).toMatchObject({ packets: 4, server: { port: 8080 } })
  })
})
