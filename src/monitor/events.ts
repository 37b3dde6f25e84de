/**
 * @module
 * Server-sent events: one "sample" event per tick to every client. A client whose socket buffer
 * is full (a slow reader) is skipped for that tick instead of growing memory; one that stays full
 * for `maxBehind` ticks is closed. Each client costs one socket and no queue.
 */
import type { ServerResponse } from 'node:http'

export class EventHub {
  private readonly clients = new Map<ServerResponse, number>()
  constructor(private readonly maxBehind = 30, private readonly maxClients = 5000) {}

  get size(): number {
    return this.clients.size
  }

  add(res: ServerResponse, first?: string): boolean {
    if (this.clients.size >= this.maxClients) return false
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' })
    res.write(': tcpdoctor\n\n')
    if (first) res.write(first)
    this.clients.set(res, 0)
    res.on('close', () => this.clients.delete(res))
    return true
  }

  /** Sends one event; returns the number of clients it went to. */
  send(event: string, data: unknown): number {
    if (this.clients.size === 0) return 0
    const msg = format(event, data)
    let sent = 0
    for (const [res, behind] of this.clients) {
      if (res.writableNeedDrain) {
        if (behind + 1 >= this.maxBehind) {
          this.clients.delete(res)
          res.destroy()
        } else this.clients.set(res, behind + 1)
        continue
      }
      if (behind) this.clients.set(res, 0)
      res.write(msg)
      sent++
    }
    return sent
  }

  closeAll(): void {
    for (const res of this.clients.keys()) res.destroy()
    this.clients.clear()
  }
}

export function format(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}
