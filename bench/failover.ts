/**
 * `npm run bench:failover [-- --json] [--single-node] [--no-write] [--only name,name]` (issue 14
 * item 7): the cluster topology on loopback (three nats-server nodes in one JetStream cluster,
 * liquidation streams with 3 replicas, the simulator, two collectors on lines A and B, two
 * mergers, two gateways, two firehoses) with book followers on both gateways and firehose readers
 * on both firehoses; in turn it kills -9 one NATS node, the active merger, one collector line,
 * one gateway and one firehose, starting each again after a second. The same faults on the
 * single-node topology (one of each) show what the cluster buys, side by side.
 * Built on the fault-bench pieces of bench:faults (bench/lib/faults): topology, clients, truth.
 *
 * JSON (`--json`, the cluster; `--json --single-node`, the single-node run):
 * {"faults":[{"fault","stall_ms","recovered_ms","seq_breaks_unhealed","stale_alerts","liq_lost","liq_dup","books_exact"}]}
 * Without --json both runs are made and the `failover` section of docs/benchmarks.md is written.
 */
import { connect, type NatsConnection } from 'nats';
import { pathToFileURL } from 'node:url';
import { decodeJson, subjects } from '../libs/bus/index.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { benchFlags } from './lib/suite.js';
import { DEFAULT_DOC } from './lib/paths.js';
import { updateDocFile } from './report.js';
import { singleVenueBooks, killFault, runFaults, singleNodeSpec, type Fault, type FaultReport, type ServiceKind, type Topology, type TopologySpec } from './lib/faults/index.js';

export const FAULTS = ['nats-node-kill', 'merger-active-kill', 'collector-line-kill', 'gateway-kill', 'firehose-kill'] as const;

export interface FailoverFigures {
  fault: string;
  stall_ms: number;
  recovered_ms: number | null;
  seq_breaks_unhealed: number;
  stale_alerts: number;
  liq_lost: number;
  liq_dup: number;
  books_exact: boolean;
}

const DOWN_MS = 1000;
const STREAM_USERS: ServiceKind[] = ['collector', 'merger', 'firehose'];

/** The cluster topology of `bookfuse demo --cluster`, with the books bench:faults can judge exactly. */
export function clusterSpec(): TopologySpec {
  return singleNodeSpec({
    natsNodes: 3,
    collectors: 2,
    mergers: 2,
    gateways: 2,
    firehoses: 2,
    env: (kind, i) => ({
      ...(STREAM_USERS.includes(kind) ? { LIQ_REPLICAS: '3' } : {}),
      ...(kind === 'collector' ? { COLLECTOR_LINE: i === 0 ? 'A' : 'B' } : {}),
      // the lease must outlive the node that holds it, as the streams do
      ...(kind === 'merger' ? { MERGER_LEASE_REPLICAS: '3' } : {}),
    }),
  });
}

