/**
 * @module
 * Whether the kernel can count resets for tests (the addon's BPF programs on tcp:tcp_send_reset
 * and tcp:tcp_receive_reset: root, BTF, Linux 6.10+). A skip reason, printed; under CI=true a
 * failure, like need().
 */
import { tryNative } from '../../src/kernel/native.js'
import { startResetWatch } from '../../src/kernel/resets.js'

export function needResetWatch(): string | undefined {
  const n = tryNative()
  let reason: string | undefined
  if (!n) reason = 'the native addon'
  else {
    try {
      startResetWatch(n).close()
    } catch (err) {
      reason = `reset counting in the kernel (${(err as Error).message})`
    }
  }
  if (!reason) return undefined
  if (process.env.CI === 'true') throw new Error(`CI=true and this test needs ${reason}: CI must run every test`)
  console.warn(`SKIP: needs ${reason}`)
  return reason
}
