import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, encode, subjects, LIQ_STREAM } from '../../libs/bus/index.js';
import type { AlertMessage, ConsensusBookMessage, ConsensusTradeMessage, LiquidationMessage } from '../../libs/core/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { loadMergerConfig } from '../../services/merger/config.js';
import { createMerger, type Merger } from '../../services/merger/merger.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { waitFor, sleep } from '../helpers/waits.js';
import { FakeCollector } from './merger-collector.js';

const GROUPS = 'BTC-USD@0.1/20=binance-usdm,okx-swap,hyperliquid';

let nats: TestNats;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNats();
  nc = await connect({ servers: nats.url });
});
afterAll(async () => {
  await nc?.close();
  await nats?.dispose();
});

function record<T>(subject: string): T[] {
  const out: T[] = [];
  nc.subscribe(subject, { callback: (_e, m) => out.push(decodeJson(m.data) as T) });
  return out;
}

async function startMerger(env: Record<string, string>): Promise<{ merger: Merger; conn: NatsConnection }> {
  const conn = await connect({ servers: nats.url });
  const config = loadMergerConfig({ NATS_URL: nats.url, CONSENSUS_GROUPS: GROUPS, MERGER_PORT: '0', SNAPSHOT_TIMEOUT_MS: '300', MERGER_TICK_MS: '50', ...env });
  const merger = createMerger(config, { nc: conn, log: createLogger('merger', process.env['TLOG'] ?? 'silent'), registry: createRegistry('merger') });
  await merger.start();
  return { merger, conn };
}

