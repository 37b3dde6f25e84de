/**
 * @module
 * tshark as the oracle: per-stream connections and tcp.analysis.* counts, from the expected/
 * TSV files of the shared corpus (made by make-expected.sh) or from tshark run live with the same
 * fields.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** tshark column -> our anomaly kind (retransmission counts fast and spurious too, as tshark does). */
export const TSHARK_FLAG_FIELDS: Record<string, string> = {
  'tcp.analysis.retransmission': 'retransmission',
  'tcp.analysis.fast_retransmission': 'fast_retransmission',
  'tcp.analysis.spurious_retransmission': 'spurious_retransmission',
  'tcp.analysis.out_of_order': 'out_of_order',
  'tcp.analysis.lost_segment': 'lost_segment',
  'tcp.analysis.ack_lost_segment': 'ack_lost_segment',
  'tcp.analysis.duplicate_ack_num': 'duplicate_ack',
  'tcp.analysis.zero_window': 'zero_window',
  'tcp.analysis.zero_window_probe': 'zero_window_probe',
  'tcp.analysis.zero_window_probe_ack': 'zero_window_probe_ack',
  'tcp.analysis.window_full': 'window_full',
  'tcp.analysis.window_update': 'window_update',
  'tcp.analysis.keep_alive': 'keep_alive',
  'tcp.analysis.keep_alive_ack': 'keep_alive_ack',
  'tcp.analysis.reused_ports': 'reused_ports',
}

export interface TsharkStream {
  stream: number
  /** "addr:port" of both ends, sorted */
  ends: string[]
  packets: number
  anomalies: Record<string, number>
}

/** Parses a make-expected.sh TSV into streams (only packets with a tcp.stream). */
export function streamsFromTsv(text: string): TsharkStream[] {
  const lines = text.split('\n').filter(Boolean)
  if (!lines.length) return []
  const head = lines[0]!.split('\t')
  const col = (n: string): number => head.indexOf(n)
  const iStream = col('tcp.stream'), iSrc = col('ip.src'), iSrc6 = col('ipv6.src'), iDst = col('ip.dst'), iDst6 = col('ipv6.dst')
  const iSp = col('tcp.srcport'), iDp = col('tcp.dstport')
  const flagCols = Object.entries(TSHARK_FLAG_FIELDS).map(([f, k]) => [col(f), k] as const)
  const byStream = new Map<number, TsharkStream>()
  for (const line of lines.slice(1)) {
    const f = line.split('\t')
    if (!f[iStream]) continue
    const n = Number(f[iStream])
    let s = byStream.get(n)
    if (!s) {
      const a = `${f[iSrc] || f[iSrc6]}:${f[iSp]}`, b = `${f[iDst] || f[iDst6]}:${f[iDp]}`
      s = { stream: n, ends: [a, b].sort(), packets: 0, anomalies: {} }
      byStream.set(n, s)
    }
    s.packets++
    for (const [i, k] of flagCols) if (i >= 0 && f[i]) s.anomalies[k] = (s.anomalies[k] ?? 0) + 1
  }
  return [...byStream.values()].sort((x, y) => x.stream - y.stream)
}

export function streamsFromFile(tsvPath: string): TsharkStream[] {
  return streamsFromTsv(readFileSync(tsvPath, 'utf8'))
}

/** Runs tshark live on a capture with the same fields. */
export function tsharkStreams(capture: string): TsharkStream[] {
  const fields = ['frame.number', 'ip.src', 'ipv6.src', 'tcp.srcport', 'ip.dst', 'ipv6.dst', 'tcp.dstport', 'tcp.stream', ...Object.keys(TSHARK_FLAG_FIELDS)]
  const args = ['-n', '-r', capture, '-T', 'fields', '-E', 'header=y', '-E', 'separator=/t', '-E', 'occurrence=f']
  for (const f of fields) args.push('-e', f)
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 })
  return streamsFromTsv(out)
}

/**
 * `tshark -q -z conv,tcp`: total frames per conversation, keyed by its two "addr:port" ends
 * sorted and joined by a space (conversations are address/port pairs: reused ports are one).
 */
export function tsharkConversations(capture: string): Map<string, number> {
  const out = execFileSync('tshark', ['-n', '-q', '-z', 'conv,tcp', '-r', capture], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 })
  const convs = new Map<string, number>()
  for (const line of out.split('\n')) {
    // "A  <-> B  frames bytes unit  frames bytes unit  frames bytes unit  start  duration"
    const m = /^(\S+)\s+<->\s+(\S+)\s+(.*)$/.exec(line.trim())
    if (!m) continue
    const t = m[3]!.split(/\s+/)
    const frames = Number(t[6]!.replace(/,/g, ''))
    const key = [m[1]!, m[2]!].sort().join(' ')
    convs.set(key, (convs.get(key) ?? 0) + frames)
  }
  return convs
}
