/**
 * Active and standby mergers on a three-node JetStream cluster (issue 14 item 2): kill -9 the
 * node the active merger is connected to, and one merger is active again, never two at once,
 * with a new epoch clients follow. Within ~2 s when the lease stream keeps its leader; when the
 * killed node led the lease stream, after JetStream elects a new one (measured, documented).
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, MERGER_LEASE_BUCKET, openLeaseBucket, subjects } from '../../libs/bus/index.js';
import type { ConsensusBookMessage } from '../../libs/core/index.js';
import { startNatsCluster, type TestNatsCluster } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';
import { FakeCollector } from './merger-collector.js';
import { ConsensusFollower, startHaMerger, watchOverlap, type RunningMerger } from './merger-ha-harness.js';

let cluster: TestNatsCluster | undefined;
let nc: NatsConnection | undefined;
const running: RunningMerger[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  await nc?.close();
  await cluster?.dispose();
});

const ENV = { CONSENSUS_GROUPS: 'SOL-USD@0.01=binance-usdm', MERGER_LEASE_REPLICAS: '3', SNAPSHOT_TIMEOUT_MS: '1000' };

/**
 * A cluster with the lease bucket made, a collector and a client on `clientNode`, and the active
 * merger connected to `activeNode(leader)` (the standby to the remaining node).
 */
async function setUp(activeNode: (leaseLeader: number) => number) {
  const c = (cluster = await startNatsCluster());
  const lead = await connect({ servers: c.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  await waitFor(
    async () => {
      await openLeaseBucket(lead, { ttlMs: 1500, replicas: 3, timeoutMs: 1500 });
      return true;
    },
    { what: 'the lease bucket', timeoutMs: 15_000, intervalMs: 200 },
  );
  const info = await (await lead.jetstreamManager()).streams.info(`KV_${MERGER_LEASE_BUCKET}`);
  await lead.close();
  const leader = Number(/-n(\d+)$/.exec(info.cluster!.leader!)![1]) - 1;
  const activeAt = activeNode(leader);
  const others = [0, 1, 2].filter((i) => i !== activeAt);
  const order = (first: number) => [c.urls[first]!, ...c.urls.filter((_, i) => i !== first)];
  nc = await connect({ servers: order(others[1]!), noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const binance = new FakeCollector(nc, 'binance-usdm');
  binance.serve('SOL-USDT', [['99.5', '1']], [['100.5', '1']]);
  const follower = new ConsensusFollower();
  const all: ConsensusBookMessage[] = [];
  nc.subscribe(subjects.consensusBook('SOL-USD'), {
    callback: (_e, m) => {
      const msg = decodeJson(m.data) as ConsensusBookMessage;
      all.push(msg);
      follower.apply(msg);
    },
  });
  await nc.flush();
  const active = await startHaMerger(order(activeAt), ENV);
  running.push(active);
  await waitFor(() => active.merger.role === 'active', { what: 'the first merger active' });
  const standby = await startHaMerger(order(others[0]!), ENV);
  running.push(standby);
  expect(standby.merger.role).toBe('standby');
  return { c, leader, activeAt, binance, follower, all, active, standby };
}

async function killAndRecover(s: Awaited<ReturnType<typeof setUp>>): Promise<number> {
  const oldEpoch = s.active.merger.epoch;
  const overlap = watchOverlap([s.active, s.standby]);
  const ticker = setInterval(() => s.binance.delta('SOL-USDT', [[(99 + Math.random()).toFixed(2), '1']], []), 50);
  try {
    const t = performance.now();
    await s.c.kill(s.activeAt);
    await waitFor(() => s.all.find((m) => m.epoch > oldEpoch && m.kind === 'snapshot'), { what: 'a new epoch after the node kill', timeoutMs: 20_000 });
    const recovered = performance.now() - t;
    const now = [s.active, s.standby].filter((m) => m.merger.role === 'active');
    expect(now).toHaveLength(1);
    const epoch = now[0]!.merger.epoch;
    await waitFor(() => s.follower.epoch === epoch && s.follower.seq > 3, { what: 'deltas of the new epoch' });
    expect(overlap.overlaps).toBe(0);
    const seqs = s.all.filter((m) => m.epoch === epoch).map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    console.log(`node kill: active again (${now[0] === s.standby ? 'the standby' : 'the old active'}) with a new epoch after ${recovered.toFixed(0)} ms; ${overlap.samples} samples, none with two actives`);
    return recovered;
  } finally {
    clearInterval(ticker);
    overlap.stop();
    s.binance.close();
  }
}

describe('merger active and standby on a three-node cluster', () => {
  it('kill -9 of the active merger’s node (the lease stream keeps its leader): one active again within ~2 s, never two', async () => {
    const s = await setUp((leader) => (leader + 1) % 3);
    expect(await killAndRecover(s)).toBeLessThan(2500);
  });

  it('kill -9 of the node that is both the active merger’s and the lease stream leader: one active after the election, never two', async () => {
    const s = await setUp((leader) => leader);
    expect(await killAndRecover(s)).toBeLessThan(15_000);
  });
});
