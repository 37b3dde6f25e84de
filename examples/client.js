// The client of examples/server.js: connects, turns on keepalive and TCP_USER_TIMEOUT
// (configureSocket applies them once the connection is up), sends heartbeats (role 'sender')
// and --count messages, prints the answers and the kernel's view of the connection
// (getTcpInfo), then closes. It exits by itself: heartbeat() leaves no timer behind.
// Run: node examples/client.js [--port 7000] [--host 127.0.0.1] [--count 3]
import { connect } from 'node:net'
import { parseArgs } from 'node:util'
import { configureSocket, getTcpInfo, heartbeat } from 'tcpdoctor'

const { values } = parseArgs({ options: { port: { type: 'string', default: '7000' }, host: { type: 'string', default: '127.0.0.1' }, count: { type: 'string', default: '3' }, every: { type: 'string', default: '500' }, interval: { type: 'string', default: '2000' } } })

const socket = connect(Number(values.port), values.host)
configureSocket(socket, {
  keepAlive: { idle: 10_000, interval: 2000, count: 3 },
  userTimeout: 15_000,
  onApplied: (_s, a) => console.log(`connected; keepalive notices a dead server within ${a.keepAlive.detectMs} ms, TCP_USER_TIMEOUT ${a.userTimeoutMs} ms`),
})
socket.on('error', (err) => {
  console.log(`error: ${err.code ?? ''} ${err.message}`)
  process.exitCode = 1
})

socket.once('connect', () => {
  const hb = heartbeat(socket, { interval: Number(values.interval), timeout: 3 * Number(values.interval), role: 'sender' })
  const count = Number(values.count)
  let sent = 0
  let answered = 0
  hb.on('data', (chunk) => {
    console.log(`answer: ${chunk}`)
    if (++answered === count) {
      const info = getTcpInfo(socket)
      console.log(`tcp_info: rtt ${info.rttUs} us, cwnd ${info.sndCwnd}, mss ${info.sndMss}, ${hb.stats.beatsSent} heartbeats sent`)
      hb.end()
    }
  })
  hb.on('error', (err) => {
    console.log(`error: ${err.code}: ${err.message}`)
    process.exitCode = 1
  })
  hb.on('close', () => console.log('closed'))
  const tick = setInterval(() => {
    hb.write(`hello ${++sent}`)
    if (sent === count) clearInterval(tick)
  }, Number(values.every))
})
