import { describe, expect, it } from 'vitest'
import { createServer, connect, type AddressInfo } from 'node:net'
import { once } from 'node:events'
import { countStates, listSockets, whoOwns, parseStates } from '../../src/index.js'
import { need } from '../helpers/can.js'

describe.skipIf(need(['native']))('library API on real loopback sockets', () => {
  it('whoOwns finds this test process on its own port, and countStates sees the sockets', async () => {
    const server = createServer((s) => s.on('error', () => {})).listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    const client = connect(port, '127.0.0.1')
    await once(client, 'connect')
    try {
      const report = await whoOwns(`:${port}`)
      expect(report.processes[0]).toMatchObject({ pid: process.pid, states: { LISTEN: 1, ESTABLISHED: 1 } })
      expect(report.clients[0]).toMatchObject({ pid: process.pid, states: { ESTABLISHED: 1 } })
      const mine = listSockets({ states: parseStates('established') }).sockets.filter((s) => s.local.port === port || s.remote.port === port)
      expect(mine).toHaveLength(2)
      expect(countStates().states.LISTEN).toBeGreaterThanOrEqual(1)
    } finally {
      client.destroy()
      server.close()
    }
  })
  it('rejects a bad target with a coded error', async () => {
    await expect(whoOwns('not a port')).rejects.toMatchObject({ code: 'TD_INVALID_ARGUMENT' })
  })
})