describe('merger on real NATS', () => {
  it('rebuilds from collector snapshots, publishes a snapshot then contiguous deltas, answers snapshot requests', async () => {
    const binance = new FakeCollector(nc, 'binance-usdm');
    const okx = new FakeCollector(nc, 'okx-swap');
    binance.serve('BTC-USDT', [['100.05', '1']], [['100.15', '2']]);
    okx.serve('BTC-USDT', [['100.0', '0.5']], [['100.2', '1']]);
    await nc.flush();
    const books = record<ConsensusBookMessage>(subjects.consensusBook('BTC-USD'));
    await nc.flush();
    const t0 = Date.now();
    const { merger, conn } = await startMerger({});
    try {
      const first = await waitFor(() => books[0], { what: 'first consensus message' });
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(first).toMatchObject({ kind: 'snapshot', seq: 1, epoch: merger.epoch });
      expect(first.bids).toEqual([['100', '1.5', { 'binance-usdm': '1', 'okx-swap': '0.5' }]]);
      expect(first.asks).toEqual([['100.2', '3', { 'binance-usdm': '2', 'okx-swap': '1' }]]);
      binance.delta('BTC-USDT', [['100.05', '0'], ['99.91', '4']], []);
      const d = await waitFor(() => books.find((b) => b.kind === 'delta'), { what: 'a delta' });
      expect(d.seq).toBe(2);
      expect(d.bids).toEqual(expect.arrayContaining([['100', '0.5', { 'okx-swap': '0.5' }], ['99.9', '4', { 'binance-usdm': '4' }]]));
      const reply = decodeJson((await nc.request(subjects.consensusSnapshot('BTC-USD'), encode({ depth: 1 }))).data) as ConsensusBookMessage;
      expect(reply).toMatchObject({ kind: 'snapshot', seq: 2, depth: 1, epoch: merger.epoch });
      expect(reply.bids).toEqual([['100', '0.5', { 'okx-swap': '0.5' }]]);
      const empty = decodeJson((await nc.request(subjects.consensusSnapshot('BTC-USD'), new Uint8Array(0))).data) as ConsensusBookMessage;
      expect(empty.bids).toHaveLength(2);
    } finally {
      await merger.stop();
      await conn.close();
      binance.close();
      okx.close();
    }
  });

  it('a gap makes the merger ask for a snapshot, with a RESYNC alert, and the venue comes back', async () => {
    const binance = new FakeCollector(nc, 'binance-usdm');
    binance.serve('BTC-USDT', [['100', '1']], [['101', '1']]);
    const alerts = record<AlertMessage>(subjects.consensusAlert('BTC-USD'));
    const books = record<ConsensusBookMessage>(subjects.consensusBook('BTC-USD'));
    await nc.flush();
    const { merger, conn } = await startMerger({});
    try {
      const asked = binance.snapshotRequests;
      binance.delta('BTC-USDT', [['100', '2']], [], { publish: false }); // lost
      binance.delta('BTC-USDT', [['100', '3']], []);
      await waitFor(() => alerts.find((a) => a.kind === 'RESYNC' && a.venue === 'binance-usdm'), { what: 'RESYNC alert' });
      await waitFor(() => binance.snapshotRequests > asked, { what: 'a snapshot request' });
      await waitFor(() => books.at(-1)?.bids.find((l) => l[0] === '100' && l[1] === '3'), { what: 'recovered level' });
      const seqs = books.map((b) => b.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await merger.stop();
      await conn.close();
      binance.close();
    }
  });

  it('publishes each liquidation once, in order, into JetStream with the venue-prefixed id', async () => {
    const bybit = new FakeCollector(nc, 'bybit-linear');
    const liqs = record<LiquidationMessage>(subjects.consensusLiq());
    await nc.flush();
    const { merger, conn } = await startMerger({ CONSENSUS_GROUPS: 'BTC-USD@0.1=bybit-linear' });
    try {
      bybit.liquidation('BTC-USDT', 'a1', '100', '0.5');
      bybit.liquidation('BTC-USDT', 'a1', '100', '0.5');
      bybit.liquidation('BTC-USDT', 'a2', '101', '1', '101');
      await waitFor(() => liqs.length >= 2, { what: 'two liquidations' });
      await sleep(100);
      expect(liqs.map((l) => [l.id, l.notional_usd])).toEqual([
        ['bybit-linear:a1', '50'],
        ['bybit-linear:a2', '101'],
      ]);
      const jsm = await nc.jetstreamManager();
      const info = await jsm.streams.info(LIQ_STREAM);
      expect(info.state.messages).toBeGreaterThanOrEqual(2);
    } finally {
      await merger.stop();
      await conn.close();
      bybit.close();
    }
  });

  it('a trade whose hold ends while the merger is still starting is not published and does not stop it', async () => {
    // a collector that never answers keeps start waiting SNAPSHOT_TIMEOUT_MS for the first snapshots,
    // while the trade subscriptions are already in place (before the fix: TypeError, no lease yet)
    const silent = nc.subscribe(subjects.venueSnapshots('binance-usdm'), { callback: () => undefined });
    const binance = new FakeCollector(nc, 'binance-usdm');
    const tape = record<ConsensusTradeMessage>(subjects.consensusTrade('BTC-USD'));
    await nc.flush();
    let started = false;
    const starting = startMerger({ TRADE_HOLD_MS: '10' }).finally(() => (started = true));
    for (let id = 1; !started; id++) {
      binance.trade('BTC-USDT', String(id), '100.5', '0.1', 5000 + id);
      await sleep(20);
    }
    const { merger, conn } = await starting;
    try {
      expect(merger.role).toBe('active');
      await sleep(50);
      const held = tape.length;
      binance.trade('BTC-USDT', 'after', '101', '1', 9000);
      await waitFor(() => tape.length > held, { what: 'a print once started' });
      expect(tape.at(-1)).toMatchObject({ price: '101', qty: '1' });
    } finally {
      silent.unsubscribe();
      await merger.stop();
      await conn.close();
    }
  });

  it('merges trades with the same ts and price across venues and drops exact duplicates', async () => {
    const binance = new FakeCollector(nc, 'binance-usdm');
    const okx = new FakeCollector(nc, 'okx-swap');
    const tape = record<ConsensusTradeMessage>(subjects.consensusTrade('BTC-USD'));
    await nc.flush();
    const { merger, conn } = await startMerger({ TRADE_HOLD_MS: '100' });
    try {
      binance.trade('BTC-USDT', '1', '100.5', '0.1', 5000);
      okx.trade('BTC-USDT', 'x', '100.50', '0.2', 5000);
      binance.trade('BTC-USDT', '1', '100.5', '0.1', 5000);
      binance.trade('BTC-USDT', '2', '100.6', '1', 5001);
      await waitFor(() => tape.length >= 2, { what: 'two prints' });
      await sleep(150);
      expect(tape.map((t) => [t.price, t.qty, t.venues])).toEqual([
        ['100.5', '0.3', ['binance-usdm', 'okx-swap']],
        ['100.6', '1', ['binance-usdm']],
      ]);
    } finally {
      await merger.stop();
      await conn.close();
    }
  });
});
