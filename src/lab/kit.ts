/**
 * @module
 * The lab kit: private network namespaces (`tdlab-<pid>-<n>-<role>`), veth or TUN-relay links,
 * addresses, routes, sysctls, nftables rules and socket agents, all inside namespaces this
 * process created. Cleanup kills every pid of `ip netns pids NS` and deletes only our own
 * namespaces; it runs on stop(), on error, on abort (Ctrl-C) and at process exit.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { TcpdoctorError } from '../errors.js'
import { debug } from '../debug.js'
import { countStates } from '../kernel/source.js'
import { resolveNetns, type NetnsTarget } from '../kernel/netns.js'
import type { StateName } from '../model/state.js'
import { AGENT_PY, RELAY_PY } from './agent-py.js'
import { HostSysctl } from './host-sysctl.js'
import { msg } from '../i18n/index.js'

export type StateCounts = Partial<Record<StateName, number>>

export interface LabProcess {
  /** The namespace role it runs in (client, server). */
  role: string
  /** Its process name (comm), as ss -p and diagnose show it. */
  command: string
  pid: number
  netns: string
}

const live = new Set<Lab>()
let seq = 0
let scriptDir: string | undefined
let exitHooked = false

/** Runs a command; rejects with TD_IO carrying its stderr. */
export function run(cmd: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new TcpdoctorError('TD_IO', msg('err.lab.commandFailed', { cmd, args: args.join(' '), detail: stderr.trim() || err.message }), { cause: err }))
      else resolve(stdout)
    })
    if (input !== undefined) child.stdin?.end(input)
  })
}

function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
}

function scripts(): { agent: string; relay: string } {
  if (!scriptDir) {
    scriptDir = mkdtempSync(join(tmpdir(), `tcpdoctor-lab-${process.pid}-`))
    writeFileSync(join(scriptDir, 'agent.py'), AGENT_PY)
    writeFileSync(join(scriptDir, 'relay.py'), RELAY_PY)
  }
  return { agent: join(scriptDir, 'agent.py'), relay: join(scriptDir, 'relay.py') }
}

/** Kills every process in a namespace we created and deletes it. Synchronous: usable at exit. */
export function dropNamespaceSync(name: string): void {
  if (!name.startsWith('tdlab-')) throw new TcpdoctorError('TD_INTERNAL', msg('err.lab.refusingToDeleteNamespace', { name }))
  for (let round = 0; round < 3; round++) {
    let pids: number[] = []
    try {
      pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\s+/).filter(Boolean).map(Number)
    } catch {
      return // the namespace is gone already
    }
    if (pids.length === 0) break
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // exited meanwhile
      }
    }
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' })
  } catch {
    // deleted meanwhile (a concurrent stop); nothing else may be deleted here
  }
}

function cleanupAllSync(): void {
  for (const lab of [...live]) lab.stopSync()
  if (scriptDir) rmSync(scriptDir, { recursive: true, force: true })
}

/** A socket agent running inside a namespace, driven by JSON-line commands. */
export class Agent {
  readonly pid: number
  private nextId = 1
  private readonly waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>()
  private exited = false

  constructor(readonly role: string, readonly netns: string, private readonly child: ChildProcess, pid: number) {
    this.pid = pid
    const rl = createInterface({ input: child.stdout! })
    rl.on('line', (line) => {
      let reply: { id?: number; ok?: boolean; error?: string }
      try {
        reply = JSON.parse(line) as typeof reply
      } catch {
        debug('lab agent %s: %s', role, line)
        return
      }
      const w = reply.id !== undefined ? this.waiting.get(reply.id) : undefined
      if (!w) return
      this.waiting.delete(reply.id!)
      if (reply.ok) w.resolve(reply as Record<string, unknown>)
      else w.reject(new TcpdoctorError('TD_IO', msg('err.lab.labAgentIn', { role, netns, error: reply.error })))
    })
    child.on('exit', () => {
      this.exited = true
      for (const w of this.waiting.values()) w.reject(new TcpdoctorError('TD_IO', msg('err.lab.labAgentInExited', { role, netns })))
      this.waiting.clear()
    })
  }

  /** Sends one command; resolves with the agent's reply. */
  call<T extends Record<string, unknown> = Record<string, unknown>>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.exited) return Promise.reject(new TcpdoctorError('TD_IO', msg('err.lab.labAgentInIs', { role: this.role, netns: this.netns })))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: Record<string, unknown>) => void, reject })
      this.child.stdin!.write(JSON.stringify({ ...args, op, id }) + '\n')
    })
  }
}

