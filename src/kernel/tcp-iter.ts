/**
 * @module
 * Every TCP socket of a namespace as compact records from the addon's BPF tcp iterator
 * (native/src/tcpiter.c): the same listening and established tables the sock_diag dump walks,
 * without an inet_diag message and its attributes built per socket, which is most of the dump's
 * kernel time (at 100k sockets on a 2-core VM: ~70 ms a pass against ~120 ms for the dump).
 * Root on the real /proc only (CAP_BPF, BTF); TCPDOCTOR_NO_BPF=1 turns it off.
 */
import type { Native } from './native.js'

const CHUNK = 1 << 20

/** True when the iterator may be tried here (it may still fail: the caller then dumps). */
export function tcpIterUsable(procRoot: string | undefined): boolean {
  return (procRoot ?? '/proc') === '/proc' && process.geteuid?.() === 0 && process.env.TCPDOCTOR_NO_BPF !== '1'
}

let spare: Buffer | undefined

/**
 * Calls visit(buf, off, end) for each chunk of records until the pass ends; visit returns the
 * bytes it used: a record cut at end is left (its bytes are carried into the next read). The
 * buffer is reused: visit must not keep it. Throws what the addon throws (no BPF, the namespace is gone).
 */
export function iterateTcp(native: Native, netnsPath: string | undefined, visit: (buf: Buffer, off: number, end: number) => number): void {
  const buf = spare ?? Buffer.allocUnsafe(CHUNK)
  spare = undefined
  const fd = native.tcpIterOpen(netnsPath ?? null)
  try {
    let have = 0
    for (;;) {
      const [end, done] = native.tcpIterRead(fd, buf, have)
      const off = visit(buf, 0, end)
      have = end - off
      if (done) break
      if (have > 0) buf.copy(buf, 0, off, end)
    }
  } finally {
    native.closeFd(fd)
    spare = buf
  }
}
