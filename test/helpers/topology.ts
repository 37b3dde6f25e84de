/**
 * @module
 * The probe tests' network: client — r1 — r2 — r3 — server in five network namespaces
 * (IPv4 10.9.i.0/24 and IPv6 fd09:i::/64 on link i). This kernel has no sch_netem, so delay
 * on the r2–r3 link comes from a small relay between two TUN devices (python3, stdlib), and
 * loss from nftables `numgen random` on a router's forward hook (forward direction only, so
 * the loss is exactly what was planted). ICMP rate limits are off in every namespace
 * (RELIABILITY.md 4.3), rp_filter off, DAD off. Everything carries the prefix tdpr + pid and
 * goes in destroy(), which also runs at process exit.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TopologyOptions {
  /** one-way delay on r2–r3 in ms (0: plain veth) */
  delayMs?: number
  /** r2 sends no ICMP errors (time exceeded): a router that does not answer traceroute */
  silentR2?: boolean
  /** drop this percentage of forwarded packets of l4proto on router r (client → server direction) */
  loss?: { router: 1 | 2 | 3; pct: number; proto: 'udp' | 'icmp' | 'tcp' | 'all' }
  /** server: TCP listener on 8080, SYNs to 8081 dropped (filtered), 81 closed (refused) */
  tcp?: boolean
  /** dnsmasq on the server at 10.9.3.2 (records below), 10.9.3.3 drops DNS (times out) */
  dns?: { hosts?: string; records?: string[]; clientHosts?: string; clientResolv?: string; /** a second dnsmasq on 10.9.3.2:5353 with these hosts (servers that disagree) */ secondHosts?: string }
  /** net.ipv4.ping_group_range in the client namespace (default "1 0", the host's) */
  pingGroupRange?: string
}

export interface Topology {
  ns: { client: string; r1: string; r2: string; r3: string; server: string }
  server4: string
  server6: string
  /** hop addresses in order as traceroute prints them */
  hops4: string[]
  hops6: string[]
  /** runs a command in a namespace, returns stdout (throws on non-zero unless allowFail) */
  exec(ns: string, cmd: string, args: string[], opts?: { allowFail?: boolean; timeout?: number; env?: NodeJS.ProcessEnv }): { stdout: string; stderr: string; status: number }
  destroy(): void
}

let counter = 0
const live = new Set<Topology>()
process.on('exit', () => {
  for (const t of live) t.destroy()
})

/**
 * The TUN relay (python3, stdlib; this kernel has no netem): argv TUN_A TUN_B DELAY_MS [SWAP]:
 * every packet waits DELAY_MS; with SWAP, that share of the packets from TUN_A waits 1.5 ms more
 * (overtaken by the next ones: reordering).
 */
export const TUN_RELAY = `
import fcntl, heapq, os, random, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454CA, 0x0001, 0x1000
def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
a, b = tun(sys.argv[1]), tun(sys.argv[2])
delay = float(sys.argv[3]) / 1000.0
swap = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
other = {a: b, b: a}
queue, n = [], 0
print("ready", flush=True)
while True:
    wait = max(0.0, queue[0][0] - time.monotonic()) if queue else None
    ready, _, _ = select.select([a, b], [], [], wait)
    for fd in ready:
        n += 1
        extra = 0.0015 if fd == a and swap and random.random() < swap else 0.0
        heapq.heappush(queue, (time.monotonic() + delay + extra, n, other[fd], os.read(fd, 65535)))
    now = time.monotonic()
    while queue and queue[0][0] <= now:
        _, _, out, pkt = heapq.heappop(queue)
        try: os.write(out, pkt)
        except OSError: pass
`

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })
}

function waitUntil(what: string, ok: () => boolean, ms = 10_000): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (ok()) return
    execFileSync('sleep', ['0.05'])
  }
  throw new Error(`topology: ${what} did not happen within ${ms} ms`)
}

