/**
 * @module
 * `tcpdoctor capture [-i IFACE|any] [-w FILE] [-c N] [--states] [EXPR...]`: live capture like
 * tcpdump, the filter compiled to classic BPF in the kernel; one line per packet (or pcap with
 * -w, or JSON lines with --json); root is dropped after the socket opens; the kernel's counters
 * at the end. Ctrl-C stops it after draining the ring.
 */
import { fchownSync, fstatSync } from 'node:fs'
import type { Command } from '../command.js'
import { TcpdoctorError } from '../../errors.js'
import { t, msg } from '../../i18n/index.js'
import { capture, type CapturedPacket } from '../../capture/live.js'
import { dropPrivileges, dropTarget } from '../../capture/privileges.js'
import { LiveStates } from '../../capture/states.js'
import { formatPacket, formatTime, networkOf, SeqTracker, summarizeL3 } from '../../capture/line.js'
import { PcapWriter } from '../../packets/pcap-writer.js'
import { compileFilter, formatProgram } from '../../packets/bpf/index.js'
import { numberOption } from './ping.js'

const LINK_NAMES: Record<number, string> = { 1: 'EN10MB (Ethernet)', 276: 'LINUX_SLL2 (Linux cooked v2)' }
const DIRECTION: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' }

export const captureCommand: Command = {
  name: 'capture',
  summary: 'help.capture.summary',
  usage: 'capture [-i IFACE|any] [-w FILE] [-c N] [--states] [EXPR...]',
  help: 'help.capture.examples',
  globals: ['netns'],
  options: {
    interface: { type: 'string', short: 'i' },
    write: { type: 'string', short: 'w' },
    count: { type: 'string', short: 'c' },
    states: { type: 'boolean' },
    user: { type: 'string', short: 'Z' },
    snaplen: { type: 'string', short: 's' },
    buffer: { type: 'string', short: 'B' },
    nano: { type: 'boolean' },
    dump: { type: 'boolean', short: 'd' },
  },
  optionHelp: {
    interface: 'help.capture.opt.interface',
    write: 'help.capture.opt.write',
    count: 'help.capture.opt.count',
    states: 'help.capture.opt.states',
    user: 'help.capture.opt.user',
    snaplen: 'help.capture.opt.snaplen',
    buffer: 'help.capture.opt.buffer',
    nano: 'help.capture.opt.nano',
    dump: 'help.capture.opt.dump',
  },
  async run(ctx, args) {
    const v = args.values
    const filter = args.positionals.join(' ')
    const iface = (v.interface as string | undefined) ?? 'any'
    const count = numberOption(v.count, '-c', true)
    if (count !== undefined && count < 1) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.cMustBeAt', { count }))
    const snaplen = numberOption(v.snaplen, '-s', true)
    if (snaplen !== undefined && (snaplen < 64 || snaplen > 262144)) throw new TcpdoctorError('TD_INVALID_ARGUMENT', msg('err.cli.snaplenRange'))
    if (v.dump) {
      ctx.out(formatProgram(compileFilter(filter, iface === 'any' ? 'cooked' : 'ethernet', { snaplen })))
      return 0
    }
    const target = dropTarget(v.user as string | undefined, ctx.env)
    const cap = capture({ interface: iface, filter, netns: ctx.netns, snaplen, bufferKiB: numberOption(v.buffer, '-B', true), count, signal: ctx.signal })
    const file = v.write as string | undefined
    const writer = file ? new PcapWriter(file, { linktype: cap.linktype, snaplen: cap.snaplen, nanosecond: !!v.nano }) : undefined
    // hand a regular file to the user we become (never a device such as /dev/null)
    if (writer && target && file !== '-' && fstatSync(writer.descriptor).isFile()) fchownSync(writer.descriptor, target.uid, target.gid)
    if (target) {
      dropPrivileges(target)
      if (!ctx.json) ctx.note(t(ctx.lang, 'capture.dropped', { user: target.user, uid: target.uid }))
    }
    ctx.stderr.write(t(ctx.lang, 'capture.listening', { iface, netns: ctx.netns ? ` (netns ${ctx.netns})` : '', link: LINK_NAMES[cap.linktype] ?? String(cap.linktype), snaplen: cap.snaplen, filter: filter || '(none)' }) + '\n')
    const seqs = new SeqTracker()
    const states = v.states ? new LiveStates() : undefined
    const show = (p: CapturedPacket): void => {
      const net = networkOf(p.data, p.linktype)
      const s = net ? summarizeL3(p.data, net.offset, net.type, seqs) : undefined
      const changes = states?.add(p) ?? []
      if (ctx.json) {
        ctx.out(JSON.stringify({ time: p.sec + p.nsec / 1e9, ifindex: p.ifindex, interface: cap.interfaceName(p.ifindex), direction: DIRECTION[p.pktType] ?? String(p.pktType), len: p.len, ...(s ?? {}), ...(states ? { states: changes } : {}) }))
        return
      }
      // tcpdump -i any: the interface (%-5s) and the direction (%-3s) before the packet
      const prefix = p.linktype === 276 ? `${cap.interfaceName(p.ifindex).padEnd(5)} ${(DIRECTION[p.pktType] ?? '?').padEnd(3)} ` : ''
      const lines = [`${formatTime(p.sec, p.nsec)} ${prefix}${s ? formatPacket(s) : `link-type ${p.linktype}, length ${p.len}`}`]
      for (const c of changes) lines.push(t(ctx.lang, 'capture.state', { ...c }))
      ctx.out(lines.join('\n'))
    }
    try {
      for await (const batch of cap.batches()) {
        if (writer) {
          writer.append(batch.map((p) => ({ sec: p.sec, nsec: p.nsec, data: p.data, len: p.len })))
          if (states) for (const p of batch) for (const c of states.add(p)) ctx.note(t(ctx.lang, 'capture.state', { ...c }))
        } else for (const p of batch) show(p)
      }
    } finally {
      writer?.close()
    }
    const st = cap.stats()
    if (ctx.json && !writer) ctx.out(JSON.stringify({ stats: { captured: st.captured, received: st.received, dropped: st.dropped } }))
    else {
      ctx.stderr.write([t(ctx.lang, 'capture.stats.captured', { n: st.captured }), t(ctx.lang, 'capture.stats.received', { n: st.received }), t(ctx.lang, 'capture.stats.dropped', { n: st.dropped })].join('\n') + '\n')
    }
    return 0
  },
}
