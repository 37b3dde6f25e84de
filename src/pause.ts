/**
 * @module
 * The one abortable sleep: waits ms, or until the signal aborts. Resolves true when the time
 * passed, false when interrupted (Ctrl-C): callers then report what they have so far.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch (err) {
    if ((err as Error).name === 'AbortError') return false
    throw err
  }
}
