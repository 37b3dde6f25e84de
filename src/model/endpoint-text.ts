/**
 * @module
 * Endpoint text as ss prints it: 10.0.0.1:80, [::1]:80, 0.0.0.0:* for an unbound peer.
 */
import type { Endpoint, Family } from './socket.js'

/**
 * `addr:port` with IPv6 in brackets; port 0 prints as `*`, as ss does for peers; the IPv6 wildcard
 * of a dual-stack socket (v6only false) prints as `*`, as ss does (`*:8080`, peer `*:*`).
 */
export function formatEndpoint(ep: Endpoint, family: Family, v6only?: boolean): string {
  const addr = family === 'inet6' ? (v6only === false && ep.address === '::' ? '*' : `[${ep.address}]`) : ep.address
  return `${addr}:${ep.port === 0 ? '*' : ep.port}`
}
