/**
 * @module
 * Entry of the V8 start-up snapshot (scripts/build-snapshot.js): the whole CLI is compiled and
 * initialised once, at install time, into dist/startup/tcpdoctor.blob; `bin/tcpdoctor` then
 * starts from it (`node --snapshot-blob BLOB -- ARGS`), skipping module loading entirely.
 * What must be read at run time is read here: the package location (from the blob's path) and a
 * real `require` for the npm packages a lazily loaded command needs.
 */
import { startupSnapshot } from 'node:v8'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runProcess } from './process.js'

declare global {
  // eslint-disable-next-line no-var
  var __tdUserRequire: NodeJS.Require | undefined
  // eslint-disable-next-line no-var
  var __tdRoot: string | undefined
}

startupSnapshot.setDeserializeMainFunction(() => {
  const at = process.execArgv.indexOf('--snapshot-blob')
  const blob = at >= 0 ? process.execArgv[at + 1]! : ''
  const root = join(dirname(blob), '..', '..')
  globalThis.__tdRoot = root
  globalThis.__tdUserRequire = createRequire(pathToFileURL(join(root, 'package.json')))
  // argv is [node, ...args] after `--`
  void runProcess(process.argv.slice(1))
})
