/**
 * @module
 * The shared test corpus, read in place beside the repository (`../shared/corpus`), never copied
 * in. A test that needs it skips with a printed reason when it is absent; under CI=true that is a
 * failure.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export const CORPUS = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus')

/** A path inside the corpus. */
export function corpus(...parts: string[]): string {
  return join(CORPUS, ...parts)
}

/** undefined when the corpus is here; else the skip reason (printed), or a throw under CI=true. */
export function needCorpus(): string | undefined {
  if (existsSync(CORPUS)) return undefined
  const reason = `needs the shared corpus at ${CORPUS}`
  if (process.env.CI === 'true') throw new Error(`CI=true and this test ${reason}: CI must run every test`)
  console.warn(`SKIP: ${reason}`)
  return reason
}
