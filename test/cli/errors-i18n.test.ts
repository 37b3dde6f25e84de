/**
 * Issue 8: errors follow --lang (or LANG=zh_CN): real commands that fail print their message and
 * hint in Chinese, keeping the names, paths, positions and JSON paths they quote; `--json` keeps
 * the English message and the same code, for machines.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../src/cli/main.js'
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from '../../src/snapshot/file.js'

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _enc, cb) { w.text += String(chunk); cb() } }) as Writable & { text: string }
  w.text = ''
  return w
}
async function run(args: string[], env: NodeJS.ProcessEnv = { LANG: 'C' }): Promise<{ code: number; out: string; err: string }> {
  const stdout = sink()
  const stderr = sink()
  const code = await runCli(args, { stdout, stderr, env })
  return { code, out: stdout.text, err: stderr.text }
}
const han = /\p{Script=Han}/u
/** The message and hint of a human error report: `tcpdoctor: <prefix> [CODE]: message` + `  <hint>: hint`. */
function report(stderr: string): { code: string; message: string; hint: string | undefined } {
  const m = /^tcpdoctor: \S+ \[(TD_[A-Z_]+)\]: (.*)$/m.exec(stderr)
  if (!m) throw new Error(`no error report in ${JSON.stringify(stderr)}`)
  const h = /^ {2}[^:]+: (.*)$/m.exec(stderr.slice(stderr.indexOf(m[0]) + m[0].length))
  return { code: m[1]!, message: m[2]!, hint: h?.[1] }
}

