/**
 * @module
 * The process-level glue shared by both start-ups (the ESM bin and the V8 start-up snapshot):
 * Ctrl-C asks the running command to finish (a second one forces exit), a closed pipe
 * (`tcpdoctor sockets | head`) is not an error, and the exit code is set from the command.
 */
import { runCli } from './main.js'

export async function runProcess(argv: string[]): Promise<void> {
  const controller = new AbortController()
  let interrupted = 0
  process.on('SIGINT', () => {
    if (++interrupted > 1) process.exit(130)
    controller.abort()
  })
  process.on('SIGTERM', () => controller.abort())
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
  process.exitCode = await runCli(argv, { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal })
}
