// http server and keep-alive Agent, both configured by tcpdoctor: configureServer sets every
// accepted socket, configureAgent every socket the Agent opens (and puts keepalive back each
// time the Agent pools a socket: Node's Agent resets it to 1 s x 10 there). Prints what the
// kernel holds on both ends. Run: node examples/http.js
import http from 'node:http'
import { configureAgent, configureServer, getKeepAlive, getUserTimeout } from 'tcpdoctor'

const server = http.createServer((req, res) => {
  const ka = getKeepAlive(req.socket)
  res.end(`server socket: keepalive ${ka.idleMs}/${ka.intervalMs}/${ka.count}, TCP_USER_TIMEOUT ${getUserTimeout(req.socket)} ms`)
})
configureServer(server, { keepAlive: { idle: 30_000, interval: 5000, count: 3 }, userTimeout: 45_000 })

const agent = configureAgent(new http.Agent({ keepAlive: true }), { keepAlive: { idle: 20_000, interval: 4000, count: 3 }, userTimeout: 30_000 })

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address()
  for (let i = 1; i <= 2; i++) {
    const { body, socket } = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, agent }, (res) => {
        const socket = res.socket
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => setImmediate(() => resolve({ body, socket })))
      }).on('error', reject)
    })
    const ka = getKeepAlive(socket)
    console.log(`request ${i}: ${body}; client socket :${socket.localPort}: keepalive ${ka.idleMs}/${ka.intervalMs}/${ka.count}, TCP_USER_TIMEOUT ${getUserTimeout(socket)} ms`)
  }
  agent.destroy()
  server.close()
})