export interface LinkOptions {
  /** Interface name in each namespace (default eth0). */
  ifA?: string
  ifB?: string
  /** Address with prefix for each side, e.g. 10.199.0.1/24. */
  addrA: string
  addrB: string
  /** Replace the veth by two TUN devices and a delaying relay (netem without sch_netem). */
  relay?: { delayMs: number; jitterMs?: number; lossPct?: number }
}

/** One lab: the namespaces, links, rules and processes of a scenario run. */
export class Lab {
  readonly id: string
  readonly namespaces: { role: string; name: string }[] = []
  readonly processes: LabProcess[] = []
  private readonly children: ChildProcess[] = []
  private readonly targets = new Map<string, NetnsTarget>()
  private readonly hostSysctls: HostSysctl[] = []
  private stopped = false

  constructor() {
    this.id = `tdlab-${process.pid}-${++seq}`
    if (!exitHooked) {
      exitHooked = true
      process.once('exit', cleanupAllSync)
    }
    live.add(this)
  }

  /** The namespace name of a role. */
  ns(role: string): string {
    const n = this.namespaces.find((x) => x.role === role)
    if (!n) throw new TcpdoctorError('TD_INTERNAL', msg('err.lab.labHasNoNamespace', { id: this.id, role }))
    return n.name
  }

