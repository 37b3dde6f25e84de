#!/usr/bin/env node
// The executable: hands argv to the CLI and sets the exit code. The only process-level glue.
import { runCli } from '../dist/cli/main.js'

const controller = new AbortController()
let interrupted = 0
process.on('SIGINT', () => {
  // First Ctrl-C asks the running command to finish (lab cleans up); a second one forces exit.
  if (++interrupted > 1) process.exit(130)
  controller.abort()
})
process.on('SIGTERM', () => controller.abort())
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0) // `tcpdoctor sockets | head` closes the pipe: not an error
  throw err
})
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
})
