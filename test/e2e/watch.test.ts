/**
 * `watch` in a real terminal: tmux runs it in a detached session (a real pty), send-keys types,
 * capture-pane reads the screen. Sockets are made in a private namespace (tdweb<pid>) by a
 * python program; the counts on screen must follow them, the filter and pause keys must show,
 * and q must put the terminal back (alternate screen left, cursor visible). Needs a built dist/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { ChildProcess } from 'node:child_process'
import { need } from '../helpers/can.js'
import { dropNetns, makeNetns, spawnInNetns } from '../helpers/netns.js'
import { waitUntil } from '../helpers/wait.js'

const BIN = join(import.meta.dirname, '../../bin/tcpdoctor.js')
const skip = need(['netns'], ['tool', 'tmux'], ['tool', 'python3'])
const session = `tdweb${process.pid}`

const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' })
const screen = (): string => tmux('capture-pane', '-p', '-t', session)
/** The count shown on the state's row. */
const countOn = (text: string, state: string): number | undefined => {
  const m = new RegExp(`^${state}\\s+(\\d+)`, 'm').exec(text)
  return m ? Number(m[1]) : undefined
}

// N connections to a listener on 8080 (held open), then N more to 9090 when told on stdin.
const PLANT = `
import socket, sys
keep = []
def serve(port, n):
    l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("127.0.0.1", port)); l.listen(64); keep.append(l)
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port)); keep.append(c); keep.append(l.accept()[0])
print("READY", flush=True)
sys.stdin.readline()
serve(8080, 5)
print("PLANTED", flush=True)
sys.stdin.readline()
`

