/**
 * @module
 * Wraps text to a terminal width measured in cells: English breaks at spaces, Chinese between
 * any two characters, and closing punctuation never starts a line. Pure text in, lines out.
 */
import stringWidth from 'string-width'

const CJK = '\\u2e80-\\u2fff\\u3000-\\u303f\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef'
const TOKEN = new RegExp(`[${CJK}]|[^\\s${CJK}]+|\\s+`, 'g')
// Punctuation that must not begin a line (kinsoku): attach it to the character before.
const NO_START = /^[\u3001\u3002\uff0c\uff1b\uff1a\uff01\uff1f\uff09\u300d\u300f\u3011\u300b\u201d\u2019,.;:!?)]$/
// Punctuation that must not end a line: it moves down with the character after it.
const NO_END = /^[\uff08\u300c\u300e\u3010\u300a\u201c\u2018(]$/

/** Wraps one paragraph (no newlines) to width cells; indent is added to continuation lines. */
export function wrapLine(text: string, width: number, firstIndent = '', nextIndent = firstIndent): string[] {
  const tokens = text.match(TOKEN) ?? []
  const lines: string[] = []
  let cur: string[] = []
  let curWidth = 0
  let indent = firstIndent
  const flush = (): void => {
    while (cur.length && /^\s+$/.test(cur[cur.length - 1]!)) cur.pop()
    lines.push(indent + cur.join(''))
    indent = nextIndent
    cur = []
    curWidth = 0
  }
  for (const tok of tokens) {
    const space = /^\s+$/.test(tok)
    if (space) {
      if (cur.length) {
        cur.push(' ')
        curWidth += 1
      }
      continue
    }
    const w = stringWidth(tok)
    const room = Math.max(1, width - stringWidth(indent))
    if (curWidth + w <= room) {
      cur.push(tok)
      curWidth += w
      continue
    }
    if (NO_START.test(tok) && cur.length && !/^\s+$/.test(cur[cur.length - 1]!)) {
      // Carry the last character over so the punctuation does not start the next line.
      const carry = cur.pop()!
      flush()
      cur = [carry, tok]
      curWidth = stringWidth(carry) + w
      continue
    }
    const opener = cur.length && NO_END.test(cur[cur.length - 1]!) ? cur.pop()! : undefined
    if (cur.length) flush()
    if (opener) {
      cur = [opener]
      curWidth = stringWidth(opener)
    }
    if (curWidth + w <= room) {
      cur.push(tok)
      curWidth += w
      continue
    }
    if (w <= room) {
      if (cur.length) flush()
      cur = [tok]
      curWidth = w
      continue
    }
    // A word longer than a line (a URL, a path): break it by characters.
    for (const ch of tok) {
      const cw = stringWidth(ch)
      if (curWidth + cw > Math.max(1, width - stringWidth(indent)) && cur.length) flush()
      cur.push(ch)
      curWidth += cw
    }
  }
  if (cur.length || lines.length === 0) flush()
  return lines
}

/**
 * Wraps a topic body: paragraphs separated by blank lines; "- " bullets and "1. " steps get a
 * hanging indent; "$ " lines are commands and are never wrapped.
 */
export function wrapText(text: string, width: number, indent = ''): string {
  const out: string[] = []
  for (const para of text.split(/\n\s*\n/)) {
    if (out.length) out.push('')
    for (const line of para.split('\n')) {
      if (line.startsWith('$ ')) out.push(indent + '  ' + line)
      else if (line.startsWith('- ')) out.push(...wrapLine(line.slice(2), width, indent + '- ', indent + '  '))
      else {
        const step = /^(\d+\.\s)/.exec(line)
        if (step) out.push(...wrapLine(line.slice(step[1]!.length), width, indent + step[1], indent + ' '.repeat(step[1]!.length)))
        else out.push(...wrapLine(line, width, indent))
      }
    }
  }
  return out.join('\n')
}
