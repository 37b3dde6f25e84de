/**
 * @module
 * Every CLI command, listed by hand: the whole list visible in one place.
 */
import type { Command } from '../command.js'
import { statesCommand } from './states.js'
import { socketsCommand } from './sockets.js'
import { whoCommand } from './who.js'
import { snapshotCommand } from './snapshot.js'
import { countersCommand } from './counters.js'
import { keepaliveCommand } from './keepalive.js'
import { labCommand } from './lab.js'
import { explainCommand } from './explain.js'
import { diagramCommand } from './diagram.js'

export const commands: readonly Command[] = [statesCommand, socketsCommand, whoCommand, snapshotCommand, countersCommand, labCommand, keepaliveCommand, explainCommand, diagramCommand]

/** What `tcpdoctor` with no command runs (diagnose, once it exists). */
export const defaultCommand = 'states'