  /** Creates a namespace for a role: lo up, rp_filter 0, ICMP rate limit off, forwarding as asked. */
  async addNamespace(role: string, opts: { forward?: boolean; sysctls?: Record<string, string | number> } = {}): Promise<string> {
    const name = `${this.id}-${role}`
    await run('ip', ['netns', 'add', name])
    this.namespaces.push({ role, name })
    await run('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
    // conf/all and conf/default are copied from the host namespace (RELIABILITY 4.3): set them.
    await this.sysctl(role, {
      'net.ipv4.conf.all.rp_filter': 0,
      'net.ipv4.conf.default.rp_filter': 0,
      'net.ipv4.icmp_ratelimit': 0,
      'net.ipv4.ip_forward': opts.forward ? 1 : 0,
      'net.ipv6.conf.all.accept_dad': 0,
      ...opts.sysctls,
    })
    return name
  }

  /** Writes sysctls inside the role's namespace (never the host's). */
  async sysctl(role: string, values: Record<string, string | number>): Promise<void> {
    const args = Object.entries(values).map(([k, v]) => `${k}=${v}`)
    await run('ip', ['netns', 'exec', this.ns(role), 'sysctl', '-qw', ...args])
  }

  /**
   * Changes a host-global sysctl for this run (only with TCPDOCTOR_LAB_HOST_SYSCTLS=1; see
   * host-sysctl.ts). Restored by stop(), at exit, and by `lab --cleanup`.
   */
  setHostSysctl(key: string, value: string | number): void {
    this.hostSysctls.push(new HostSysctl(key, String(value)))
  }

  /** Runs `ip ARGS` against the role's namespace. */
  ip(role: string, ...args: string[]): Promise<string> {
    return run('ip', ['-n', this.ns(role), ...args])
  }

  /** Runs many `ip` commands (one per line) against the role's namespace in one process. */
  async ipBatch(role: string, lines: string[]): Promise<void> {
    await run('ip', ['-n', this.ns(role), '-batch', '-'], lines.join('\n') + '\n')
  }

  /** Joins two namespaces with a veth pair (or the TUN relay), addresses set, links up. */
  async link(a: string, b: string, o: LinkOptions): Promise<void> {
    const ifA = o.ifA ?? 'eth0'
    const ifB = o.ifB ?? 'eth0'
    if (o.relay) {
      const tmpA = `tda${seq}`
      const tmpB = `tdb${seq}`
      const child = this.spawnIn(a, 'relay', python(), [scripts().relay, tmpA, tmpB, String(o.relay.delayMs), String(o.relay.jitterMs ?? 0), String(o.relay.lossPct ?? 0)])
      await waitLine(child, /ready/)
      await this.ip(a, 'link', 'set', tmpB, 'netns', this.ns(b))
      await this.ip(a, 'link', 'set', tmpA, 'name', ifA)
      await this.ip(b, 'link', 'set', tmpB, 'name', ifB)
    } else {
      // Created inside namespace a, so names never meet the host's interfaces.
      await this.ip(a, 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', this.ns(b))
    }
    await this.ip(a, 'addr', 'add', o.addrA, 'dev', ifA)
    await this.ip(b, 'addr', 'add', o.addrB, 'dev', ifB)
    await this.ip(a, 'link', 'set', ifA, 'up')
    await this.ip(b, 'link', 'set', ifB, 'up')
  }

  /** Loads an nftables ruleset (tables, chains, rules) into the role's namespace only. */
  async nft(role: string, ruleset: string): Promise<void> {
    await run('ip', ['netns', 'exec', this.ns(role), 'nft', '-f', '-'], ruleset)
  }

  /** Starts a socket agent in the role's namespace; `comm` names the process (ss -p, /proc/PID/comm). */
  async agent(role: string, comm = 'tdlab-agent'): Promise<Agent> {
    const child = this.spawnIn(role, comm, python(), ['-u', scripts().agent, comm])
    const ready = await waitLine(child, /"ready"/)
    const pid = (JSON.parse(ready) as { pid: number }).pid
    return new Agent(comm, this.ns(role), child, pid)
  }

  private spawnIn(role: string, label: string, cmd: string, args: string[]): ChildProcess {
    const netns = this.ns(role)
    // `ip netns exec` execs the command in place: the child's pid is the program's pid.
    const child = spawn('ip', ['netns', 'exec', netns, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
    child.stderr!.on('data', (d: Buffer) => debug('lab %s %s: %s', netns, label, d.toString().trim()))
    child.on('error', (err) => debug('lab %s %s: %s', netns, label, err.message))
    this.children.push(child)
    if (child.pid !== undefined) this.processes.push({ role, command: label, pid: child.pid, netns })
    return child
  }

  /** Counts sockets per state in the role's namespace with tcpdoctor's own socket source. */
  counts(role: string): StateCounts {
    let target = this.targets.get(role)
    if (!target) {
      target = resolveNetns(this.ns(role))[0]!
      this.targets.set(role, target)
    }
    return countStates({ netns: target }).states
  }

  /** Polls until every state reaches its minimum count in the role's namespace. */
  async waitStates(role: string, want: StateCounts, timeoutMs = 15_000, signal?: AbortSignal): Promise<StateCounts> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const have = this.counts(role)
      if (Object.entries(want).every(([s, n]) => (have[s as StateName] ?? 0) >= (n ?? 0))) return have
      if (signal?.aborted) throw new TcpdoctorError('TD_IO', msg('err.lab.interrupted'))
      if (Date.now() > deadline) {
        throw new TcpdoctorError('TD_IO', msg('err.lab.labDidNotReach', { id: this.id, role, want: JSON.stringify(want), timeoutMs, have: JSON.stringify(have) }))
      }
      await sleep(100)
    }
  }

  /** Ends every process and deletes every namespace of this lab. Idempotent. */
  async stop(): Promise<void> {
    this.stopSync()
    // Let the child 'exit' events land before callers check for leftovers.
    await Promise.all(this.children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))))
  }

  /** The synchronous part of stop(), for process exit. */
  stopSync(): void {
    if (this.stopped) return
    this.stopped = true
    for (const c of this.children) c.stdin?.end()
    for (const h of this.hostSysctls.reverse()) h.restore()
    for (const { name } of [...this.namespaces].reverse()) dropNamespaceSync(name)
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
    live.delete(this)
    if (live.size === 0 && scriptDir) {
      rmSync(scriptDir, { recursive: true, force: true })
      scriptDir = undefined
    }
  }
}

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return false // its owner still runs
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/** Removes helper-script directories left in the temp dir by lab processes that no longer run. */
export function removeStaleScriptDirs(): void {
  for (const entry of readdirSync(tmpdir())) {
    const m = /^tcpdoctor-lab-(\d+)-/.exec(entry)
    if (m && pidGone(Number(m[1]))) rmSync(join(tmpdir(), entry), { recursive: true, force: true })
  }
}

/** Lab namespaces left by a tcpdoctor process that no longer runs (killed with SIGKILL). */
export function staleNamespaces(): string[] {
  let names: string[]
  try {
    names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean)
  } catch {
    return []
  }
  return names.filter((n) => {
    const m = /^tdlab-(\d+)-\d+-/.exec(n)
    return m !== null && pidGone(Number(m[1]))
  })
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

function waitLine(child: ChildProcess, re: RegExp, ms = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const onData = (d: Buffer): void => {
      buf += d.toString()
      const line = buf.split('\n').find((l) => re.test(l))
      if (line !== undefined) {
        done()
        resolve(line)
      }
    }
    const onExit = (code: number | null): void => {
      done()
      reject(new TcpdoctorError('TD_IO', msg('err.lab.labHelperExitedBefore', { code, buf: buf.slice(-300) })))
    }
    const timer = setTimeout(() => {
      done()
      reject(new TcpdoctorError('TD_IO', msg('err.lab.labHelperNotReady', { ms })))
    }, ms)
    const done = (): void => {
      clearTimeout(timer)
      child.stdout!.off('data', onData)
      child.off('exit', onExit)
    }
    child.stdout!.on('data', onData)
    child.once('exit', onExit)
  })
}
