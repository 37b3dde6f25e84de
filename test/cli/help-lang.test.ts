/**
 * `--help` speaks the user's language (issue 8 item 8): with --lang zh (or LANG=zh_CN) every
 * command's summary, examples, option descriptions and the global options are Chinese; the
 * flags, VALUE words and the usage line are the same in both languages; English is unchanged.
 */
import { describe, expect, it } from 'vitest'
import { Writable } from 'node:stream'
import { runCli } from '../../src/cli/main.js'
import { commands } from '../../src/cli/commands/index.js'
import { SORT_KEYS } from '../../src/sockets/sort.js'

function sink(): Writable & { text: string } {
  const w = new Writable({ write(chunk, _enc, cb) { w.text += String(chunk); cb() } }) as Writable & { text: string }
  w.text = ''
  return w
}
async function help(args: string[], env: NodeJS.ProcessEnv = { LANG: 'C' }): Promise<string> {
  const stdout = sink()
  const stderr = sink()
  const code = await runCli(args, { stdout, stderr, env })
  expect(code, `${args.join(' ')}: ${stderr.text}`).toBe(0)
  return stdout.text
}

const CJK = /[\u4e00-\u9fff]/

/** The two-column rows of a section ("选项:" / "Options:") up to the next blank line. */
function section(text: string, heading: string): string[] {
  const lines = text.split('\n')
  const at = lines.indexOf(`${heading}:`)
  if (at < 0) return []
  const end = lines.findIndex((l, i) => i > at && l === '')
  return lines.slice(at + 1, end < 0 ? undefined : end)
}

/** The flag column of option rows: "-b, --by KEY". */
const flags = (rows: string[]): string[] => rows.map((r) => r.trim().split(/\s{2,}/)[0]!)

describe('--help in Chinese', async () => {
  const loaded = await Promise.all(commands.map((c) => c.load()))

  it('every command: the summary, every option line and every global option line are Chinese', async () => {
    for (const cmd of loaded) {
      const zh = await help(['--lang', 'zh', cmd.name, '--help'])
      const lines = zh.split('\n')
      expect(lines[0], cmd.name).toMatch(/^用法: tcpdoctor /)
      expect(lines[2], `${cmd.name} summary`).toMatch(CJK)
      const own = section(zh, '选项')
      expect(own.length, `${cmd.name} options`).toBe(Object.keys(cmd.options).length)
      for (const row of own) expect(row, `${cmd.name}: ${row}`).toMatch(CJK)
      const globals = section(zh, '全局选项')
      expect(globals.length, `${cmd.name} globals`).toBeGreaterThan(4)
      for (const row of globals) expect(row, `${cmd.name}: ${row}`).toMatch(CJK)
      if (cmd.help) {
        const examples = lines.slice(3, lines.indexOf('选项:') < 0 ? lines.indexOf('全局选项:') : lines.indexOf('选项:')).join('\n')
        expect(examples, `${cmd.name} examples`).toMatch(CJK)
        expect(examples, cmd.name).not.toMatch(/^Examples:/m)
      }
    }
  })

  it('flags, VALUE words, the usage line and the example command lines are the same in both languages', async () => {
    for (const cmd of loaded) {
      const en = await help(['--lang', 'en', cmd.name, '--help'])
      const zh = await help(['--lang', 'zh', cmd.name, '--help'])
      expect(zh.split('\n')[0]!.replace(/^用法/, 'Usage'), cmd.name).toBe(en.split('\n')[0])
      expect(flags(section(zh, '选项')), cmd.name).toEqual(flags(section(en, 'Options')))
      expect(flags(section(zh, '全局选项')), cmd.name).toEqual(flags(section(en, 'Global options')))
      // Every command line of the English examples is in the Chinese ones (comments aside).
      const commandsOf = (text: string): string[] => [...text.matchAll(/^\s*((?:sudo )?tcpdoctor\b[\x20-\x7e]*?)(?:\s{2,}|$)/gm)].map((m) => m[1]!.trim())
      expect(commandsOf(zh), cmd.name).toEqual(commandsOf(en))
    }
  })

  it('LANG=zh_CN is enough, and `tcpdoctor help CMD` is the same text', async () => {
    const byFlag = await help(['--lang', 'zh', 'states', '--help'])
    expect(await help(['states', '--help'], { LANG: 'zh_CN.UTF-8' })).toBe(byFlag)
    expect(await help(['help', 'states'], { LANG: 'zh_CN.UTF-8' })).toBe(byFlag)
    expect(await help(['--lang', 'zh', 'help', 'states'])).toBe(byFlag)
  })

  it('the command list of tcpdoctor --help is Chinese, one row per command', async () => {
    const zh = await help(['--lang', 'zh', '--help'])
    const rows = section(zh, '命令')
    expect(rows.length).toBe(commands.length)
    for (const row of rows) expect(row).toMatch(CJK)
    for (const row of section(zh, '全局选项')) expect(row).toMatch(CJK)
    expect(zh.split('\n')[0]).toMatch(CJK)
    expect(zh.trimEnd().split('\n').at(-1)).toMatch(CJK)
  })
})