const dir = mkdtempSync(join(tmpdir(), 'tder-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const notPcap = join(dir, 'notes.txt')
writeFileSync(notPcap, 'these are notes, not packets\n')
const damaged = join(dir, 'damaged.json')
writeFileSync(damaged, JSON.stringify({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, takenAt: new Date().toISOString(), hostname: 'h', kernel: '6.1.0', owners: null, namespaces: [{ netns: 42, source: 'netlink', sockets: [] }] }))
const missing = join(dir, 'no-such-snapshot.json')

interface Case { name: string; args: string[]; code: string; keeps: string[]; hint?: boolean }
const cases: Case[] = [
  { name: 'an unknown command', args: ['frobnicate'], code: 'TD_USAGE', keeps: ['frobnicate'], hint: true },
  { name: 'an option the command does not know', args: ['states', '--bogus'], code: 'TD_USAGE', keeps: ['--bogus'], hint: true },
  { name: 'a global option the command does not read', args: ['explain', '--netns', 'x', 'close-wait'], code: 'TD_USAGE', keeps: ['explain', '--netns'], hint: true },
  { name: 'a bad capture filter, with its position', args: ['capture', '-c', '1', 'tcp', '$', '3'], code: 'TD_FILTER_SYNTAX', keeps: ['"tcp $ 3"', '5', '"$"'], hint: true },
  { name: 'a bad ss filter', args: ['sockets', 'dport', '=', ':nosuchservice'], code: 'TD_FILTER_SYNTAX', keeps: ['nosuchservice'], hint: true },
  { name: 'a missing --from file', args: ['sockets', '--from', missing], code: 'TD_NOT_FOUND', keeps: [missing] },
  { name: 'a damaged snapshot, with the JSON path', args: ['states', '--from', damaged], code: 'TD_SNAPSHOT_FORMAT', keeps: [damaged, '$.namespaces[0].netns'], hint: true },
  { name: 'a file that is not a capture', args: ['analyze', notPcap], code: 'TD_PCAP_FORMAT', keeps: ['0x'] },
  { name: 'a host name that does not resolve', args: ['ping', '-c', '1', 'nosuchhost.invalid'], code: 'TD_RESOLVE', keeps: ['nosuchhost.invalid'], hint: true },
  { name: 'an option value out of range', args: ['ping', '-c', '0', '127.0.0.1'], code: 'TD_INVALID_ARGUMENT', keeps: ['-c', '0'] },
]

describe('errors in the user\'s language', () => {
  for (const c of cases) {
    it(`${c.name}: Chinese with --lang zh, English in --json with the same code`, async () => {
      const zh = await run([...c.args, '--lang', 'zh'])
      expect(zh.code, zh.err).toBe(2)
      const r = report(zh.err)
      expect(r.code).toBe(c.code)
      expect(r.message, r.message).toMatch(han)
      for (const k of c.keeps) expect(r.message).toContain(k)
      if (c.hint) {
        expect(r.hint, zh.err).toBeDefined()
        expect(r.hint!, r.hint).toMatch(han)
      }

      const en = await run([...c.args, '--lang', 'en'])
      const e = report(en.err)
      expect(e.code).toBe(c.code)
      expect(en.err).not.toMatch(han)
      for (const k of c.keeps) expect(e.message).toContain(k)

      const json = await run([...c.args, '--lang', 'zh', '--json'])
      expect(json.code).toBe(2)
      const doc = JSON.parse(json.out) as { error: { code: string; message: string; hint?: string } }
      expect(doc.error.code).toBe(c.code)
      expect(doc.error.message).toBe(e.message)
      expect(JSON.stringify(doc)).not.toMatch(han)
      if (c.hint) expect(doc.error.hint).toBe(e.hint)
    })
  }

  it('LANG=zh_CN.UTF-8 selects Chinese without --lang, and --lang en overrides it', async () => {
    const zh = await run(['frobnicate'], { LANG: 'zh_CN.UTF-8' })
    expect(report(zh.err).message).toMatch(han)
    const en = await run(['frobnicate', '--lang', 'en'], { LANG: 'zh_CN.UTF-8' })
    expect(en.err).not.toMatch(han)
  })

  it('a note that carries our error (the netlink -> /proc fallback) has it in the note\'s language', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'tcpdoctor.js')
    const notes = (lang: string): Promise<string> =>
      new Promise((resolve) => execFile(process.execPath, [bin, '--lang', lang, 'states'], { env: { ...process.env, TCPDOCTOR_NO_NATIVE: '1' } }, (_err, _stdout, stderr) => resolve(stderr)))
    const zh = await notes('zh')
    expect(zh).toMatch(/netlink 不可用 \(原生扩展/)
    const en = await notes('en')
    expect(en).toMatch(/netlink unavailable \(native addon/i)
    expect(en).not.toMatch(han)
  })

  it('a capture that ends inside a record: the warning in the reader\'s language, English in JSON', async () => {
    const cut = join(dir, 'cut.pcap')
    const head = Buffer.alloc(24)
    head.writeUInt32LE(0xa1b2c3d4, 0); head.writeUInt16LE(2, 4); head.writeUInt16LE(4, 6); head.writeUInt32LE(65535, 16); head.writeUInt32LE(1, 20)
    const rec = Buffer.alloc(16)
    rec.writeUInt32LE(100, 8); rec.writeUInt32LE(100, 12) // a 100-byte packet of which 10 bytes follow
    writeFileSync(cut, Buffer.concat([head, rec, Buffer.alloc(10)]))
    const zh = await run(['analyze', '--lang', 'zh', cut])
    expect(zh.out + zh.err).toMatch(/文件在一条记录中间结束/)
    const json = await run(['analyze', '--lang', 'zh', '--json', cut])
    const doc = JSON.parse(json.out) as { warnings: { kind: string; detail: string }[] }
    expect(doc.warnings).toEqual([expect.objectContaining({ kind: 'truncated', detail: expect.stringMatching(/file ends \d+ bytes into a record/) })])
  })

  it('the installed binary prints the Chinese error and the English JSON', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'tcpdoctor.js')
    const go = (args: string[]): Promise<{ status: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => execFile(process.execPath, [bin, ...args], { env: { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: '' } }, (err, stdout, stderr) => resolve({ status: err ? Number(err.code) : 0, stdout, stderr })))
    const human = await go(['states', '--from', damaged])
    expect(human.status).toBe(2)
    const r = report(human.stderr)
    expect(r.code).toBe('TD_SNAPSHOT_FORMAT')
    expect(r.message).toMatch(han)
    expect(r.message).toContain('$.namespaces[0].netns')
    const json = await go(['states', '--from', damaged, '--json'])
    const doc = JSON.parse(json.stdout) as { error: { code: string; message: string } }
    expect(doc.error.code).toBe('TD_SNAPSHOT_FORMAT')
    expect(doc.error.message).toContain('$.namespaces[0].netns')
    expect(doc.error.message).not.toMatch(han)
  })
})
