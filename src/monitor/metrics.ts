/**
 * @module
 * /metrics: a prom-client Registry of its own (no default metrics) filled from the latest Sample.
 * Names follow node_exporter's conventions (tcpstat: node_tcp_connection_states{state}); per
 * listener port series are capped (`portCap`, default 20 ports) with the rest summed in port="other".
 */
import { Counter, Gauge, Registry } from 'prom-client'
import { STATE_NAMES } from '../model/state.js'
import type { RateCounter, Sample } from './sample.js'

/** nstat name -> metric name (without tcpdoctor_ and _total) and help. */
export const COUNTER_METRICS: Partial<Record<RateCounter, [string, string]>> = {
  TcpActiveOpens: ['active_opens', 'Connections opened by this host (SYN sent), /proc/net/snmp Tcp ActiveOpens.'],
  TcpPassiveOpens: ['passive_opens', 'Connections accepted by listeners, /proc/net/snmp Tcp PassiveOpens.'],
  TcpAttemptFails: ['attempt_fails', 'Failed connection attempts, /proc/net/snmp Tcp AttemptFails.'],
  TcpEstabResets: ['estab_resets', 'Resets of established connections, /proc/net/snmp Tcp EstabResets.'],
  TcpOutRsts: ['out_rsts', 'Segments sent with RST, /proc/net/snmp Tcp OutRsts.'],
  TcpRetransSegs: ['retrans_segments', 'Segments retransmitted, /proc/net/snmp Tcp RetransSegs.'],
  TcpInSegs: ['in_segments', 'Segments received, /proc/net/snmp Tcp InSegs.'],
  TcpOutSegs: ['out_segments', 'Segments sent, /proc/net/snmp Tcp OutSegs.'],
  TcpExtListenOverflows: ['listen_overflows', 'Times a listener accept queue was full, TcpExt ListenOverflows.'],
  TcpExtListenDrops: ['listen_drops', 'SYNs dropped at a listener, TcpExt ListenDrops.'],
  TcpExtTCPTimeouts: ['timeouts', 'Retransmission timeouts, TcpExt TCPTimeouts.'],
  TcpExtSyncookiesSent: ['syncookies_sent', 'SYN cookies sent (SYN queue full), TcpExt SyncookiesSent.'],
  TcpExtTCPAbortOnMemory: ['abort_on_memory', 'Connections aborted for lack of memory, TcpExt TCPAbortOnMemory.'],
  TcpExtTCPTimeWaitOverflow: ['time_wait_overflows', 'TIME_WAIT sockets not created (tcp_max_tw_buckets), TcpExt TCPTimeWaitOverflow.'],
}

export interface MetricsOptions {
  portCap?: number
}

export class Metrics {
  readonly registry = new Registry()
  private latest: Sample | undefined
  private readonly portCap: number

  constructor(opts: MetricsOptions = {}) {
    this.portCap = opts.portCap ?? 20
    const r = this.registry
    const self = this
    new Gauge({
      name: 'tcpdoctor_sockets', help: 'TCP sockets per state (NEW_SYN_RECV counted as SYN_RECV).', labelNames: ['netns', 'state'], registers: [r],
      collect() {
        this.reset()
        const s = self.latest
        if (!s) return
        for (const st of STATE_NAMES) if (st !== 'NEW_SYN_RECV') this.set({ netns: s.netns, state: st }, s.states[st] ?? 0)
      },
    })
    new Gauge({
      name: 'tcpdoctor_listener_sockets', help: `TCP sockets per local listener port and state; ports beyond the first ${this.portCap} are summed in port="other".`, labelNames: ['netns', 'port', 'state'], registers: [r],
      collect() {
        this.reset()
        const s = self.latest
        if (!s) return
        const ports = s.ports.filter((p) => p.key.startsWith(':'))
        ports.forEach((p, i) => {
          const port = i < self.portCap ? p.key.slice(1) : 'other'
          for (const [st, n] of Object.entries(p.states)) this.inc({ netns: s.netns, port, state: st === 'NEW_SYN_RECV' ? 'SYN_RECV' : st }, n ?? 0)
        })
      },
    })
    const listenerGauge = (name: string, help: string, pick: (l: Sample['listeners'][number]) => number): void => {
      new Gauge({
        name, help, labelNames: ['netns', 'address', 'port'], registers: [r],
        collect() {
          this.reset()
          const s = self.latest
          if (!s) return
          for (const l of s.listeners.slice(0, self.portCap)) this.set({ netns: s.netns, address: l.address, port: String(l.port) }, pick(l))
        },
      })
    }
    listenerGauge('tcpdoctor_listen_queue', 'Connections waiting in a listener accept queue (Recv-Q of LISTEN).', (l) => l.queue)
    listenerGauge('tcpdoctor_listen_backlog', 'Accept queue size of a listener (Send-Q of LISTEN: min(backlog, somaxconn)).', (l) => l.backlog)
    for (const [k, [name, help]] of Object.entries(COUNTER_METRICS) as [RateCounter, [string, string]][]) {
      new Counter({
        name: `tcpdoctor_${name}_total`, help, labelNames: ['netns'], registers: [r],
        collect() {
          this.reset()
          const s = self.latest
          const v = s?.counterTotals[k]
          if (s && v !== undefined) this.inc({ netns: s.netns }, v)
        },
      })
    }
    new Gauge({
      name: 'tcpdoctor_finding', help: 'Current findings of the doctor (1 while the finding holds).', labelNames: ['netns', 'code', 'severity'], registers: [r],
      collect() {
        this.reset()
        const s = self.latest
        if (!s) return
        for (const f of s.findings) this.set({ netns: s.netns, code: f.code, severity: f.severity }, 1)
      },
    })
    new Gauge({
      name: 'tcpdoctor_findings_evaluated_timestamp_seconds', help: 'When the doctor last ran (Unix time): findings are evaluated every --findings-every samples, not every sample.', registers: [r],
      collect() {
        this.reset()
        const v = self.latest?.findingsAt
        if (v !== undefined) this.set(v / 1000)
      },
    })
    new Gauge({
      name: 'tcpdoctor_orphan_sockets', help: 'Orphaned TCP sockets host-wide (/proc/net/sockstat orphan).', registers: [r],
      collect() {
        this.reset()
        const v = self.latest?.sockstat?.orphan
        if (v !== undefined) this.set(v)
      },
    })
    new Gauge({
      name: 'tcpdoctor_memory_bytes', help: 'TCP socket memory host-wide (/proc/net/sockstat mem, pages times the page size).', registers: [r],
      collect() {
        this.reset()
        const v = self.latest?.sockstat?.memPages
        if (v !== undefined) this.set(v * 4096)
      },
    })
    new Gauge({
      name: 'tcpdoctor_sample_duration_seconds', help: 'Time the last sample took.', registers: [r],
      collect() {
        this.reset()
        const v = self.latest?.tookMs
        if (v !== undefined) this.set(v / 1000)
      },
    })
    new Gauge({
      name: 'tcpdoctor_last_sample_timestamp_seconds', help: 'When the last sample was taken (Unix time).', registers: [r],
      collect() {
        this.reset()
        const v = self.latest?.at
        if (v !== undefined) this.set(v / 1000)
      },
    })
  }

  update(s: Sample): void {
    this.latest = s
  }

  async text(): Promise<string> {
    return this.registry.metrics()
  }
}