describe('--help in English is unchanged', () => {
  it('states --help, word for word', async () => {
    expect(await help(['states', '--help'])).toBe(`Usage: tcpdoctor states [-b|--by KEY] [-n|--top N] [-N|--netns NAME|PATH|all] [--from FILE] [--proc-root DIR] [--source auto|netlink|procfs] [--json] [FILTER]

count sockets per TCP state, per port/local/remote/process/netns (netstat -nat | awk, ss -s)

Examples:
  tcpdoctor states                      all sockets of this namespace, per state
  tcpdoctor states --by port --top 5    the 5 busiest service ports, states per port
  tcpdoctor states --by process         states per owning process (TIME_WAIT: inferred owner)
  tcpdoctor states --netns all          every network namespace on the host
  tcpdoctor states 'sport = :8080'      an ss filter limits what is counted

--by port groups a socket under its service port: the local port when something listens on
it, else the remote port (shown as ->:PORT, an outgoing connection to that service).

Options:
  -b, --by KEY  group by port, local, remote, process or netns
  -n, --top N   show the N biggest groups (default 10)

Global options:
  --json                        one JSON document on stdout (schemas: docs/json.md)
  --lang en|zh                  language of human output (default from LANG)
  -N, --netns NAME|PATH|all     network namespace(s) to read
  --from FILE                   replay a snapshot instead of reading the kernel
  --source auto|netlink|procfs  socket source (default auto: netlink, else /proc)
  --proc-root DIR               read /proc from DIR (default /proc)
  --no-color                    no colour (also NO_COLOR=1 or a non-TTY stdout)
  -v, --verbose                 all evidence and notes
  -h, --help                    help for a command
`)
  })

  it('sockets --help fills the sort keys from the code; ping --help keeps the hops caveat', async () => {
    const sockets = await help(['sockets', '--help'])
    expect(sockets).toContain('\n  tcpdoctor ls -p state close-wait            who leaks CLOSE_WAIT\n')
    expect(sockets).toContain(`\n--sort: ${SORT_KEYS.join(', ')}\n`)
    expect(await help(['--lang', 'zh', 'sockets', '--help'])).toContain(`\n--sort: ${SORT_KEYS.join(', ')}\n`)
    expect(sockets).toContain('  -s, --sort KEY')
    expect(await help(['ping', '--help'])).toContain('\nHops: estimated from the reply TTL: the initial TTL is guessed (32/64/128/255) and the reply may come back by another path.\n')
  })

  it('tcpdoctor --help: title, command summaries, footer', async () => {
    const en = await help(['--help'])
    expect(en).toMatch(/^tcpdoctor \S+: Linux TCP connection inspector and troubleshooter\n\nUsage: tcpdoctor \[command\] \[options\] {3}\(no command: diagnose\)\n/)
    expect(en).toContain('\n  states                   count sockets per TCP state, per port/local/remote/process/netns (netstat -nat | awk, ss -s)\n')
    expect(en).toContain('\n  sockets (ls)             list sockets with ss filters, owners, tcp_info, timers, memory (ss -tanpiom)\n')
    expect(en.trimEnd().endsWith('Exit codes: 0 ok, 1 trouble found, 2 error. Run `tcpdoctor <command> --help` for details.')).toBe(true)
    expect(en).not.toMatch(CJK)
  })
})
