/**
 * @module
 * OUTBOUND_SCAN_SUSPECTED: one process with SYN_SENT to many distinct destinations, or to many
 * ports of one host, that mostly never answer: a scanner or a worm on this host probing a
 * network (the article's "many SYN_SENT" second cause).
 */
import { formatEndpoint } from '../../model/endpoint-text.js'
import type { Socket } from '../../model/socket.js'
import { lingering } from '../input.js'
import { perNamespace, type Draft } from '../rule.js'
import { ownerOf, processText, type ProcessCount } from '../offenders.js'

export const outboundScanSuspected = perNamespace('OUTBOUND_SCAN_SUSPECTED', 'warning', (ns, config) => {
  const t = config.thresholds.OUTBOUND_SCAN_SUSPECTED
  const byOwner = new Map<string, { proc?: ProcessCount; sockets: Socket[] }>()
  for (const s of lingering(ns, 'SYN_SENT')) {
    const o = ownerOf(s)
    const k = o ? String(o.pid) : '?'
    const e = byOwner.get(k) ?? { proc: o ? { pid: o.pid, command: o.command, count: 0 } : undefined, sockets: [] }
    e.sockets.push(s)
    if (e.proc) e.proc.count++
    byOwner.set(k, e)
  }
  const out: Draft[] = []
  for (const { proc, sockets } of byOwner.values()) {
    const targets = new Set(sockets.map((s) => formatEndpoint(s.remote, s.family)))
    const portsPerHost = new Map<string, Set<number>>()
    for (const s of sockets) portsPerHost.set(s.remote.address, (portsPerHost.get(s.remote.address) ?? new Set()).add(s.remote.port))
    const maxPorts = Math.max(0, ...[...portsPerHost.values()].map((p) => p.size))
    if (targets.size < t.minTargets && maxPorts < t.minPortsPerHost) continue
    const ports = [...new Set(sockets.map((s) => s.remote.port))].sort((a, b) => a - b)
    const hosts = [...portsPerHost.keys()]
    out.push({
      severity: targets.size >= t.criticalTargets ? 'critical' : 'warning',
      magnitude: Math.max(targets.size / Math.max(1, t.minTargets), maxPorts / Math.max(1, t.minPortsPerHost)),
      vars: { process: proc ? processText(proc) : '?', targets: targets.size, hosts: hosts.length, ports: ports.length },
      evidence: { synSent: sockets.length, targets: targets.size, hosts: hosts.length, maxPortsPerHost: maxPorts, ports: ports.slice(0, 20), sampleHosts: hosts.slice(0, 5), process: proc ?? null, thresholds: { minTargets: t.minTargets, minPortsPerHost: t.minPortsPerHost } },
      details: [
        ['doctor.ev.scan', { synSent: sockets.length, targets: targets.size, hosts: hosts.length, maxPorts }],
        ['doctor.ev.scanPorts', { ports: ports.slice(0, 12).join(','), hostsList: hosts.slice(0, 3).join(', ') }],
        ['doctor.ev.processes', { processes: proc ? processText(proc) : '?' }],
      ],
      fixes: [
        ['doctor.OUTBOUND_SCAN_SUSPECTED.fix.inspect', { pid: proc?.pid ?? '?' }],
        ['doctor.OUTBOUND_SCAN_SUSPECTED.fix.contain'],
      ],
    })
  }
  return out
})
