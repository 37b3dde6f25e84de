#!/usr/bin/env node
// Bundles the dashboard (web/) into dist/web: index.html, assets/app.js, assets/app.css and
// uPlot's stylesheet. esbuild, no CDN: `tcpdoctor serve` ships these files as they are.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = join(root, 'dist', 'web')
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'assets'), { recursive: true })
await build({
  entryPoints: [join(root, 'web', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: join(out, 'assets', 'app.js'),
  logLevel: 'warning',
})
copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'))
copyFileSync(join(root, 'web', 'app.css'), join(out, 'assets', 'app.css'))
copyFileSync(join(root, 'web', 'favicon.svg'), join(out, 'assets', 'favicon.svg'))
const uplotCss = join(dirname(createRequire(import.meta.url).resolve('uplot')), 'uPlot.min.css')
copyFileSync(uplotCss, join(out, 'assets', 'uPlot.min.css'))
