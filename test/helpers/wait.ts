/**
 * @module
 * Waiting for the kernel instead of assuming it: polls until a check passes or the deadline ends
 * (then the last failure is thrown, so the test says what it was waiting for).
 */
export async function waitUntil<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, ms = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms
  let last: unknown
  for (;;) {
    try {
      // awaited: an async check is polled like a synchronous one (a pending Promise is not a pass)
      const v = await check()
      if (v !== false && v !== undefined) return v as T
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}${last ? `: ${(last as Error).message}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
