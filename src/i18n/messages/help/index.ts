/**
 * The `--help` texts, one catalog per command (in the order of src/cli/commands/index.ts) plus the
 * top-level help: keys help.<command>.summary, help.<command>.examples, help.<command>.opt.<option>.
 */
import { mainHelp } from './main.js'
import { diagnoseHelp } from './diagnose.js'
import { statesHelp } from './states.js'
import { socketsHelp } from './sockets.js'
import { whoHelp } from './who.js'
import { snapshotHelp } from './snapshot.js'
import { diffHelp } from './diff.js'
import { countersHelp } from './counters.js'
import { keepaliveHelp } from './keepalive.js'
import { labHelp } from './lab.js'
import { explainHelp } from './explain.js'
import { diagramHelp } from './diagram.js'
import { tuneHelp } from './tune.js'
import { pingHelp } from './ping.js'
import { traceHelp } from './trace.js'
import { analyzeHelp } from './analyze.js'
import { captureHelp } from './capture.js'
import { dnsHelp } from './dns.js'
import { watchHelp } from './watch.js'
import { serveHelp } from './serve.js'
import { historyHelp } from './history.js'

export const helpCatalogs = [mainHelp, diagnoseHelp, statesHelp, socketsHelp, whoHelp, snapshotHelp, diffHelp, countersHelp, keepaliveHelp, labHelp, explainHelp, diagramHelp, tuneHelp, pingHelp, traceHelp, analyzeHelp, captureHelp, dnsHelp, watchHelp, serveHelp, historyHelp] as const
