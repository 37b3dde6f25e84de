// A TCP server that notices vanished clients: TCP keepalive with short timers and
// TCP_USER_TIMEOUT on every accepted socket (configureServer), and an application heartbeat
// (heartbeat, role 'monitor') that drops a client silent for --timeout ms. It answers each
// message in upper case. Run: node examples/server.js [--port 7000] [--host 127.0.0.1]
import { createServer } from 'node:net'
import { parseArgs } from 'node:util'
import { configureServer, getTcpInfo, heartbeat } from 'tcpdoctor'

const { values } = parseArgs({ options: { port: { type: 'string', default: '7000' }, host: { type: 'string', default: '127.0.0.1' }, interval: { type: 'string', default: '2000' }, timeout: { type: 'string', default: '6000' } } })

const server = createServer((socket) => {
  const peer = `${socket.remoteAddress}:${socket.remotePort}`
  const hb = heartbeat(socket, { interval: Number(values.interval), timeout: Number(values.timeout), role: 'monitor' })
  hb.on('miss', (m) => console.log(`${peer}: no heartbeat for ${m.silentMs} ms (${m.missed} missed, timeout ${m.timeoutMs} ms)`))
  hb.on('error', (err) => console.log(`${peer}: ${err.code ?? 'error'}: ${err.message}`))
  hb.on('data', (chunk) => hb.write(String(chunk).toUpperCase()))
  hb.on('end', () => {
    const info = getTcpInfo(socket)
    console.log(`${peer}: client said goodbye after ${hb.stats.beatsReceived} heartbeats; rtt ${info.rttUs} us, ${info.bytesReceived} bytes received`)
    hb.end()
  })
})

// Every accepted socket: the kernel errors it 10 s + 2 s x 3 = 16 s after the client vanishes
// while idle, and gives up on unacknowledged data after 15 s (not tcp_retries2's ~15 minutes).
configureServer(server, {
  keepAlive: { idle: 10_000, interval: 2000, count: 3 },
  userTimeout: 15_000,
  onApplied: (s, a) => console.log(`${s.remoteAddress}:${s.remotePort}: connected; keepalive ${a.keepAlive.idleMs}/${a.keepAlive.intervalMs}/${a.keepAlive.count} (dead idle peer noticed within ${a.keepAlive.detectMs} ms), TCP_USER_TIMEOUT ${a.userTimeoutMs} ms`),
})

server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address()
  console.log(`listening on ${address}:${port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
