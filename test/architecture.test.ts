/**
 * Architecture rules (STYLE habit 14), checked on the source: only the CLI edge prints and exits;
 * only lab and tune run other programs; nothing imports the CLI; only kernel/ and net/ load the addon;
 * every error message and hint is a catalog message (issue 8).
 */
import { describe, expect, it } from 'vitest'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { errors } from '../src/i18n/messages/errors.js'

const root = join(import.meta.dirname, '..', 'src')
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.test-helper.ts') ? [p] : []
  })
}
/** Source without comments, so prose such as "process exit" does not count. */
const code = (p: string): string => readFileSync(p, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '').replace(/\s\/\/ .*$/gm, '')
const all = files(root).map((p) => ({ rel: relative(root, p), text: code(p) }))

describe('architecture', () => {
  it('only src/cli prints or exits', () => {
    const bad = all.filter((f) => !f.rel.startsWith('cli/') && /\bprocess\.exit\s*\(|\bconsole\.(log|error|warn|info)\s*\(|process\.(stdout|stderr)\.write/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('only lab/ and tune/ run other programs (we read the kernel directly)', () => {
    const bad = all.filter((f) => !/^(lab|tune)\//.test(f.rel) && /node:child_process/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('nothing outside the CLI imports the CLI', () => {
    const bad = all.filter((f) => !f.rel.startsWith('cli/') && /from '(\.\.\/)+cli\//.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
  it('the addon is loaded only through kernel/native.ts', () => {
    const bad = all.filter((f) => f.rel !== 'kernel/native.ts' && /node-gyp-build|\.node['"]/.test(f.text))
    expect(bad.map((f) => f.rel)).toEqual([])
  })
})

/**
 * Issue 8: every error a user can see is a catalog message. The TypeScript parser finds every
 * `new TcpdoctorError(...)` / `new UnsupportedError(...)` and its hint, and every value given to a
 * wrapping helper (fromSystemError): none may be English text written in place -- a string or
 * template literal, a concatenation, or a conditional with such a branch.
 */
describe('error messages are localizable', () => {
  const tsFiles = files(root)
  /** codeNames: a literal such as 'sock_diag' or a path counts as a name, not as text. */
  const isText = (n: ts.Expression, codeNames = false): boolean => {
    while (ts.isParenthesizedExpression(n) || ts.isAsExpression(n) || ts.isNonNullExpression(n)) n = n.expression
    if (codeNames && ts.isStringLiteral(n) && /^[\w./-]+$/.test(n.text)) return false
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n)) return true
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.PlusToken) return true
    if (ts.isConditionalExpression(n)) return isText(n.whenTrue, codeNames) || isText(n.whenFalse, codeNames)
    if (ts.isBinaryExpression(n) && (n.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || n.operatorToken.kind === ts.SyntaxKind.BarBarToken)) return isText(n.left, codeNames) || isText(n.right, codeNames)
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'String') return true
    return false
  }
  function violations(): { sites: number; bad: string[] } {
    let sites = 0
    const bad: string[] = []
    for (const p of tsFiles) {
      const sf = ts.createSourceFile(p, readFileSync(p, 'utf8'), ts.ScriptTarget.Latest, true)
      const at = (n: ts.Node): string => `${relative(root, p)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`
      const visit = (n: ts.Node): void => {
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && (n.expression.text === 'TcpdoctorError' || n.expression.text === 'UnsupportedError')) {
          sites++
          const i = n.expression.text === 'TcpdoctorError' ? 1 : 0
          const message = n.arguments?.[i]
          if (!message || isText(message)) bad.push(`${at(n)} message ${message?.getText().slice(0, 60)}`)
          const opts = n.arguments?.[i + 1]
          if (opts && ts.isObjectLiteralExpression(opts))
            for (const prop of opts.properties)
              if (prop.name?.getText() === 'hint' && ts.isPropertyAssignment(prop) && isText(prop.initializer)) bad.push(`${at(n)} hint ${prop.initializer.getText().slice(0, 60)}`)
        }
        // fromSystemError(err, what): a path or a code name may be given as is, prose may not.
        if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'fromSystemError') {
          const what = n.arguments[1]
          if (what && isText(what, true)) bad.push(`${at(n)} fromSystemError ${what.getText().slice(0, 60)}`)
        }
        ts.forEachChild(n, visit)
      }
      visit(sf)
    }
    return { sites, bad }
  }

  it('no TcpdoctorError/UnsupportedError gets text written in place as its message or hint', () => {
    const { sites, bad } = violations()
    expect(sites).toBeGreaterThan(200) // the scan sees the error sites (228 when this test was written)
    expect(bad).toEqual([])
  })

  it('the scan catches literal, template, concatenated and conditional text', () => {
    const cases = ["'x'", '`x ${y}`', "'a' + b", "c ? 'x' : msg('k')", 'String(e)', "(`x`)"]
    for (const c of cases) {
      const sf = ts.createSourceFile('t.ts', c, ts.ScriptTarget.Latest, true)
      expect(isText((sf.statements[0] as ts.ExpressionStatement).expression), c).toBe(true)
    }
    for (const c of ["msg('k', { a })", 'c ? msg("a") : msg("b")', 'parseArgsMessage(err)', 'm']) {
      const sf = ts.createSourceFile('t.ts', c, ts.ScriptTarget.Latest, true)
      expect(isText((sf.statements[0] as ts.ExpressionStatement).expression), c).toBe(false)
    }
  })

  it('every error key of the catalog is used in src and has Chinese text', () => {
    const source = tsFiles.map((p) => readFileSync(p, 'utf8')).join('\n')
    const unused = Object.keys(errors.en).filter((k) => !source.includes(`'${k}'`))
    expect(unused).toEqual([])
    const notChinese = Object.entries(errors.zh).filter(([k, zh]) => {
      const en = (errors.en as Record<string, string>)[k]!
      // a command line, or only placeholders and punctuation, reads the same in both
      return !/\p{Script=Han}/u.test(zh) && !/^(tcpdoctor|npm) /.test(en) && /[a-z]{2}/i.test(en.replace(/\{\w+\}/g, ''))
    })
    expect(notChinese).toEqual([])
  })
})
