/**
 * @module
 * Every audit group, listed by hand, and the function that runs them all.
 */
import type { Audit, AuditInput, TuneFinding } from '../types.js'
import { auditConfig } from './config.js'
import { auditKernel } from './kernel.js'
import { auditRisky } from './risky.js'
import { auditContradictions } from './contradictions.js'
import { auditProfile } from './profile.js'
import { auditGlobals } from './globals.js'

export const AUDITS: readonly Audit[] = [auditConfig, auditKernel, auditRisky, auditContradictions, auditProfile, auditGlobals]

const RANK = { critical: 0, warning: 1, info: 2 } as const

/** All findings, most severe first (stable within a severity). */
export function runAudit(input: AuditInput): TuneFinding[] {
  const all = AUDITS.flatMap((a) => a(input))
  // A profile finding adds nothing when another audit already explains the same key.
  const explained = new Set(all.filter((f) => f.code !== 'PROFILE' && f.code !== 'GLOBAL_KEY' && !f.where).map((f) => f.key))
  return all.filter((f) => f.code !== 'PROFILE' || !explained.has(f.key)).map((f, i) => ({ f, i })).sort((a, b) => RANK[a.f.severity] - RANK[b.f.severity] || a.i - b.i).map((x) => x.f)
}
