#!/usr/bin/env node
// Builds the V8 start-up snapshot bin/tcpdoctor starts from.
//   node scripts/build-snapshot.js bundle   esbuild: dist/startup/tcpdoctor.cjs (one CommonJS file; dev time)
//   node scripts/build-snapshot.js blob     node --build-snapshot: dist/startup/tcpdoctor.blob + stamp (install time)
//   (no argument: both)
// The blob is specific to one Node binary, so it is made where tcpdoctor is installed; the stamp
// (node path, size:mtime, install root) lets bin/tcpdoctor use it only with that same Node.
// Measured (callgrind, instructions, `states` on 21 sockets): node -e 0 502M; ESM start 674M;
// esbuild ESM bundle 618M; snapshot 435M -- below node -e 0, which compiles its -e script.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'startup')
const cjs = join(out, 'tcpdoctor.cjs')
const blob = join(out, 'tcpdoctor.blob')
const step = process.argv[2] ?? 'all'
// npm packages are not bundled: they load at run time through a real require (the snapshot's
// own require knows only built-in modules), and only when a command needs them.
const EXTERNAL = ['better-sqlite3', 'prom-client', 'playwright-core', 'zod', 'dns-packet', 'node-gyp-build', 'esbuild']

async function bundle() {
  const { build } = await import('esbuild')
  mkdirSync(out, { recursive: true })
  const r = await build({
    entryPoints: [join(root, 'dist', 'cli', 'snapshot-main.js')],
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: cjs, external: EXTERNAL, write: false, logLevel: 'warning',
    // Every module thinks it sits at dist/cli/main.js (one level below dist/, like most of them).
    define: { 'import.meta.url': '__tdImportMetaUrl' },
  })
  let text = r.outputFiles[0].text
  for (const id of EXTERNAL) text = text.split(`require("${id}")`).join(`__tdRequire("${id}")`)
  // node:module is "not verified" in snapshot builders (Node warns): load it only at run time.
  text = text.split('require("node:module")').join('({ get createRequire() { return __tdBuiltin("node:module").createRequire } })')
  const banner = [
    'Object.defineProperty(globalThis, "__tdImportMetaUrl", { get() { return require("node:url").pathToFileURL(require("node:path").join(globalThis.__tdRoot, "dist", "cli", "main.js")).href } });',
    'function __tdRequire(id) { if (!globalThis.__tdUserRequire) throw new Error("tcpdoctor snapshot: " + id + " needed while building"); return globalThis.__tdUserRequire(id) }',
    `globalThis.__tdRoot = ${JSON.stringify(root)};`,
    'const __tdBuiltin = require;',
  ].join('\n')
  writeFileSync(cjs, `${banner}\n${text}`)
}

function makeBlob() {
  if (!existsSync(cjs)) throw new Error(`${cjs} missing: run 'node scripts/build-snapshot.js bundle' (npm run build) first`)
  rmSync(blob, { force: true })
  execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', cjs], { stdio: 'inherit', cwd: root })
  const node = realpathSync(process.execPath)
  const st = statSync(node)
  writeFileSync(join(out, 'stamp'), `${node}|${st.size}:${Math.floor(st.mtimeMs / 1000)}|${root}\n`.trimEnd())
}

try {
  if (step === 'bundle' || step === 'all') await bundle()
  if (step === 'blob' || step === 'all') makeBlob()
} catch (err) {
  // Never fatal: without a snapshot bin/tcpdoctor starts from the ESM build.
  console.error(`tcpdoctor: no start-up snapshot (${err instanceof Error ? err.message.split('\n')[0] : err}); the ESM start-up will be used`)
  process.exit(0)
}