/** The merger whose /healthz says `"role": "active"`; the first one where none says so (one merger, or no roles). */
export async function activeMerger(t: Topology): Promise<number> {
  const roles = await Promise.all(
    t.of('merger').map((m) =>
      fetch(`${m.url}/healthz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.json() as Promise<{ role?: string }>)
        .then((h) => h.role)
        .catch(() => undefined),
    ),
  );
  return Math.max(0, roles.indexOf('active'));
}

function killActiveMerger(): Fault {
  return {
    name: 'merger-active-kill',
    target: 'merger',
    inject: async (t) => {
      const p = t.of('merger')[await activeMerger(t)]!;
      await p.kill();
      await sleep(DOWN_MS);
      await p.start();
    },
  };
}

export function failoverFaults(): Fault[] {
  const down = { downMs: DOWN_MS, index: 0 };
  return [
    killFault('nats', { ...down, name: 'nats-node-kill' }),
    killActiveMerger(),
    killFault('collector', { ...down, name: 'collector-line-kill' }),
    killFault('gateway', { ...down, name: 'gateway-kill' }),
    killFault('firehose', { ...down, name: 'firehose-kill' }),
  ];
}

/** STALE alerts the mergers publish (core NATS, every consensus symbol), counted per fault. */
class StaleAlerts {
  private nc: NatsConnection | undefined;
  private count = 0;
  private mark = 0;

  async attach(url: string, symbols: string[]): Promise<void> {
    if (this.nc) return;
    this.nc = await connect({ servers: url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    for (const s of symbols) {
      this.nc.subscribe(subjects.consensusAlert(s), {
        callback: (err, m) => {
          if (err) return;
          try {
            if ((decodeJson(m.data) as { kind?: string }).kind === 'STALE') this.count++;
          } catch {
            // not an alert: not ours to judge
          }
        },
      });
    }
  }

  /** wrap a fault so the count restarts when it begins */
  counted(f: Fault, symbols: string[]): Fault {
    return {
      ...f,
      inject: async (t) => {
        await this.attach(t.natsUrl, symbols);
        this.mark = this.count;
        await f.inject(t);
      },
    };
  }

  sinceMark(): number {
    return this.count - this.mark;
  }

  async close(): Promise<void> {
    await this.nc?.close();
  }
}

export function figures(r: FaultReport, staleAlerts: number): FailoverFigures {
  const { fault, stall_ms, recovered_ms, seq_breaks_unhealed, liq_lost, liq_dup, books_exact } = r;
  return { fault, stall_ms, recovered_ms, seq_breaks_unhealed, stale_alerts: staleAlerts, liq_lost, liq_dup, books_exact };
}

/** Issue 14's targets (for the cluster run). */
export function targetsMet(f: FailoverFigures): boolean {
  switch (f.fault) {
    case 'nats-node-kill':
    case 'merger-active-kill':
      return f.stall_ms <= 2000 && f.seq_breaks_unhealed === 0 && f.liq_lost === 0 && f.liq_dup === 0 && f.books_exact;
    case 'collector-line-kill':
      return f.stale_alerts === 0 && f.stall_ms <= 1000;
    case 'gateway-kill':
    case 'firehose-kill':
      return f.recovered_ms !== null && f.recovered_ms <= 2000 && f.liq_lost === 0 && f.liq_dup === 0;
    default:
      return false;
  }
}

export async function runFailover(spec: TopologySpec, only?: string[], progress?: (line: string) => void): Promise<{ figures: FailoverFigures[]; logDir: string }> {
  const alerts = new StaleAlerts();
  const out: FailoverFigures[] = [];
  try {
    const faults = failoverFaults()
      .filter((f) => !only || only.includes(f.name))
      .map((f) => alerts.counted(f, spec.symbols));
    const run = await runFaults({
      spec,
      faults,
      books: singleVenueBooks(),
      followers: 2,
      readers: 2,
      onFault: (r) => {
        const f = figures(r, alerts.sinceMark());
        out.push(f);
        progress?.(`${spec.natsNodes === 3 ? 'cluster' : 'single node'} ${f.fault}: ${JSON.stringify({ ...f, crashed: r.crashed, liq_sent: r.liq_sent, seq_breaks: r.seq_breaks })}`);
      },
    });
    return { figures: out, logDir: run.logDir };
  } finally {
    await alerts.close();
  }
}

export function markdown(cluster: FailoverFigures[], single: FailoverFigures[], when: Date, machine: string): string {
  const cell = (f: FailoverFigures | undefined) =>
    f ? [f.stall_ms, f.recovered_ms ?? 'not live', f.seq_breaks_unhealed, f.stale_alerts, f.liq_lost, f.liq_dup, f.books_exact ? 'yes' : 'NO'].join(' | ') : '– | – | – | – | – | – | –';
  const rows = FAULTS.map((name) => {
    const c = cluster.find((f) => f.fault === name);
    return `| ${name} | ${cell(c)} | ${c ? (targetsMet(c) ? 'met' : 'MISSED') : '–'} | ${cell(single.find((f) => f.fault === name))} |`;
  });
  const cols = 'stall_ms | recovered_ms | seq_breaks_unhealed | stale_alerts | liq_lost | liq_dup | books_exact';
  return [
    '## Failover (`npm run bench:failover`)',
    '',
    'The cluster topology as processes on loopback: three nats-server nodes in one JetStream cluster (liquidation streams with',
    '3 replicas), the simulator, two collectors (lines A and B), two mergers, two gateways and two firehoses, every service',
    'given all three NATS URLs; two book followers (one per gateway, the other gateway next on reconnect) and two firehose',
    'readers (one per firehose, reconnecting with `?after=<last seq>` to the other). Each fault is a kill -9 and a restart',
    '1 s later. On the right the same faults on the single-node topology (one of each), where the victim is the only one.',
    '',
    `| fault | cluster: ${cols} | targets | single node: ${cols} |`,
    `|---|${'---|'.repeat(7)}---|${'---|'.repeat(7)}`,
    ...rows,
    '',
    'stall_ms: longest time a followed book went without a consensus update; recovered_ms: until every client was live again;',
    'stale_alerts: STALE alerts the mergers raised during the fault; liq_lost/liq_dup: against the simulator\'s',
    '`/truth/liquidations`, the worst reader; books_exact: every followed book equal to the venue\'s truth afterwards.',
    'Targets (cluster): nats-node-kill and merger-active-kill stall ≤ 2,000 ms, no unhealed seq break, no liquidation lost or',
    'repeated, exact books; collector-line-kill no STALE alert and stall ≤ 1,000 ms; gateway-kill and firehose-kill',
    'recovered ≤ 2,000 ms with no liquidation lost or repeated.',
    '',
    `Measured ${when.toISOString()} on ${machine}.`,
  ].join('\n');
}

async function cli(argv: string[]): Promise<void> {
  const { json, only } = benchFlags(argv);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (json) {
    const r = await runFailover(argv.includes('--single-node') ? singleNodeSpec() : clusterSpec(), only, progress);
    process.stdout.write(`${JSON.stringify({ faults: r.figures })}\n`);
    return;
  }
  const machine = machineLine(describeMachine());
  const cluster = await runFailover(clusterSpec(), only, progress);
  const single = await runFailover(singleNodeSpec(), only, progress);
  const md = markdown(cluster.figures, single.figures, new Date(), machine);
  if (!argv.includes('--no-write')) await updateDocFile(DEFAULT_DOC(), [{ name: 'failover', body: md }]);
  process.stdout.write(`${md}\n\nprocess logs: ${cluster.logDir} (cluster), ${single.logDir} (single node)\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`bench:failover: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}
