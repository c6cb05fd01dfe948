/**
 * Cluster test rig (#14): a three-node JetStream cluster on loopback, the simulator, a collector
 * and a merger in this process, and two gateways and two firehoses as `bookfuse` child processes
 * (so a test can kill -9 one), every service given all three NATS URLs. The liquidation log is
 * created with 3 replicas before anything starts, so losing any one node loses no entry.
 */
import { RetentionPolicy, StorageType, connect } from 'nats';
import { LIQ_STREAM, subjects } from '../../libs/bus/index.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { freePort, startNatsCluster, type TestNatsCluster } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';
import { main as simulatorMain } from '../../services/simulator/main.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { main as mergerMain } from '../../services/merger/main.js';

export const KEY = 'cluster';
export const VENUES = ['binance-usdm', 'binance-spot', 'bybit-linear'];

interface Running {
  stop(): Promise<void>;
  listening: Record<string, string>;
}

export interface ChildService {
  port: number;
  run: CliRun;
  /** kill -9 */
  kill(): Promise<void>;
  /** start it again on the same port */
  start(): Promise<void>;
}

export interface ClusterTopology {
  nats: TestNatsCluster;
  simUrl: string;
  gateways: ChildService[];
  firehoses: ChildService[];
  stop(): Promise<void>;
}

async function liqStreamWithReplicas(url: string, replicas: number): Promise<void> {
  const nc = await connect({ servers: url.split(',') });
  try {
    const jsm = await nc.jetstreamManager();
    // right after start-up the meta leader may not know every peer yet ("no suitable peers"); a
    // clean-clone CI run on the 2-core box once took longer than 20 s to place it
    await waitFor(() => jsm.streams.add({
      name: LIQ_STREAM,
      subjects: [subjects.consensusLiq()],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_age: 24 * 3600 * 1e9,
      duplicate_window: 120 * 1e9,
    }), { timeoutMs: 45_000, intervalMs: 250, what: `stream ${LIQ_STREAM} with ${replicas} replicas` });
  } finally {
    await nc.close();
  }
}

async function child(service: 'gateway' | 'firehose', env: NodeJS.ProcessEnv): Promise<ChildService> {
  const port = await freePort();
  const portVar = service === 'gateway' ? 'GATEWAY_PORT' : 'FIREHOSE_PORT';
  const c: ChildService = {
    port,
    run: undefined as unknown as CliRun,
    kill: async () => {
      if (c.run.proc.exitCode !== null || c.run.proc.signalCode !== null) return;
      c.run.proc.kill('SIGKILL');
      await c.run.exited;
    },
    start: async () => {
      c.run = runCli([service], { ...env, [portVar]: String(port) });
      await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok, { timeoutMs: 20_000, what: `${service} on ${port}` });
    },
  };
  await c.start();
  return c;
}

export async function startClusterTopology(opts: { liquidationsPerS?: number } = {}): Promise<ClusterTopology> {
  const nats = await startNatsCluster();
  const parts: Running[] = [];
  const children: ChildService[] = [];
  try {
    await liqStreamWithReplicas(nats.url, 3);
    const base = { NATS_URL: nats.url, LOG_LEVEL: 'warn', LIQ_REPLICAS: '3' };
    const sim = await simulatorMain({ ...base, SIM_PORT: '0', SIM_VENUES: VENUES.join(','), SIM_BASES: 'BTC', SIM_SEED: '7', SIM_LIQUIDATIONS_PER_S: String(opts.liquidationsPerS ?? 5) });
    parts.push(sim);
    const simUrl = sim.listening['control']!.replace(/\/control$/, '');
    // the merger's lease, like the streams, must outlive any one node
    parts.push(await mergerMain({ ...base, MERGER_PORT: '0', MERGER_LEASE_REPLICAS: '3', CONSENSUS_GROUPS: `BTC-USD@0.1/25=${VENUES.join(',')}` }));
    parts.push(await collectorMain({ ...base, COLLECTOR_PORT: '0', COLLECTOR_VENUES: VENUES.join(','), COLLECTOR_BASES: 'BTC', COLLECTOR_SIMULATOR_URL: simUrl }));
    const gwEnv = { ...base, GATEWAY_API_KEYS: KEY, GATEWAY_SYMBOLS: 'BTC-USD', GATEWAY_HEARTBEAT_MS: '1000' };
    const fhEnv = { ...base, FIREHOSE_API_KEYS: KEY };
    const gateways = await Promise.all([child('gateway', gwEnv), child('gateway', gwEnv)]);
    const firehoses = await Promise.all([child('firehose', fhEnv), child('firehose', fhEnv)]);
    children.push(...gateways, ...firehoses);
    return {
      nats,
      simUrl,
      gateways,
      firehoses,
      stop: async () => {
        for (const c of children) await c.kill();
        for (const p of parts.reverse()) await p.stop().catch(() => undefined);
        await nats.dispose();
      },
    };
  } catch (e) {
    for (const c of children) await c.kill();
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await nats.dispose();
    throw e;
  }
}
