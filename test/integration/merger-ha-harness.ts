/**
 * Mergers for the active/standby tests: each on its own NATS connection (optionally through a
 * freezable TCP proxy, to stall it the way a partition does) with its /healthz served, every
 * consensus publish it makes timestamped, and a client-side follower of the consensus stream
 * that applies the seq/epoch rules a gateway applies.
 */
import { createServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect, type NatsConnection } from 'nats';
import type { AddressInfo } from 'node:net';
import { parseSubject } from '../../libs/bus/index.js';
import type { ConsensusBookMessage } from '../../libs/core/index.js';
import { createLogger, createRegistry, startOpsServer, type OpsServer } from '../../libs/obs/index.js';
import { loadMergerConfig } from '../../services/merger/config.js';
import { createMerger, type Merger } from '../../services/merger/merger.js';

export interface RunningMerger {
  merger: Merger;
  conn: NatsConnection;
  ops: OpsServer;
  /** performance.now() of every publish on a consensus subject */
  published: { subject: string; at: number }[];
  health(): Promise<{ ok: boolean; role: string; shard: string; epoch: number }>;
  /** the /metrics text */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

export async function startHaMerger(servers: string | string[], env: Record<string, string>): Promise<RunningMerger> {
  const conn = await connect({ servers, noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const published: RunningMerger['published'] = [];
  const publish = conn.publish.bind(conn);
  conn.publish = (subject, data, opts) => {
    if (parseSubject(subject)?.kind.startsWith('consensus.')) published.push({ subject, at: performance.now() });
    publish(subject, data, opts);
  };
  const config = loadMergerConfig({ MERGER_PORT: '0', SNAPSHOT_TIMEOUT_MS: '300', MERGER_TICK_MS: '50', MERGER_LIQUIDATIONS: 'none', ...env });
  const registry = createRegistry('merger');
  const merger = createMerger(config, { nc: conn, log: createLogger('merger', process.env['TLOG'] ?? 'silent'), registry });
  await merger.start();
  const ops = await startOpsServer({ host: '127.0.0.1', port: 0, registry, ready: () => merger.notReadyReason(), health: () => ({ ...merger.healthInfo() }) });
  let stopped = false;
  return {
    merger,
    conn,
    ops,
    published,
    metrics: async () => (await fetch(`${ops.url}/metrics`)).text(),
    health: async () => (await (await fetch(`${ops.url}/healthz`)).json()) as { ok: boolean; role: string; shard: string; epoch: number },
    async stop() {
      if (stopped) return;
      stopped = true;
      await merger.stop();
      await conn.close().catch(() => undefined);
      await ops.close();
    },
  };
}

/** A TCP relay to NATS that can be frozen: nothing passes either way, yet no socket closes. */
export async function freezableProxy(target: number): Promise<{ url: string; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const pairs: [Socket, Socket][] = [];
  let frozen = false;
  const server: Server = createServer((client) => {
    const upstream = tcpConnect({ port: target, host: '127.0.0.1' });
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    pairs.push([client, upstream]);
    if (frozen) for (const s of [client, upstream]) s.pause();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `nats://127.0.0.1:${(server.address() as AddressInfo).port}`,
    freeze() {
      frozen = true;
      for (const p of pairs) for (const s of p) s.pause();
    },
    thaw() {
      frozen = false;
      for (const p of pairs) for (const s of p) s.resume();
    },
    async close() {
      for (const p of pairs) for (const s of p) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** What a client does with the consensus stream: a snapshot (re)starts, a delta must continue the chain. */
export class ConsensusFollower {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  epoch = -1;
  seq = 0;
  /** deltas that did not continue the chain of the epoch in hand */
  breaks = 0;
  snapshots: ConsensusBookMessage[] = [];

  apply(m: ConsensusBookMessage): void {
    if (m.kind === 'snapshot') {
      this.bids.clear();
      this.asks.clear();
      this.snapshots.push(m);
    } else if (m.epoch !== this.epoch || m.seq !== this.seq + 1) {
      this.breaks++;
      return;
    }
    this.epoch = m.epoch;
    this.seq = m.seq;
    for (const [p, q] of m.bids) set(this.bids, p, q);
    for (const [p, q] of m.asks) set(this.asks, p, q);
  }

  levels(): { bids: [string, string][]; asks: [string, string][] } {
    const sorted = (m: Map<string, string>, desc: boolean) => [...m].sort((a, b) => (desc ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
    return { bids: sorted(this.bids, true), asks: sorted(this.asks, false) };
  }
}

function set(m: Map<string, string>, p: string, q: string): void {
  if (q === '0') m.delete(p);
  else m.set(p, q);
}

/** The price and total of each level of a book's own snapshot, for comparing two mergers' books. */
export function bookLevels(merger: Merger, csym: string): { bids: [string, string][]; asks: [string, string][] } {
  const s = merger.books.get(csym)!.snapshot(Date.now());
  return { bids: s.bids.map((l) => [l[0], l[1]]), asks: s.asks.map((l) => [l[0], l[1]]) };
}

/** Samples the mergers' fences every few ms: how often more than one could publish at once. */
export function watchOverlap(mergers: RunningMerger[]): { overlaps: number; samples: number; stop(): void } {
  const w = { overlaps: 0, samples: 0, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    w.samples++;
    if (mergers.filter((m) => m.merger.mayPublish()).length > 1) w.overlaps++;
  }, 2);
  return w;
}
