/**
 * diagnose --capture: refused connects made for real in a private namespace raise RESETS_HIGH
 * from the counters, and the SYN/FIN/RST capture over the same window names the port and the
 * client; the socket view over the window names the local processes (the aborting service's
 * listener, the listener bound to another address of a refused port, the client whose connects
 * wait for an answer). Needs root, netns, nft, the addon and a built dist/.
 */
import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { need } from '../helpers/can.js'
import { dropNetns, inNetns, makeNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const skip = need(['root'], ['netns'], ['native'])

const REFUSER = `
import socket, time
end = time.time() + 5
while time.time() < end:
    try: socket.create_connection(("127.0.0.1", 47020)).close()
    except OSError: pass
    time.sleep(0.002)
`

describe.skipIf(skip)('diagnose --capture', () => {
  let ns = ''
  beforeAll(() => { ns = makeNetns('tdcap') })
  afterAll(() => dropNetns(ns))

  it('RESETS_HIGH names the refused port and its client from the packets', async () => {
    const gen = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', REFUSER], { stdio: 'ignore' })
    const done = new Promise((r) => gen.on('exit', r))
    await new Promise((r) => setTimeout(r, 300))
    const r = spawnSync('node', [BIN, 'diagnose', '--netns', ns, '--interval', '2', '--capture', '2', '--json'], { encoding: 'utf8', timeout: 30_000 })
    gen.kill()
    await done
    const report = JSON.parse(r.stdout) as { findings: { code: string; evidence: { capture?: { refused: { target: string; count: number; clients: string[] }[] } } }[]; notes: string[] }
    const resets = report.findings.find((f) => f.code === 'RESETS_HIGH')
    expect(resets, r.stdout.slice(0, 500)).toBeDefined()
    const refused = resets!.evidence.capture!.refused
    expect(refused[0]).toMatchObject({ target: '127.0.0.1:47020', clients: ['127.0.0.1'] })
    expect(refused[0]!.count).toBeGreaterThan(100)
    expect(report.notes.join('\n')).toMatch(/refused connects.*127\.0\.0\.1:47020/)
  })

  it('names the local processes through the socket view: the resetting service, the listener on another address, the waiting client', async () => {
    if (need(['tool', 'nft'])) return
    const ns2 = makeNetns('tdp2d')
    try {
      // every other SYN to 127.0.0.3:47033 is dropped: each connect of tdp2-slow waits 1 s in
      // SYN_SENT (long enough for the socket view), then its resent SYN is refused
      inNetns(ns2, 'nft', ['-f', '-'], `table inet tdp2slow {
  chain in { type filter hook input priority 0; policy accept;
    ip daddr 127.0.0.3 tcp dport 47033 tcp flags & (syn | ack) == syn numgen inc mod 2 == 0 drop
  }
}
`)
      const named = (name: string, body: string): string => `
import ctypes, socket, struct, time
ctypes.CDLL(None).prctl(15, b"${name}", 0, 0, 0)
${body}`
      const procs = [
        // a service that listens on 127.0.0.1 only: connects to 127.0.0.2 are refused
        named('tdp2-server', `s = socket.socket(); s.bind(("127.0.0.1", 47030)); s.listen(); time.sleep(60)`),
        // a service that aborts every connection it accepts (RST from the service)
        named('tdp2-aborter', `s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 47031)); s.listen(128)
while True:
    a, _ = s.accept(); a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); a.close()`),
        named('tdp2-client', `end = time.time() + 30
while time.time() < end:
    for dst in (("127.0.0.2", 47030), ("127.0.0.1", 47031)):
        try: socket.create_connection(dst).close()
        except OSError: pass
    time.sleep(0.003)`),
        named('tdp2-slow', `while True:
    try: socket.create_connection(("127.0.0.3", 47033), timeout=5).close()
    except OSError: pass`),
      ].map((code) => spawn('ip', ['netns', 'exec', ns2, 'python3', '-c', code], { stdio: 'ignore' }))
      await waitUntil(() => /47030/.test(inNetns(ns2, 'ss', ['-tlnH'])) && /47031/.test(inNetns(ns2, 'ss', ['-tlnH'])) && /SYN-SENT.*127\.0\.0\.3:47033/.test(inNetns(ns2, 'ss', ['-tanH'])), 'the listeners and a waiting connect')
      const r = spawnSync('node', [BIN, 'diagnose', '--netns', ns2, '--interval', '3', '--capture', '3', '--json'], { encoding: 'utf8', timeout: 30_000 })
      for (const p of procs) p.kill('SIGKILL')
      type Ev = { resets: { service: string; sentBy: string; count: number; serviceProcesses?: string[] }[]; refused: { target: string; processes?: string[]; listeners?: string[] }[] }
      const report = JSON.parse(r.stdout) as { findings: { code: string; evidence: { capture?: Ev } }[]; notes: string[] }
      const resets = report.findings.find((f) => f.code === 'RESETS_HIGH')
      expect(resets, r.stdout.slice(0, 800)).toBeDefined()
      const ev = resets!.evidence.capture!
      const pid = (name: string): RegExp => new RegExp(`^${name} \\(pid \\d+\\)$`)
      // the RSTs to tdp2-client come from the service on :47031, whose listener tdp2-aborter owns
      const abort = ev.resets.find((x) => x.service === '127.0.0.1:47031')
      expect(abort, JSON.stringify(ev.resets)).toMatchObject({ sentBy: 'service' })
      expect(abort!.serviceProcesses).toEqual([expect.stringMatching(pid('tdp2-aborter'))])
      // every RST came from that service, also those to client ports below 47031 (the SYN said
      // which end is the client; the lower port alone would have made them services). Under load
      // a few segments at the window's edges come without their SYN (a refusal whose SYN went out
      // before the capture began looks like a reset): the services are still only the three
      // service ports, never an ephemeral one, and the aborter holds nearly all.
      const services = new Set(ev.resets.map((x) => Number(x.service.split(':').pop())))
      expect([...services].filter((p) => ![47030, 47031, 47033].includes(p)), JSON.stringify(ev.resets)).toEqual([])
      const others = ev.resets.filter((x) => x !== abort).reduce((n, x) => n + x.count, 0)
      expect(others, JSON.stringify(ev.resets)).toBeLessThan(abort!.count * 0.05)
      // nothing listens on 127.0.0.2:47030, but tdp2-server does on 127.0.0.1:47030
      const wrong = ev.refused.find((x) => x.target === '127.0.0.2:47030')
      expect(wrong?.listeners, JSON.stringify(ev.refused)).toEqual([expect.stringMatching(/^127\.0\.0\.1:47030 tdp2-server \(pid \d+\)$/)])
      // the slow refusals: their SYN_SENT sockets were in the socket view with their owner
      const slow = ev.refused.find((x) => x.target === '127.0.0.3:47033')
      expect(slow?.processes, JSON.stringify(ev.refused)).toEqual([expect.stringMatching(pid('tdp2-slow'))])
      const notes = report.notes.join('\n')
      expect(notes).toMatch(/retransmitted SYNs.*127\.0\.0\.3:47033 x\d+ \(0\/\d+\) tdp2-slow \(pid \d+\)/)
      expect(notes).toMatch(/127\.0\.0\.1:47031 tdp2-aborter \(pid \d+\) -> 127\.0\.0\.1/)
    } finally {
      dropNetns(ns2)
    }
  }, 60_000)

  it('--capture with --netns all is a usage error', () => {
    const r = spawnSync('node', [BIN, 'diagnose', '--netns', 'all', '--capture', '1', '--json'], { encoding: 'utf8' })
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'TD_USAGE' } })
  })
})
