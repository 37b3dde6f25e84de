#!/usr/bin/env node
// The ESM start-up: hands argv to the CLI (bin/tcpdoctor starts from the V8 snapshot instead,
// when one was built for this Node; both run the same code).
import { runProcess } from '../dist/cli/process.js'

await runProcess(process.argv.slice(2))
