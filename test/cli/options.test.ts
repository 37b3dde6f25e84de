/**
 * Options are never silently ignored: every command declares the global options it reads and
 * documents each of its own; anything else is TD_USAGE naming the option. Global options work
 * before or after the command word; `tcpdoctor help CMD` is `CMD --help`.
 */
import { describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { runCli } from '../../src/cli/main.js'
import { commands } from '../../src/cli/commands/index.js'
import type { GlobalName } from '../../src/cli/command.js'

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _enc, cb) { w.text += String(chunk); cb() } }) as Writable & { text: string }
  w.text = ''
  return w
}
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = sink()
  const stderr = sink()
  const code = await runCli(args, { stdout, stderr, env: { LANG: 'C' } })
  return { code, out: stdout.text, err: stderr.text }
}
const GLOBALS: GlobalName[] = ['netns', 'from', 'proc-root', 'source']

describe('command options', async () => {
  const loaded = await Promise.all(commands.map((c) => c.load()))
  it('every command declares its globals and documents every option', () => {
    for (const cmd of loaded) {
      expect(Array.isArray(cmd.globals), `${cmd.name}.globals`).toBe(true)
      for (const name of Object.keys(cmd.options)) expect(cmd.optionHelp?.[name], `${cmd.name} --${name} has no help`).toBeTruthy()
    }
  })
  it('a global option a command does not read is TD_USAGE naming it', async () => {
    let tried = 0
    for (const cmd of loaded) {
      for (const g of GLOBALS.filter((x) => !cmd.globals.includes(x) && !(x in cmd.options))) {
        const r = await run([cmd.name, `--${g}`, 'x', '--json'])
        expect(r.code, `${cmd.name} --${g}`).toBe(2)
        const doc = JSON.parse(r.out) as { error: { code: string; message: string } }
        expect(doc.error.code).toBe('TD_USAGE')
        expect(doc.error.message).toContain(`--${g}`)
        // --netns refused: the hint says how to run the command in a namespace anyway.
        if (g === 'netns' && cmd.netnsByExec) expect((doc.error as { hint?: string }).hint, cmd.name).toContain(`ip netns exec NAME tcpdoctor ${cmd.name}`)
        tried++
      }
    }
    expect(tried).toBeGreaterThan(5)
  })
  it('global options work before or after the command word', async () => {
    const before = await run(['--json', '--lang', 'zh', 'explain', 'close-wait'])
    const after = await run(['explain', 'close-wait', '--lang', 'zh', '--json'])
    expect(before.code).toBe(0)
    expect(before.out).toBe(after.out)
    // A value of a global is not taken for the command: this reaches `states`, which then
    // cannot find the namespace (not "diagnose takes no arguments").
    const ns = await run(['--netns', 'tcpdoctor-no-such-ns', 'states', '--json'])
    expect(JSON.parse(ns.out).error.code).toBe('TD_NOT_FOUND')
  })
  it('help CMD prints the command help, whose usage line lists every option', async () => {
    const a = await run(['help', 'sockets'])
    const b = await run(['sockets', '--help'])
    expect(a.code).toBe(0)
    expect(a.out).toBe(b.out)
    const usage = a.out.split('\n')[0]!
    for (const [name] of Object.entries(loaded.find((c) => c.name === 'sockets')!.options)) expect(usage).toContain(`--${name}`)
    expect((await run(['help'])).out).toContain('Commands')
  })
})
