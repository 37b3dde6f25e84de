/**
 * `lab tcp-memory-pressure`: a server that never reads lets its clients' data fill the socket
 * buffers, then the host-global tcp_mem pressure threshold is lowered below what TCP now holds:
 * the kernel enters memory pressure (TcpExtTCPMemoryPressures rises, buffers shrink). tcp_mem
 * exists only in the initial namespace, so this is the one scenario that changes the host: it
 * needs TCPDOCTOR_LAB_HOST_SYSCTLS=1 and restores the value on stop, at exit, and with
 * `lab --cleanup`. tcp_mem[2] (the hard limit) is left alone, so nothing is aborted.
 */
import { readFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import type { Scenario } from '../scenario.js'
import { connectMany, pair } from '../recipes.js'
import { TcpdoctorError } from '../../errors.js'
import { hostSysctlsAllowed, HOST_SYSCTL_OPT_IN } from '../host-sysctl.js'
import { msg } from '../../i18n/index.js'

/** The kernel's global TCP memory-pressure flag: the "press" column of /proc/net/protocols. */
function underPressure(): boolean {
  const row = readFileSync('/proc/net/protocols', 'utf8').split('\n').find((l) => l.startsWith('TCP '))
  return row?.trim().split(/\s+/)[4] === 'yes'
}

/** TCP memory in pages, host-wide (/proc/net/sockstat "TCP: ... mem N"). */
function tcpMemPages(): number {
  const m = /^TCP:.*\bmem (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))
  return m ? Number(m[1]) : 0
}

export const tcpMemoryPressure: Scenario = {
  name: 'tcp-memory-pressure',
  kind: 'trouble',
  defaultCount: 4,
  async setup(lab, count) {
    if (!hostSysctlsAllowed()) {
      throw new TcpdoctorError('TD_PERMISSION', msg('err.lab.labTcpMemoryPressure'), {
        hint: msg('hint.lab.set1ToAllow', { HOST_SYSCTL_OPT_IN }),
      })
    }
    await pair(lab)
    const { client } = await connectMany(lab, count, { mode: 'hold', serverComm: 'tdlab-hoarder' })
    await client.call('stream', { group: 'conn', rate: 40_000_000 })
    // Wait until the unread data holds a few thousand pages, then put the pressure line below it.
    const deadline = Date.now() + 15_000
    while (tcpMemPages() < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    const held = tcpMemPages()
    if (held < 200) throw new TcpdoctorError('TD_IO', msg('err.lab.labTheUnreadStreams', { held }))
    const [, , high] = readFileSync('/proc/sys/net/ipv4/tcp_mem', 'utf8').trim().split(/\s+/).map(Number)
    lab.setHostSysctl('net.ipv4.tcp_mem', `${Math.floor(held / 8)} ${Math.floor(held / 4)} ${high}`)
    // Any allocation now meets the pressure line: keep data flowing so one happens.
    return {
      expect: [
        { role: 'client', states: { ESTABLISHED: count }, findings: [] },
        { role: 'server', states: { ESTABLISHED: count, LISTEN: 1 }, findings: [] },
      ],
      look: ['tcpdoctor diagnose            # in the host namespace: tcp_mem is host-global', 'tcpdoctor counters TcpExtTCPMemoryPressures', 'cat /proc/net/sockstat /proc/sys/net/ipv4/tcp_mem'],
      // Entering pressure bumps TCPMemoryPressures in the namespace of whichever socket allocated
      // first (client, server, or anyone else on the host), so wait on the global flag instead.
      // The streams may all be stalled on full windows (no new allocation): a loopback pair of our
      // own keeps allocating until the kernel raises the flag.
      ready: async () => {
        const until = Date.now() + 20_000
        const poke = await allocator()
        try {
          while (!underPressure()) {
            if (Date.now() > until) throw new TcpdoctorError('TD_IO', msg('err.lab.labTcpDidNot'))
            poke()
            await new Promise((r) => setTimeout(r, 100))
          }
        } finally {
          poke.close()
        }
      },
    }
  },
}

/** A loopback connection in the namespace we run in (the host: tcp_mem is global); each call writes 64 KiB. */
async function allocator(): Promise<(() => void) & { close(): void }> {
  const server = createServer((c) => c.on('data', () => undefined))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const sock = connect(port, '127.0.0.1')
  sock.on('error', () => undefined)
  await new Promise<void>((r) => sock.once('connect', r))
  const chunk = Buffer.alloc(64 * 1024)
  const poke = (() => void sock.write(chunk)) as (() => void) & { close(): void }
  poke.close = () => {
    sock.destroy()
    server.close()
  }
  return poke
}
