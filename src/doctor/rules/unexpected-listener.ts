/**
 * @module
 * UNEXPECTED_LISTENER: a LISTEN socket nobody expects. With `expectedListeners` in the config,
 * every listener not on that list (port, optionally process and address); without one, only the
 * ports backdoors and trojans are known for (suspiciousPorts), so a healthy host stays quiet.
 * One finding per port and owner (IPv4 and IPv6 listeners of the same program together).
 */
import type { Socket } from '../../model/socket.js'
import type { ExpectedListener } from '../config.js'
import { perNamespace, type Draft } from '../rule.js'
import { ownerOf, processText, topProcesses } from '../offenders.js'
import { listenerText, listenersOf } from '../listeners.js'

function expected(l: Socket, list: readonly ExpectedListener[]): boolean {
  return list.some((e) => e.port === l.local.port && (e.address === undefined || e.address === l.local.address) && (e.process === undefined || (l.process ?? []).some((p) => p.command === e.process)))
}

export const unexpectedListener = perNamespace('UNEXPECTED_LISTENER', 'warning', (ns, config) => {
  const t = config.thresholds.UNEXPECTED_LISTENER
  const allow = config.expectedListeners
  const groups = new Map<string, Socket[]>()
  for (const l of listenersOf(ns)) {
    const bad = allow ? !expected(l, allow) : t.suspiciousPorts.includes(l.local.port)
    if (!bad) continue
    const k = `${l.local.port}|${ownerOf(l)?.pid ?? '?'}`
    groups.set(k, [...(groups.get(k) ?? []), l])
  }
  const out: Draft[] = []
  for (const ls of groups.values()) {
    const l = ls[0]!
    const p = topProcesses(ls)[0]
    const owner = ownerOf(l)
    const suspicious = t.suspiciousPorts.includes(l.local.port)
    const established = ns.sockets.filter((s) => s.state === 'ESTABLISHED' && s.local.port === l.local.port)
    out.push({
      severity: 'warning',
      magnitude: suspicious ? 2 : 1,
      vars: { port: l.local.port, listener: ls.map(listenerText).join(', '), process: p ? processText(p) : '?' },
      evidence: {
        port: l.local.port,
        addresses: ls.map((x) => x.local.address),
        process: p ?? null,
        user: owner?.user ?? null,
        cmdline: owner?.cmdline ?? null,
        reason: allow ? 'not in expectedListeners' : 'suspicious port',
        connections: established.length,
        peers: [...new Set(established.map((s) => s.remote.address))].slice(0, 5),
      },
      details: [
        ['doctor.ev.listener', { listener: ls.map(listenerText).join(', '), process: p ? processText(p) : '?', user: owner?.user ?? '?' }],
        [allow ? 'doctor.ev.notAllowed' : 'doctor.ev.suspiciousPort', { port: l.local.port, connections: established.length }],
        ...(owner?.cmdline ? [['doctor.ev.cmdline', { cmdline: owner.cmdline.slice(0, 120) }] as [string, Record<string, string | number>]] : []),
      ],
      fixes: [
        ['doctor.UNEXPECTED_LISTENER.fix.identify', { pid: p?.pid ?? '?', port: l.local.port }],
        ['doctor.UNEXPECTED_LISTENER.fix.close'],
        ['doctor.UNEXPECTED_LISTENER.fix.allow', { port: l.local.port, process: p?.command ?? '?' }],
      ],
    })
  }
  return out
})
