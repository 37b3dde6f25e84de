import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { formatTimerParts, ssTimerText } from './socket-line.js'

/** iproute2 misc/ss.c print_ms_timer, transcribed line for line as the oracle for the property. */
function printMsTimer(timeout: number): string {
  let secs = Math.floor(timeout / 1000)
  const minutes = Math.floor(secs / 60)
  secs = secs % 60
  let msecs = timeout % 1000
  let buf = ''
  if (minutes) { msecs = 0; buf += `${minutes}min`; if (minutes > 9) secs = 0 }
  if (secs) { if (secs > 9) msecs = 0; buf += `${secs}${msecs ? '.' : 'sec'}` }
  if (msecs) buf += String(msecs).padStart(3, '0') + 'ms'
  return buf
}

describe('timers in ss -o format', () => {
  it('prints the shapes ss prints', () => {
    expect(formatTimerParts('keepalive', 7_199_000, 0)).toBe('timer:(keepalive,119min,0)')
    expect(formatTimerParts('keepalive', 119_000, 0)).toBe('timer:(keepalive,1min59sec,0)')
    expect(formatTimerParts('timewait', 59_000, 0)).toBe('timer:(timewait,59sec,0)')
    expect(formatTimerParts('on', 7_200, 2)).toBe('timer:(on,7.200ms,2)')
    expect(formatTimerParts('on', 200, 0)).toBe('timer:(on,200ms,0)')
    expect(formatTimerParts('on', 5_000, 1)).toBe('timer:(on,5sec,1)')
    expect(formatTimerParts('persist', 0, 0)).toBe('timer:(persist,,0)')
    expect(formatTimerParts('off', 0, 0)).toBe('')
  })
  it('equals ss.c print_ms_timer for any u32 timeout', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => ssTimerText(n) === printMsTimer(n)))
  })
})
