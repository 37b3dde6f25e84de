import { describe, expect, it } from 'vitest'
import { diffSnapshots } from './diff.js'
import { makeSnapshot } from './file.js'
import type { Socket } from '../model/socket.js'
import type { StateName } from '../model/state.js'

const s = (cookie: string, state: StateName, lport: number, rport: number): Socket => ({
  family: 'inet', state, local: { address: '10.0.0.1', port: lport }, remote: { address: '10.0.0.2', port: rport },
  recvQ: 0, sendQ: 0, uid: 0, inode: Number(cookie), cookie, ifindex: 0,
})
const snap = (sockets: Socket[]) => makeSnapshot([{ netns: 'host', source: 'netlink', sockets }], null)

describe('diffSnapshots', () => {
  it('matches sockets by cookie: appeared, gone, changed state, per state and per port', () => {
    const a = snap([s('1', 'LISTEN', 80, 0), s('2', 'ESTABLISHED', 80, 5000), s('3', 'ESTABLISHED', 80, 5001)])
    const b = snap([s('1', 'LISTEN', 80, 0), s('2', 'CLOSE_WAIT', 80, 5000), s('4', 'ESTABLISHED', 80, 5002), s('5', 'ESTABLISHED', 80, 5003)])
    const d = diffSnapshots(a, b)
    expect([d.appeared, d.disappeared, d.changedState]).toEqual([2, 1, 1])
    expect(d.states).toEqual([
      { state: 'ESTABLISHED', before: 2, after: 2, delta: 0 },
      { state: 'CLOSE_WAIT', before: 0, after: 1, delta: 1 },
      { state: 'LISTEN', before: 1, after: 1, delta: 0 },
    ])
    expect(d.ports).toEqual([{ key: ':80', before: 3, after: 4, delta: 1 }])
    expect(d.examples.changed).toEqual([expect.objectContaining({ from: 'ESTABLISHED', to: 'CLOSE_WAIT', local: '10.0.0.1:80' })])
  })
  it('the same snapshot twice: no change', () => {
    const a = snap([s('1', 'LISTEN', 80, 0)])
    const d = diffSnapshots(a, a)
    expect([d.appeared, d.disappeared, d.changedState, d.ports.length]).toEqual([0, 0, 0, 0])
  })
})
