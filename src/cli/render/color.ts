/**
 * @module
 * Colour for human output through util.styleText, which honours NO_COLOR, FORCE_COLOR and TTY.
 */
import { styleText } from 'node:util'

type Style = Parameters<typeof styleText>[0]

/** Styles text when enabled is true (decided once in main.ts from NO_COLOR/TTY). */
export function paint(enabled: boolean, style: Style, text: string): string {
  return enabled ? styleText(style, text) : text
}
