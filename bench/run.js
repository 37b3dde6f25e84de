#!/usr/bin/env node
// npm run bench: every benchmark script in one run (SPEC 7), each printing its table of ratios.
//   BENCH_ONLY=sockets,analyze,...  to choose; the other BENCH_* variables go to the scripts.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const ALL = ['sockets', 'analyze', 'capture', 'probe', 'monitor']
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ALL
let failed = 0
for (const name of only) {
  const file = join(here, `${name}.js`)
  if (!existsSync(file)) { console.error(`bench: no ${name}.js`); failed++; continue }
  console.log(`\n=== bench/${name}.js ===`)
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' })
  if (r.status !== 0) { console.error(`bench/${name}.js exited ${r.status}`); failed++ }
}
process.exit(failed ? 1 : 0)
