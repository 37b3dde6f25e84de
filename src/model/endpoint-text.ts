/**
 * @module
 * Endpoint text as ss prints it: 10.0.0.1:80, [::1]:80, 0.0.0.0:* for an unbound peer.
 */
import type { Endpoint, Family } from './socket.js'

/** `addr:port` with IPv6 in brackets; port 0 prints as `*`, as ss does for peers. */
export function formatEndpoint(ep: Endpoint, family: Family): string {
  const addr = family === 'inet6' ? `[${ep.address}]` : ep.address
  return `${addr}:${ep.port === 0 ? '*' : ep.port}`
}