describe.skipIf(skip)('watch in tmux', () => {
  let ns = ''
  let plant: ChildProcess
  beforeAll(async () => {
    ns = makeNetns('tdweb')
    plant = spawnInNetns(ns, 'python3', ['-c', PLANT])
    let out = ''
    plant.stdout!.on('data', (b: Buffer) => (out += b.toString()))
    await waitUntil(() => out.includes('READY'), 'the planter to start')
    ;(plant as ChildProcess & { out: () => string }).out = () => out
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '50', `node ${BIN} watch --netns ${ns} --interval 0.5; echo WATCH-EXIT=$?; sleep 600`)
  })
  afterAll(() => {
    try {
      tmux('kill-session', '-t', session)
    } catch {
      // the session is gone already
    }
    if (ns) dropNetns(ns)
  })

  it('shows the namespace empty, then the sockets created in it', async () => {
    await waitUntil(() => countOn(screen(), 'ESTABLISHED') === 0 && screen().includes(ns), 'watch drawing an empty namespace', 20_000)
    expect(tmux('display', '-p', '-t', session, '#{alternate_on}').trim()).toBe('1')
    plant.stdin!.write('\n')
    await waitUntil(() => (plant as ChildProcess & { out: () => string }).out().includes('PLANTED'), 'the sockets to be planted')
    // 5 pairs: 10 ESTABLISHED sockets and one LISTEN, as ss sees them in the namespace.
    const s = await waitUntil(() => {
      const text = screen()
      // Processes come from the owner walk, every 3rd sample: wait for one after the sockets.
      return countOn(text, 'ESTABLISHED') === 10 && countOn(text, 'LISTEN') === 1 && /python3\[\d+\]\s+11\s/.test(text) ? text : undefined
    }, 'ESTABLISHED 10, LISTEN 1 and python3 with 11 sockets on screen', 20_000)
    // Grouped as `states --by port`: the server side under :8080, the clients under ->:8080.
    expect(s).toMatch(/^:8080\s+6\s+est 5/m)
    expect(s).toMatch(/^->:8080\s+5\s+est 5/m)
    expect(s).toMatch(/python3\[\d+\]\s+11\s+est 10/)
    expect(s).toContain('127.0.0.1:8080')
    expect(s).toMatch(/0 \/ 64/)
  })

  it('filters by a port typed after /, pauses on space', async () => {
    tmux('send-keys', '-t', session, '/')
    await waitUntil(() => screen().includes('filter ('), 'the filter prompt')
    tmux('send-keys', '-t', session, '-l', '9999')
    tmux('send-keys', '-t', session, 'Enter')
    await waitUntil(() => {
      const text = screen()
      return text.includes('filter: :9999') && countOn(text, 'ESTABLISHED') === 0
    }, 'the filter to show port 9999 with no sockets', 20_000)
    tmux('send-keys', '-t', session, 'Escape')
    await waitUntil(() => !screen().includes('filter: :9999') && countOn(screen(), 'ESTABLISHED') === 10, 'Esc to clear the filter', 20_000)
    // A state name filters too: only the listener is left.
    tmux('send-keys', '-t', session, '/')
    tmux('send-keys', '-t', session, '-l', 'listen')
    tmux('send-keys', '-t', session, 'Enter')
    await waitUntil(() => {
      const text = screen()
      return text.includes('filter: listen') && countOn(text, 'ESTABLISHED') === 0 && countOn(text, 'LISTEN') === 1
    }, 'the state filter', 20_000)
    tmux('send-keys', '-t', session, 'Escape')
    await waitUntil(() => countOn(screen(), 'ESTABLISHED') === 10, 'Esc to clear the state filter', 20_000)
    // A bad filter is said on screen; watch goes on.
    tmux('send-keys', '-t', session, '/')
    tmux('send-keys', '-t', session, '-l', 'nosuchstate')
    tmux('send-keys', '-t', session, 'Enter')
    await waitUntil(() => screen().includes('unknown TCP state or group: nosuchstate'), 'the filter error')
    tmux('send-keys', '-t', session, 's')
    await waitUntil(() => screen().includes('sort: established'), 's to change the sort')
    tmux('send-keys', '-t', session, 'Space')
    await waitUntil(() => screen().includes('PAUSED'), 'PAUSED on screen')
    tmux('send-keys', '-t', session, 'Space')
    await waitUntil(() => !screen().includes('PAUSED'), 'resumed')
  })

  it('redraws to the new size when the terminal is resized', async () => {
    tmux('resize-window', '-t', session, '-x', '72', '-y', '30')
    const text = await waitUntil(() => {
      const t = screen()
      const lines = t.split('\n')
      // A frame may be caught half-written: wait for a whole one.
      return lines.length >= 30 && lines[29]!.startsWith('q quit') && countOn(t, 'ESTABLISHED') === 10 ? t : undefined
    }, 'the key line on row 30 of a 72 x 30 screen', 20_000)
    for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(72)
    expect(text).toContain('LISTEN')
  })

  it('q quits and restores the terminal: alternate screen left, cursor visible', async () => {
    tmux('send-keys', '-t', session, 'q')
    const text = await waitUntil(() => (screen().includes('WATCH-EXIT=') ? screen() : undefined), 'watch to exit', 20_000)
    expect(text).toContain('WATCH-EXIT=0')
    expect(text).not.toContain('ESTABLISHED')
    expect(tmux('display', '-p', '-t', session, '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1')
  })

  it('Ctrl-C quits and restores the terminal too', async () => {
    const s2 = `${session}c`
    tmux('new-session', '-d', '-s', s2, '-x', '100', '-y', '40', `node ${BIN} watch --netns ${ns}; echo WATCH-EXIT=$?; sleep 600`)
    try {
      const cap = (): string => tmux('capture-pane', '-p', '-t', s2)
      await waitUntil(() => countOn(cap(), 'ESTABLISHED') === 10, 'watch drawing', 20_000)
      tmux('send-keys', '-t', s2, 'C-c')
      await waitUntil(() => cap().includes('WATCH-EXIT=0'), 'watch to exit on Ctrl-C', 20_000)
      expect(tmux('display', '-p', '-t', s2, '#{alternate_on} #{cursor_flag}').trim()).toBe('0 1')
      // Raw mode is off again: the shell echoes what is typed.
      expect(execFileSync('sh', ['-c', `stty -a -F $(tmux display -p -t ${s2} '#{pane_tty}')`], { encoding: 'utf8' })).toMatch(/(^|\s)icanon(\s|$)[\s\S]*(^|\s)echo(\s|$)/)
    } finally {
      tmux('kill-session', '-t', s2)
    }
  })
})
