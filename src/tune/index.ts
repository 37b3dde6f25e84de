/**
 * @module
 * tune: audit TCP sysctls against the running kernel and a profile; write them only when asked.
 */
export type { TuneFinding, Recommendation, ProfileName, SysctlValue, ConfigLine, KeySpec, Severity } from './types.js'
export { auditSysctls, type TuneAudit, type TuneOptions } from './gather.js'
export { formatFragment } from './fragment.js'
export { applySysctls, type Applied, type Change } from './apply.js'
export { writePersist, revertPersist, persistPaths, PERSIST_NAME } from './persist.js'
export { KEYS, keySpec, canonicalKey, isRemoved } from './keys.js'
export { PROFILES, PROFILE_NAMES } from './profiles.js'
