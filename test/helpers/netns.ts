/**
 * @module
 * Private network namespaces for tests: create with lo up, run commands inside, clean up (also
 * on process exit). Names carry a prefix and the pid so parallel runs never collide, and only
 * our own namespaces are ever deleted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'

const created = new Set<string>()
const children = new Set<ChildProcess>()

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL')
  for (const ns of created) {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
    } catch {
      // already gone
    }
  }
})

let seq = 0

/** Creates a namespace with lo up; returns its name. */
export function makeNetns(prefix = 'tdt'): string {
  const name = `${prefix}${process.pid}x${seq++}`
  execFileSync('ip', ['netns', 'add', name])
  created.add(name)
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'])
  return name
}

/** Runs a command in the namespace and returns its stdout. */
export function inNetns(ns: string, cmd: string, args: string[], input?: string): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', input, maxBuffer: 256 << 20 })
}

/** Starts a long-running command in the namespace; killed by dropNetns or at exit. */
export function spawnInNetns(ns: string, cmd: string, args: string[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

/** Kills every process in the namespace and deletes it. */
export function dropNetns(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL')
      } catch {
        // exited already
      }
    }
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' })
  } catch {
    // already gone
  }
  created.delete(ns)
}

/** Waits until a line on the child's stdout matches (a readiness signal), or rejects after ms. */
export function waitForLine(child: ChildProcess, re: RegExp, ms = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${re} (got ${JSON.stringify(buf.slice(-300))})`)), ms)
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      const line = buf.split('\n').find((l) => re.test(l))
      if (line) {
        clearTimeout(timer)
        resolve(line)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before ${re}; output: ${buf.slice(-300)}`))
    })
  })
}
