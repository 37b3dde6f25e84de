/**
 * @module
 * Debug output (NODE_DEBUG=tcpdoctor) and diagnostics channels. The library never writes to stdout.
 */
import { debuglog } from 'node:util'
import { channel } from 'node:diagnostics_channel'

export const debug = debuglog('tcpdoctor')

export const channels = {
  /** { source, reason }: which socket source ran. */
  sourceSelected: channel('tcpdoctor:source:selected'),
}
