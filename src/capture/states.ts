/**
 * @module
 * `capture --states`: the connection tracker of packets/ run on live packets; each packet
 * returns the state changes it caused (both endpoints, RFC 9293 as inferred from the wire).
 */
import { decodePacket, newDecoded } from '../packets/decode.js'
import { Tracker } from '../packets/tracker.js'
import type { CapturedPacket } from './live.js'

export interface LiveStateChange {
  stream: number
  client: string
  server: string
  side: 'client' | 'server'
  from: string
  to: string
}

export class LiveStates {
  private readonly tracker = new Tracker()
  private readonly d = newDecoded()
  private frame = 0

  /** Feeds one packet; the state changes it caused. */
  add(p: CapturedPacket): LiveStateChange[] {
    this.frame++
    if (decodePacket(p.data, 0, p.data.length, p.linktype, this.d) !== 'tcp') return []
    const c = this.tracker.add(this.d, this.frame, p.sec + p.nsec / 1e9)
    if (!c) return [] // only a tracker that frees connections has late packets
    const out: LiveStateChange[] = []
    for (const ch of c.changes) {
      if (ch.frame !== this.frame) continue
      const ep = (a: string, port: number): string => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`)
      out.push({ stream: c.stream, client: ep(c.clientAddress, c.clientPort), server: ep(c.serverAddress, c.serverPort), side: ch.side, from: ch.from, to: ch.to })
    }
    return out
  }
}
