/**
 * @module
 * The one abortable sleep: waits ms (Infinity: until the signal aborts), or until the signal
 * aborts. Resolves true when the time passed, false when interrupted (Ctrl-C): callers then
 * report what they have so far.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms === Infinity) {
    if (!signal) throw new RangeError('pause(Infinity) needs a signal')
    if (signal.aborted) return false
    // A pending promise does not keep Node alive: an interval does, until the abort.
    const keepAlive = setInterval(() => undefined, 1 << 30)
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    clearInterval(keepAlive)
    return false
  }
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch (err) {
    if ((err as Error).name === 'AbortError') return false
    throw err
  }
}
