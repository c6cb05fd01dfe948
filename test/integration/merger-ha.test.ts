/**
 * Active and standby mergers on one shard (issue 14 item 2), on real NATS: exactly one publishes,
 * the standby's books stay warm, it takes over within the lease TTL with a new epoch that clients
 * follow by the protocol they already speak, and an old active that cannot renew has stopped
 * publishing before the other can hold the lease.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, encode, LIQ_STREAM, subjects } from '../../libs/bus/index.js';
import type { ConsensusBookMessage, LiquidationMessage } from '../../libs/core/index.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { FakeCollector } from './merger-collector.js';
import { bookLevels, ConsensusFollower, freezableProxy, startHaMerger, watchOverlap, type RunningMerger } from './merger-ha-harness.js';

const TTL_MS = 1000;
const LEASE = { MERGER_LEASE_TTL_MS: String(TTL_MS), MERGER_LEASE_RENEW_MS: '200', MERGER_LEASE_MARGIN_MS: '200' };

let nats: TestNats;
let nc: NatsConnection;
const running: RunningMerger[] = [];
const collectors: FakeCollector[] = [];

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  for (const c of collectors.splice(0)) c.close();
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

function follow(csym: string): { follower: ConsensusFollower; all: ConsensusBookMessage[] } {
  const follower = new ConsensusFollower();
  const all: ConsensusBookMessage[] = [];
  nc.subscribe(subjects.consensusBook(csym), {
    callback: (_e, m) => {
      const msg = decodeJson(m.data) as ConsensusBookMessage;
      all.push(msg);
      follower.apply(msg);
    },
  });
  return { follower, all };
}

function venue(name: string, symbol: string, mid: number): FakeCollector {
  const c = new FakeCollector(nc, name);
  c.serve(symbol, [[String(mid - 0.5), '1']], [[String(mid + 0.5), '1']]);
  collectors.push(c);
  return c;
}

async function pair(env: Record<string, string>, servers: [string, string] = [nats.url, nats.url]): Promise<[RunningMerger, RunningMerger]> {
  const a = await startHaMerger(servers[0], { ...LEASE, ...env });
  running.push(a);
  const b = await startHaMerger(servers[1], { ...LEASE, ...env });
  running.push(b);
  return [a, b];
}

describe('merger active and standby on one shard', () => {
  it('exactly one is active (healthz says so), and the standby keeps its books equal to the active one', async () => {
    const binance = venue('binance-usdm', 'SOL-USDT', 100);
    venue('okx-swap', 'SOL-USDT', 100);
    const { follower } = follow('SOL-USD');
    await nc.flush();
    const [a, b] = await pair({ CONSENSUS_GROUPS: 'SOL-USD@0.01=binance-usdm,okx-swap', MERGER_SHARD: '0/1' });
    expect([a.merger.role, b.merger.role].sort()).toEqual(['active', 'standby']);
    const [ha, hb] = [await a.health(), await b.health()];
    expect([ha.role, hb.role].sort()).toEqual(['active', 'standby']);
    expect(ha).toMatchObject({ ok: true, shard: '0/1' });
    const [active, standby] = a.merger.role === 'active' ? [a, b] : [b, a];
    for (let i = 0; i < 20; i++) binance.delta('SOL-USDT', [[(99 - i * 0.01).toFixed(2), String(i + 1)]], []);
    await waitFor(() => follower.bids.get('98.81'), { what: 'the last delta at the client' });
    await sleep(100);
    expect(bookLevels(standby.merger, 'SOL-USD')).toEqual(bookLevels(active.merger, 'SOL-USD'));
    expect(follower.levels().bids).toEqual(bookLevels(active.merger, 'SOL-USD').bids);
    expect(standby.published).toEqual([]);
    // the standby answers no snapshot request: every reply carries the active's epoch
    for (let i = 0; i < 6; i++) {
      const reply = decodeJson((await nc.request(subjects.consensusSnapshot('SOL-USD'), encode({}))).data) as ConsensusBookMessage;
      expect(reply.epoch).toBe(active.merger.epoch);
    }
  });

  it('when the active dies, the standby takes over within the TTL with a higher epoch and clients follow it', async () => {
    const binance = venue('binance-usdm', 'ADA-USDT', 10);
    venue('okx-swap', 'ADA-USDT', 10);
    const { follower, all } = follow('ADA-USD');
    await nc.flush();
    const [a, b] = await pair({ CONSENSUS_GROUPS: 'ADA-USD@0.01=binance-usdm,okx-swap' });
    const [active, standby] = a.merger.role === 'active' ? [a, b] : [b, a];
    const oldEpoch = active.merger.epoch;
    binance.delta('ADA-USDT', [['9.4', '3']], []);
    await waitFor(() => follower.bids.get('9.4'), { what: 'a delta of the first epoch' });
    // death without a goodbye: the connection goes, the lease is not released
    const killedAt = performance.now();
    await active.conn.close();
    binance.delta('ADA-USDT', [['9.3', '4']], []); // while nobody publishes: the standby applies it
    const snap = await waitFor(() => all.find((m) => m.epoch > oldEpoch), { what: 'the new epoch', timeoutMs: 5000 });
    const takeoverMs = performance.now() - killedAt;
    console.log(`takeover after the active's death: ${takeoverMs.toFixed(0)} ms (TTL ${TTL_MS} ms)`);
    expect(takeoverMs).toBeLessThan(TTL_MS + 500);
    expect(standby.merger.role).toBe('active');
    expect((await standby.health()).role).toBe('active');
    expect(snap).toMatchObject({ kind: 'snapshot', seq: 1, epoch: standby.merger.epoch });
    expect(snap.bids.map((l) => l[0])).toEqual(['9.5', '9.4', '9.3']);
    binance.delta('ADA-USDT', [['9.2', '5']], []);
    binance.delta('ADA-USDT', [['9.4', '0']], []);
    await waitFor(() => follower.bids.get('9.2') && !follower.bids.has('9.4'), { what: 'deltas of the new epoch' });
    expect(follower.breaks).toBe(0);
    expect(follower.epoch).toBe(standby.merger.epoch);
    expect(follower.levels().bids).toEqual(bookLevels(standby.merger, 'ADA-USD').bids);
  });

  it('an active whose renewals stall stops publishing before the other can hold the lease', async () => {
    const binance = venue('binance-usdm', 'DOT-USDT', 5);
    const { all } = follow('DOT-USD');
    await nc.flush();
    const proxy = await freezableProxy(nats.port);
    try {
      const a = await startHaMerger(proxy.url, { ...LEASE, CONSENSUS_GROUPS: 'DOT-USD@0.01=binance-usdm' });
      running.push(a);
      const b = await startHaMerger(nats.url, { ...LEASE, CONSENSUS_GROUPS: 'DOT-USD@0.01=binance-usdm' });
      running.push(b);
      expect(a.merger.role).toBe('active');
      const ticker = setInterval(() => binance.delta('DOT-USDT', [[(4 + Math.random()).toFixed(2), '1']], []), 20);
      const overlap = watchOverlap([a, b]);
      let demotedAt = Infinity;
      const roles = setInterval(() => {
        if (a.merger.role === 'standby') demotedAt = Math.min(demotedAt, performance.now());
      }, 2);
      try {
        proxy.freeze();
        const frozenAt = performance.now();
        await waitFor(() => b.merger.role === 'active', { what: 'the standby to take over', timeoutMs: 5000 });
        const takeoverAt = performance.now();
        // the stalled one demoted itself (its fence closed) before the other held the lease
        expect(demotedAt).toBeLessThan(takeoverAt);
        console.log(`stalled active demoted ${(demotedAt - frozenAt).toFixed(0)} ms into the stall`);
        const lastOld = Math.max(...a.published.map((p) => p.at));
        const firstNew = Math.min(...b.published.map((p) => p.at));
        console.log(`stalled active: last publish ${(lastOld - frozenAt).toFixed(0)} ms after the stall, takeover ${(takeoverAt - frozenAt).toFixed(0)} ms after, first new publish ${(firstNew - frozenAt).toFixed(0)} ms after`);
        expect(a.merger.role).toBe('standby');
        expect(lastOld).toBeLessThan(firstNew);
        expect(lastOld - frozenAt).toBeLessThan(TTL_MS);
        proxy.thaw();
        await sleep(600);
        // back on the bus, the old active stays standby: the lease is the other's
        expect(a.merger.role).toBe('standby');
        expect(Math.max(...a.published.map((p) => p.at))).toBe(lastOld);
        expect(all.at(-1)!.epoch).toBe(b.merger.epoch);
        expect(overlap.overlaps).toBe(0);
      } finally {
        clearInterval(ticker);
        clearInterval(roles);
        overlap.stop();
      }
    } finally {
      await proxy.close();
    }
  });

  it('liquidations: only the active reads the durable, and across a takeover each lands in the log exactly once', async () => {
    const bybit = venue('bybit-linear', 'LTC-USDT', 90);
    await nc.flush();
    const [a, b] = await pair({ CONSENSUS_GROUPS: 'LTC-USD@0.01=bybit-linear', MERGER_LIQUIDATIONS: 'owned' });
    const [active, standby] = a.merger.role === 'active' ? [a, b] : [b, a];
    const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `ha-${from + i}`);
    for (const id of ids(0, 5)) bybit.liquidation('LTC-USDT', id, '90', '1');
    const jsm = await nc.jetstreamManager();
    const logged = async (): Promise<string[]> => {
      const { state } = await jsm.streams.info(LIQ_STREAM);
      const out: string[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const m = await jsm.streams.getMessage(LIQ_STREAM, { seq }).catch(() => undefined);
        const l = m ? (decodeJson(m.data) as LiquidationMessage) : undefined;
        if (l?.venue === 'bybit-linear' && l.symbol === 'LTC-USDT') out.push(l.id);
      }
      return out;
    };
    await waitFor(async () => (await logged()).length >= 5, { what: 'the first liquidations in the log' });
    await active.conn.close();
    for (const id of ids(5, 5)) bybit.liquidation('LTC-USDT', id, '90', '1'); // while nobody is active
    await waitFor(() => standby.merger.role === 'active', { what: 'the takeover', timeoutMs: 5000 });
    for (const id of ids(10, 5)) bybit.liquidation('LTC-USDT', id, '90', '1');
    const want = ids(0, 15).map((id) => `bybit-linear:${id}`);
    await waitFor(async () => (await logged()).length >= 15, { what: 'every liquidation in the log', timeoutMs: 10_000 });
    await sleep(300);
    // exactly once each; not necessarily in sending order: what the server had handed the dead
    // active's pull (unacked) comes back after the ack wait, behind what the new active read first
    const got = await logged();
    expect(got).toHaveLength(want.length);
    expect([...got].sort()).toEqual([...want].sort());
  });

  it('MERGER_HA=off: the only merger of its shard is active at once, with no lease', async () => {
    venue('binance-usdm', 'LINK-USDT', 20);
    const { all } = follow('LINK-USD');
    await nc.flush();
    const m = await startHaMerger(nats.url, { CONSENSUS_GROUPS: 'LINK-USD@0.01=binance-usdm', MERGER_HA: 'off' });
    running.push(m);
    expect(m.merger.role).toBe('active');
    expect(await m.health()).toMatchObject({ role: 'active' });
    await waitFor(() => all.find((x) => x.epoch === m.merger.epoch && x.kind === 'snapshot'), { what: 'its first snapshot' });
  });

  it('a clean stop hands the lease over at once', async () => {
    venue('binance-usdm', 'XRP-USDT', 2);
    await nc.flush();
    const [a, b] = await pair({ CONSENSUS_GROUPS: 'XRP-USD@0.001=binance-usdm' });
    const [active, standby] = a.merger.role === 'active' ? [a, b] : [b, a];
    const t = performance.now();
    await active.stop();
    await waitFor(() => standby.merger.role === 'active', { what: 'takeover after a clean stop' });
    expect(performance.now() - t).toBeLessThan(TTL_MS);
  });

  it('a NATS restart loses the lease store (memory): the merger opens it again and is active with a new epoch', async () => {
    const own = await startNats();
    const conn = await connect({ servers: own.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const c = new FakeCollector(conn, 'okx-swap');
      c.serve('BNB-USDT', [['599.5', '1']], [['600.5', '1']]);
      const books: ConsensusBookMessage[] = [];
      conn.subscribe(subjects.consensusBook('BNB-USD'), { callback: (_e, m) => books.push(decodeJson(m.data) as ConsensusBookMessage) });
      await conn.flush();
      const m = await startHaMerger(own.url, { ...LEASE, CONSENSUS_GROUPS: 'BNB-USD@0.01=okx-swap' });
      running.push(m);
      const first = m.merger.epoch;
      expect(m.merger.role).toBe('active');
      await own.restart();
      await waitFor(() => m.merger.role === 'active' && m.merger.epoch > first, { what: 'active again after the restart', timeoutMs: 10_000 });
      await waitFor(() => books.find((b) => b.epoch === m.merger.epoch && b.kind === 'snapshot'), { what: 'the new epoch on the bus' });
      c.close();
    } finally {
      await conn.close();
      for (const r of running.splice(0)) await r.stop();
      await own.dispose();
    }
  });
});