export function buildTopology(o: TopologyOptions = {}): Topology {
  const tag = `tdpr${process.pid}${String.fromCharCode(97 + (counter++ % 26))}`
  const names = { client: `${tag}c`, r1: `${tag}r1`, r2: `${tag}r2`, r3: `${tag}r3`, server: `${tag}s` }
  const order = [names.client, names.r1, names.r2, names.r3, names.server]
  const children: ChildProcess[] = []
  const dir = join(tmpdir(), tag)
  let destroyed = false
  const topo: Topology = {
    ns: names,
    server4: '10.9.3.2',
    server6: 'fd09:3::2',
    hops4: ['10.9.0.2', '10.9.1.2', '10.9.2.2', '10.9.3.2'],
    hops6: ['fd09::2', 'fd09:1::2', 'fd09:2::2', 'fd09:3::2'],
    exec(ns, cmd, args, opts = {}) {
      const r = runSync('ip', ['netns', 'exec', ns, cmd, ...args], opts.timeout, opts.env)
      if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} in ${ns}: exit ${r.status}: ${r.stderr}`)
      return r
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      live.delete(topo)
      for (const c of children) c.kill('SIGKILL')
      for (const ns of order) {
        try {
          const pids = sh('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)
          for (const p of pids) process.kill(Number(p), 'SIGKILL')
        } catch {
          // namespace never made or already gone
        }
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
        } catch {
          // already gone
        }
      }
      rmSync(`/etc/netns/${names.client}`, { recursive: true, force: true })
      rmSync(dir, { recursive: true, force: true })
    },
  }
  live.add(topo)
  try {
    mkdirSync(dir, { recursive: true })
    for (const ns of order) {
      sh('ip', ['netns', 'add', ns])
      sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
      const router = ns !== names.client && ns !== names.server
      sh('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0',
        'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0',
        `net.ipv4.ip_forward=${router ? 1 : 0}`, `net.ipv6.conf.all.forwarding=${router ? 1 : 0}`, 'net.ipv4.ip_default_ttl=64'])
    }
    if (o.pingGroupRange) sh('ip', ['netns', 'exec', names.client, 'sysctl', '-qw', `net.ipv4.ping_group_range=${o.pingGroupRange}`])
    for (let i = 0; i < 4; i++) {
      const l = order[i]!
      const r = order[i + 1]!
      const lif = i === 0 ? 'eth0' : 'eth1'
      if (i === 2 && (o.delayMs ?? 0) > 0) {
        writeFileSync(join(dir, 'relay.py'), TUN_RELAY)
        const ta = `${tag}a`
        const tb = `${tag}b`
        const relay = spawn('python3', [join(dir, 'relay.py'), ta, tb, String(o.delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
        children.push(relay)
        let out = ''
        relay.stdout!.on('data', (d: Buffer) => (out += d.toString()))
        waitUntil('the TUN relay start', () => out.includes('ready') || sh('ip', ['link', 'show']).includes(tb))
        waitUntil('the TUN devices', () => sh('ip', ['link', 'show']).includes(tb))
        sh('ip', ['link', 'set', ta, 'netns', l])
        sh('ip', ['link', 'set', tb, 'netns', r])
        sh('ip', ['-n', l, 'link', 'set', ta, 'name', lif])
        sh('ip', ['-n', r, 'link', 'set', tb, 'name', 'eth0'])
      } else {
        sh('ip', ['-n', l, 'link', 'add', lif, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', r])
      }
      sh('ip', ['-n', l, 'addr', 'add', `10.9.${i}.1/24`, 'dev', lif])
      sh('ip', ['-n', r, 'addr', 'add', `10.9.${i}.2/24`, 'dev', 'eth0'])
      sh('ip', ['-n', l, '-6', 'addr', 'add', `fd09:${i}::1/64`, 'dev', lif, 'nodad'])
      sh('ip', ['-n', r, '-6', 'addr', 'add', `fd09:${i}::2/64`, 'dev', 'eth0', 'nodad'])
      sh('ip', ['-n', l, 'link', 'set', lif, 'up'])
      sh('ip', ['-n', r, 'link', 'set', 'eth0', 'up'])
    }
    sh('ip', ['-n', names.client, 'route', 'add', 'default', 'via', '10.9.0.2'])
    sh('ip', ['-n', names.client, '-6', 'route', 'add', 'default', 'via', 'fd09::2'])
    sh('ip', ['-n', names.server, 'route', 'add', 'default', 'via', '10.9.3.1'])
    sh('ip', ['-n', names.server, '-6', 'route', 'add', 'default', 'via', 'fd09:3::1'])
    for (let k = 1; k <= 3; k++) {
      const ns = order[k]!
      for (let j = 0; j <= 3; j++) {
        if (j < k - 1) {
          sh('ip', ['-n', ns, 'route', 'add', `10.9.${j}.0/24`, 'via', `10.9.${k - 1}.1`])
          sh('ip', ['-n', ns, '-6', 'route', 'add', `fd09:${j}::/64`, 'via', `fd09:${k - 1}::1`])
        } else if (j > k) {
          sh('ip', ['-n', ns, 'route', 'add', `10.9.${j}.0/24`, 'via', `10.9.${k}.2`])
          sh('ip', ['-n', ns, '-6', 'route', 'add', `fd09:${j}::/64`, 'via', `fd09:${k}::2`])
        }
      }
    }
    if (o.silentR2)
      sh('ip', ['netns', 'exec', names.r2, 'nft', '-f', '-'], `table inet tdprsilent {
  chain out { type filter hook output priority 0; policy accept;
    icmp type time-exceeded drop
    icmpv6 type time-exceeded drop
  }
}
`)
    if (o.loss) {
      const match = o.loss.proto === 'all' ? '' : `meta l4proto ${o.loss.proto === 'icmp' ? '{ icmp, ipv6-icmp }' : o.loss.proto} `
      sh('ip', ['netns', 'exec', order[o.loss.router]!, 'nft', '-f', '-'], `table inet tdprloss {
  chain lossfwd { type filter hook forward priority 0; policy accept;
    ip daddr 10.9.3.0/24 ${match}numgen random mod 100 < ${o.loss.pct} drop
    ip6 daddr fd09:3::/64 ${match}numgen random mod 100 < ${o.loss.pct} drop
  }
}
`)
    }
    if (o.tcp) {
      sh('ip', ['netns', 'exec', names.server, 'nft', '-f', '-'], `table inet tdprfilter {
  chain in { type filter hook input priority 0; policy accept;
    tcp dport 8081 drop
  }
}
`)
      const l = spawn('ip', ['netns', 'exec', names.server, 'python3', '-c', `
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("::", 8080)); s.listen(128)
while True:
    c, _ = s.accept(); c.close()
`], { stdio: 'ignore' })
      children.push(l)
      waitUntil('the listener on :8080', () => sh('ip', ['netns', 'exec', names.server, 'ss', '-tlnH', 'sport = :8080']).includes('LISTEN'))
    }
    if (o.dns) {
      sh('ip', ['-n', names.server, 'addr', 'add', '10.9.3.3/24', 'dev', 'eth0'])
      sh('ip', ['netns', 'exec', names.server, 'nft', '-f', '-'], `table inet tdprdnsdrop {
  chain in { type filter hook input priority 0; policy accept;
    ip daddr 10.9.3.3 udp dport 53 drop
    ip daddr 10.9.3.3 tcp dport 53 drop
  }
}
`)
      writeFileSync(join(dir, 'dns-hosts'), o.dns.hosts ?? '')
      const args = ['--keep-in-foreground', '--no-resolv', '--no-hosts', `--addn-hosts=${join(dir, 'dns-hosts')}`, '--listen-address=10.9.3.2', '--bind-interfaces',
        '--local=/test/', '--domain-needed', `--pid-file=${join(dir, 'dnsmasq.pid')}`, '--log-facility=-', '--user=root', ...(o.dns.records ?? [])]
      const d = spawn('ip', ['netns', 'exec', names.server, 'dnsmasq', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
      children.push(d)
      waitUntil('dnsmasq on :53', () => sh('ip', ['netns', 'exec', names.server, 'ss', '-ulnH', 'sport = :53']).includes('10.9.3.2'))
      if (o.dns.secondHosts !== undefined) {
        writeFileSync(join(dir, 'dns-hosts2'), o.dns.secondHosts)
        const second = args.map((a) => a.replace('dns-hosts', 'dns-hosts2').replace('dnsmasq.pid', 'dnsmasq2.pid'))
        const d2 = spawn('ip', ['netns', 'exec', names.server, 'dnsmasq', '--port=5353', ...second], { stdio: ['ignore', 'ignore', 'pipe'] })
        children.push(d2)
        waitUntil('dnsmasq on :5353', () => sh('ip', ['netns', 'exec', names.server, 'ss', '-ulnH', 'sport = :5353']).includes('10.9.3.2'))
      }
      mkdirSync(`/etc/netns/${names.client}`, { recursive: true })
      writeFileSync(`/etc/netns/${names.client}/hosts`, o.dns.clientHosts ?? '127.0.0.1 localhost\n')
      writeFileSync(`/etc/netns/${names.client}/resolv.conf`, o.dns.clientResolv ?? 'nameserver 10.9.3.2\nnameserver 10.9.3.3\noptions timeout:1 attempts:1\n')
    }
    // the path works end to end before any test starts
    waitUntil('the chain to forward', () => runSync('ip', ['netns', 'exec', names.client, 'ping', '-n', '-c', '1', '-W', '1', '10.9.3.2']).status === 0, 15_000)
  } catch (err) {
    topo.destroy()
    throw err
  }
  return topo
}

function runSync(cmd: string, args: string[], timeout?: number, env?: NodeJS.ProcessEnv): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, env: env ?? process.env, maxBuffer: 64 << 20 })
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 }
}
