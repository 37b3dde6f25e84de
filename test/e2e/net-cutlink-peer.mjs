// One end of the cut-link proof (test/e2e/net-cutlink.test.ts), run inside a network namespace
// with `ip netns exec`: `server` listens on one port per protection, `client ADDR ADDR6` connects
// to each. Every event is one JSON line on stdout with Date.now(), so the test can measure.
// Uses the built library (dist/), as an application would.
import { createServer, connect } from 'node:net'
import { createInterface } from 'node:readline'
import { heartbeat, setKeepAlive, setUserTimeout } from '../../dist/index.js'

export const PORTS = { none: 7401, keepalive: 7402, userTimeout: 7403, heartbeat: 7404, keepaliveAndUserTimeout: 7405 }
const say = (o) => process.stdout.write(JSON.stringify({ ...o, t: Date.now() }) + '\n')
const [, , role, addr4, addr6] = process.argv

if (role === 'server') {
  const sockets = new Map()
  const setups = {
    none: () => ({}),
    keepalive: (s) => ({ keepAlive: setKeepAlive(s, { idle: 1000, interval: 1000, count: 2 }) }),
    userTimeout: (s) => ({ userTimeoutMs: setUserTimeout(s, 2000) }),
    keepaliveAndUserTimeout: (s) => ({ keepAlive: setKeepAlive(s, { idle: 1000, interval: 1000, count: 10 }), userTimeoutMs: setUserTimeout(s, 2500) }),
  }
  let listening = 0
  for (const [name, port] of Object.entries(PORTS)) {
    const server = createServer((s) => {
      sockets.set(name, s)
      s.on('close', () => say({ ev: 'close', name }))
      if (name === 'heartbeat') {
        const hb = heartbeat(s, { interval: 300, timeout: 1500, role: 'monitor' })
        let first = true
        hb.on('beat', (b) => { if (first) say({ ev: 'beat', name, seq: b.seq }); first = false })
        hb.on('miss', (m) => say({ ev: 'miss', name, missed: m.missed, silentMs: m.silentMs }))
        hb.on('error', (err) => say({ ev: 'error', name, code: err.code, message: err.message }))
        hb.resume()
        say({ ev: 'accept', name, family: s.remoteFamily })
        return
      }
      s.on('error', (err) => say({ ev: 'error', name, code: err.code, message: err.message }))
      const applied = setups[name](s)
      say({ ev: 'accept', name, family: s.remoteFamily, applied })
    })
    // the user-timeout socket goes over IPv6, the others over IPv4
    server.listen(port, name === 'userTimeout' ? '::' : '0.0.0.0', () => { if (++listening === Object.keys(PORTS).length) say({ ev: 'ready' }) })
  }
  createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, name] = line.trim().split(' ')
    if (cmd === 'write') {
      // 64 KiB that the peer will never acknowledge
      sockets.get(name).write(Buffer.alloc(65536, 0x61))
      say({ ev: 'wrote', name })
    }
  })
} else if (role === 'client') {
  for (const [name, port] of Object.entries(PORTS)) {
    const c = connect(port, name === 'userTimeout' ? addr6 : addr4, () => {
      say({ ev: 'connected', name, localPort: c.localPort })
      if (name === 'heartbeat') {
        const hb = heartbeat(c, { interval: 300, timeout: 1500, role: 'sender' })
        hb.on('error', () => {})
        hb.resume()
      }
    })
    c.on('error', () => {})
  }
} else {
  process.stderr.write('usage: net-cutlink-peer.mjs server | client ADDR4 ADDR6\n')
  process.exit(2)
}
