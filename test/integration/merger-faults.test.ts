/**
 * The merger's rules end to end on real NATS, with collectors played by FakeCollector: staleness
 * within its threshold + 1 s, `down` ⇒ stale at once, divergence and convergence, a restart that
 * starts a new epoch rebuilt from collector snapshots within 2 s, and two shards that own
 * disjoint symbols.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, encode, subjects } from '../../libs/bus/index.js';
import type { AlertMessage, ConsensusBookMessage } from '../../libs/core/index.js';
import { fnv1a } from '../../libs/consensus/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { loadMergerConfig } from '../../services/merger/config.js';
import { createMerger, type Merger } from '../../services/merger/merger.js';
import { recordJson, startNats, type TestNats } from '../helpers/nats.js';
import { waitFor } from '../helpers/waits.js';
import { FakeCollector } from './merger-collector.js';

let nats: TestNats;
let nc: NatsConnection;
const running: { merger: Merger; conn: NatsConnection }[] = [];
const collectors: FakeCollector[] = [];

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  for (const r of running) {
    await r.merger.stop();
    await r.conn.close();
  }
  for (const c of collectors) c.close();
  await nc?.close();
  await nats?.dispose();
});

function collector(venue: string, symbol: string, mid: number): FakeCollector {
  const c = new FakeCollector(nc, venue);
  c.serve(symbol, [[String(mid - 0.5), '1']], [[String(mid + 0.5), '1']]);
  collectors.push(c);
  return c;
}

async function startMerger(env: Record<string, string>): Promise<Merger> {
  const conn = await connect({ servers: nats.url });
  const config = loadMergerConfig({ NATS_URL: nats.url, MERGER_PORT: '0', SNAPSHOT_TIMEOUT_MS: '300', MERGER_TICK_MS: '50', MERGER_LIQUIDATIONS: 'none', ...env });
  const merger = createMerger(config, { nc: conn, log: createLogger('merger', 'silent'), registry: createRegistry('merger') });
  await merger.start();
  running.push({ merger, conn });
  return merger;
}

async function stopMerger(m: Merger): Promise<void> {
  const i = running.findIndex((r) => r.merger === m);
  const [r] = running.splice(i, 1);
  await r!.merger.stop();
  await r!.conn.close();
}

describe('merger rules on real NATS', () => {
  it('a silent venue is STALE within its threshold + 1 s and RECOVERED by its next delta', async () => {
    const a = collector('binance-usdm', 'SOL-USDT', 100);
    collector('okx-swap', 'SOL-USDT', 100);
    const alerts = recordJson<AlertMessage>(nc, subjects.consensusAlert('SOL-USD'));
    await nc.flush();
    await startMerger({ CONSENSUS_GROUPS: 'SOL-USD@0.01=binance-usdm,okx-swap', STALE_AFTER_MS: '1000', STALE_AFTER_MS_OVERRIDES: 'okx-swap:60000' });
    const silentSince = Date.now();
    const stale = await waitFor(() => alerts.find((x) => x.kind === 'STALE'), { what: 'STALE', timeoutMs: 3000 });
    expect(stale).toMatchObject({ venue: 'binance-usdm', priority: 'P0', detail: { reason: 'silent' } });
    expect(Date.now() - silentSince).toBeLessThan(1000 + 1000);
    a.delta('SOL-USDT', [['99.5', '2']], []);
    await waitFor(() => alerts.find((x) => x.kind === 'RECOVERED' && x.venue === 'binance-usdm'), { what: 'RECOVERED' });
    expect(alerts.filter((x) => x.venue === 'okx-swap')).toEqual([]);
  });

  it('a collector `down` status makes its books stale at once, not after the threshold', async () => {
    const a = collector('bybit-linear', 'ADA-USDT', 1);
    collector('okx-swap', 'ADA-USDT', 1);
    const alerts = recordJson<AlertMessage>(nc, subjects.consensusAlert('ADA-USD'));
    const books = recordJson<ConsensusBookMessage>(nc, subjects.consensusBook('ADA-USD'));
    await nc.flush();
    await startMerger({ CONSENSUS_GROUPS: 'ADA-USD@0.0001=bybit-linear,okx-swap', STALE_AFTER_MS: '60000' });
    await waitFor(() => books[0], { what: 'first snapshot' });
    const t = Date.now();
    a.status('down');
    const stale = await waitFor(() => alerts.find((x) => x.kind === 'STALE'), { what: 'STALE on down' });
    expect(stale).toMatchObject({ venue: 'bybit-linear', detail: { reason: 'down' } });
    expect(Date.now() - t).toBeLessThan(500);
    const d = await waitFor(() => books.find((b) => b.venues?.['bybit-linear']?.stale), { what: 'view flagged stale' });
    expect(d.venues!['bybit-linear']).toMatchObject({ state: 'down', member: false });
    // its sizes stay listed beside the totals, out of them
    expect(d.bids.find((l) => l[0] === '0.5')).toEqual(['0.5', '1', { 'bybit-linear': '1', 'okx-swap': '1' }]);
  });

  it('raises DIVERGENCE above the threshold after the minimum duration and CONVERGED below the lower one', async () => {
    collector('binance-usdm', 'DOT-USDT', 1000);
    collector('okx-swap', 'DOT-USDT', 1000);
    const c = collector('hyperliquid', 'DOT-USDC', 1000);
    const alerts = recordJson<AlertMessage>(nc, subjects.consensusAlert('DOT-USD'));
    await nc.flush();
    await startMerger({ CONSENSUS_GROUPS: 'DOT-USD@0.1=binance-usdm,okx-swap,hyperliquid', DIVERGENCE_MIN_MS: '300' });
    const t = Date.now();
    // mid 1003.5: 35 bps from the median 1000
    c.delta('DOT-USDC', [['999.5', '0'], ['1003', '1']], [['1000.5', '0'], ['1004', '1']]);
    const div = await waitFor(() => alerts.find((x) => x.kind === 'DIVERGENCE'), { what: 'DIVERGENCE' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(300);
    expect(div).toMatchObject({ venue: 'hyperliquid', priority: 'P1', detail: { mid: '1003.5', consensus_mid: '1000' } });
    // 27 bps: inside the band, stays divergent
    c.delta('DOT-USDC', [['1003', '0'], ['1002.2', '1']], [['1004', '0'], ['1003.2', '1']]);
    await new Promise((r) => setTimeout(r, 500));
    expect(alerts.filter((x) => x.kind === 'CONVERGED')).toEqual([]);
    c.delta('DOT-USDC', [['1002.2', '0'], ['1001', '1']], [['1003.2', '0'], ['1002', '1']]);
    await waitFor(() => alerts.find((x) => x.kind === 'CONVERGED' && x.venue === 'hyperliquid'), { what: 'CONVERGED' });
  });

  it('a restarted merger starts a new epoch with a snapshot rebuilt from collector snapshots within 2 s', async () => {
    const a = collector('binance-usdm', 'XRP-USDT', 2);
    collector('okx-swap', 'XRP-USDT', 2);
    const books = recordJson<ConsensusBookMessage>(nc, subjects.consensusBook('XRP-USD'));
    await nc.flush();
    const env = { CONSENSUS_GROUPS: 'XRP-USD@0.001=binance-usdm,okx-swap' };
    const first = await startMerger(env);
    a.delta('XRP-USDT', [['1.4', '7']], []);
    await waitFor(() => books.find((b) => b.bids.some((l) => l[0] === '1.4')), { what: 'delta before restart' });
    await stopMerger(first);
    a.delta('XRP-USDT', [['1.3', '9']], []); // while no merger runs
    const t = Date.now();
    const second = await startMerger(env);
    const snap = await waitFor(() => books.find((b) => b.epoch === second.epoch), { what: 'new epoch' });
    expect(Date.now() - t).toBeLessThan(2000);
    expect(second.epoch).toBeGreaterThan(first.epoch);
    expect(snap).toMatchObject({ kind: 'snapshot', seq: 1 });
    expect(snap.bids).toEqual([
      ['1.5', '2', { 'binance-usdm': '1', 'okx-swap': '1' }],
      ['1.4', '7', { 'binance-usdm': '7' }],
      ['1.3', '9', { 'binance-usdm': '9' }],
    ]);
    expect(Object.values(snap.venues!).every((v) => v.member)).toBe(true);
  });

  it('two shards on one NATS own disjoint symbols that together cover all of them', async () => {
    const symbols = ['AAA-USD', 'BBB-USD', 'CCC-USD', 'DDD-USD', 'EEE-USD', 'FFF-USD'];
    for (const s of symbols) collector('binance-usdm', `${s.split('-')[0]}-USDT`, 10);
    await nc.flush();
    const env = { CONSENSUS_GROUPS: symbols.map((s) => `${s}@0.01=binance-usdm`).join(';') };
    const s0 = await startMerger({ ...env, MERGER_SHARD: '0/2' });
    const s1 = await startMerger({ ...env, MERGER_SHARD: '1/2' });
    const own0 = [...s0.books.keys()];
    const own1 = [...s1.books.keys()];
    expect(own0.length).toBeGreaterThan(0);
    expect(own1.length).toBeGreaterThan(0);
    expect([...own0, ...own1].sort()).toEqual(symbols);
    expect(own0.filter((s) => own1.includes(s))).toEqual([]);
    expect(own0.every((s) => fnv1a(s) % 2 === 0)).toBe(true);
    // each symbol is answered, by its owner alone: a snapshot request gets exactly one epoch
    for (const s of symbols) {
      const reply = decodeJson((await nc.request(subjects.consensusSnapshot(s), encode({}))).data) as ConsensusBookMessage;
      expect(reply.epoch).toBe(own0.includes(s) ? s0.epoch : s1.epoch);
      expect(reply.bids).toEqual([['9.5', '1', { 'binance-usdm': '1' }]]);
    }
  });
});
