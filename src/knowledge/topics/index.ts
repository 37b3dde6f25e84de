/**
 * @module
 * Every topic, listed by hand: states, flags, combinations, concepts, errnos, sysctls.
 */
import type { Topic } from '../types.js'
import { statesOpen } from './states-open.js'
import { statesClose } from './states-close.js'
import { flags } from './flags.js'
import { flagCombos } from './flag-combos.js'
import { conceptsLifecycle } from './concepts-lifecycle.js'
import { conceptsLiveness } from './concepts-liveness.js'
import { conceptsTrouble } from './concepts-trouble.js'
import { errnos } from './errnos.js'
import { sysctlsClose } from './sysctls-close.js'
import { sysctlsOpen } from './sysctls-open.js'
import { sysctlsMisc } from './sysctls-misc.js'

export const TOPICS: readonly Topic[] = [
  ...statesOpen,
  ...statesClose,
  ...flags,
  ...flagCombos,
  ...conceptsLifecycle,
  ...conceptsLiveness,
  ...conceptsTrouble,
  ...errnos,
  ...sysctlsClose,
  ...sysctlsOpen,
  ...sysctlsMisc,
]
