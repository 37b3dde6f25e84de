/**
 * A /proc/sys tree in a temporary directory, for audits that must not depend on this host.
 * Values are files, as the kernel shows them; nothing of the kernel is mocked.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { afterAll } from 'vitest'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** Linux 6.x defaults on a machine with 262144 ehash entries. */
export const DEFAULTS: Record<string, string> = {
  'net.ipv4.tcp_tw_reuse': '2',
  'net.ipv4.tcp_tw_reuse_delay': '1000',
  'net.ipv4.tcp_fin_timeout': '60',
  'net.ipv4.tcp_max_tw_buckets': '131072',
  'net.ipv4.tcp_ehash_entries': '262144',
  'net.ipv4.tcp_max_orphans': '131072',
  'net.ipv4.tcp_orphan_retries': '0',
  'net.ipv4.tcp_syncookies': '1',
  'net.ipv4.tcp_max_syn_backlog': '2048',
  'net.core.somaxconn': '4096',
  'net.ipv4.tcp_synack_retries': '5',
  'net.ipv4.tcp_syn_retries': '6',
  'net.ipv4.tcp_syn_linear_timeouts': '4',
  'net.ipv4.tcp_keepalive_time': '7200',
  'net.ipv4.tcp_keepalive_intvl': '75',
  'net.ipv4.tcp_keepalive_probes': '9',
  'net.ipv4.tcp_retries2': '15',
  'net.ipv4.ip_local_port_range': '32768\t60999',
  'net.ipv4.ip_local_reserved_ports': '',
  'net.ipv4.tcp_mem': '88650\t118200\t177300',
  'net.ipv4.tcp_rmem': '4096\t131072\t6291456',
  'net.ipv4.tcp_wmem': '4096\t16384\t4194304',
  'net.ipv4.tcp_abort_on_overflow': '0',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.tcp_sack': '1',
  'net.ipv4.tcp_window_scaling': '1',
  'net.ipv4.tcp_fastopen': '1',
  'net.ipv4.tcp_slow_start_after_idle': '1',
  'net.ipv4.tcp_congestion_control': 'cubic',
  'net.ipv4.tcp_low_latency': '0',
  'net.ipv4.tcp_fack': '0',
}

const made: string[] = []

/** A temporary directory removed after the test file ran. */
export function tmpDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix))
  made.push(d)
  return d
}

afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Creates <root>/sys/... with DEFAULTS overridden by values (undefined removes a key). */
export function makeProcRoot(values: Record<string, string | undefined> = {}): string {
  const root = tmpDir('tdtune-')
  const all = { ...DEFAULTS, ...values }
  for (const [key, value] of Object.entries(all)) {
    if (value === undefined) continue
    const file = join(root, 'sys', ...key.split('.'))
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, `${value}\n`)
  }
  return root
}

/** A sysctl.d directory with the given files. */
export function makeSysctlDir(files: Record<string, string>): string {
  const dir = tmpDir('tdsysctl-')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}
