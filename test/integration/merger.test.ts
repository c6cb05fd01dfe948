import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from 'nats';
import { decodeJson, encode, subjects, LIQ_STREAM } from '../../libs/bus/index.js';
import type { AlertMessage, ConsensusBookMessage, ConsensusTradeMessage, LiquidationMessage } from '../../libs/core/index.js';
import { createLogger, createRegistry } from '../../libs/obs/index.js';
import { loadMergerConfig } from '../../services/merger/config.js';
import { createMerger, type Merger } from '../../services/merger/merger.js';
import { recordJson, startNats, type TestNats } from '../helpers/nats.js';
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

/** what a test started, stopped after it in reverse order (the merger before its collectors) */
const started: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of started.splice(0).reverse()) await stop();
});

function collector(venue: string): FakeCollector {
  const c = new FakeCollector(nc, venue);
  started.push(() => c.close());
  return c;
}

async function startMerger(env: Record<string, string>): Promise<Merger> {
  const conn = await connect({ servers: nats.url });
  const config = loadMergerConfig({ NATS_URL: nats.url, CONSENSUS_GROUPS: GROUPS, MERGER_PORT: '0', SNAPSHOT_TIMEOUT_MS: '300', MERGER_TICK_MS: '50', ...env });
  const merger = createMerger(config, { nc: conn, log: createLogger('merger', process.env['TLOG'] ?? 'silent'), registry: createRegistry('merger') });
  await merger.start();
  started.push(async () => {
    await merger.stop();
    await conn.close();
  });
  return merger;
}

describe('merger on real NATS', () => {
  it('rebuilds from collector snapshots, publishes a snapshot then contiguous deltas, answers snapshot requests', async () => {
    const binance = collector('binance-usdm');
    const okx = collector('okx-swap');
    binance.serve('BTC-USDT', [['100.05', '1']], [['100.15', '2']]);
    okx.serve('BTC-USDT', [['100.0', '0.5']], [['100.2', '1']]);
    await nc.flush();
    const books = recordJson<ConsensusBookMessage>(nc, subjects.consensusBook('BTC-USD'));
    await nc.flush();
    const t0 = Date.now();
    const merger = await startMerger({});
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
  });

  it('a gap makes the merger ask for a snapshot, with a RESYNC alert, and the venue comes back', async () => {
    const binance = collector('binance-usdm');
    binance.serve('BTC-USDT', [['100', '1']], [['101', '1']]);
    const alerts = recordJson<AlertMessage>(nc, subjects.consensusAlert('BTC-USD'));
    const books = recordJson<ConsensusBookMessage>(nc, subjects.consensusBook('BTC-USD'));
    await nc.flush();
    await startMerger({});
    const asked = binance.snapshotRequests;
    binance.delta('BTC-USDT', [['100', '2']], [], { publish: false }); // lost
    binance.delta('BTC-USDT', [['100', '3']], []);
    await waitFor(() => alerts.find((a) => a.kind === 'RESYNC' && a.venue === 'binance-usdm'), { what: 'RESYNC alert' });
    await waitFor(() => binance.snapshotRequests > asked, { what: 'a snapshot request' });
    await waitFor(() => books.at(-1)?.bids.find((l) => l[0] === '100' && l[1] === '3'), { what: 'recovered level' });
    const seqs = books.map((b) => b.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('publishes each liquidation once, in order, into JetStream with the venue-prefixed id', async () => {
    const bybit = collector('bybit-linear');
    const liqs = recordJson<LiquidationMessage>(nc, subjects.consensusLiq());
    await nc.flush();
    await startMerger({ CONSENSUS_GROUPS: 'BTC-USD@0.1=bybit-linear' });
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
  });

  it('a trade whose hold ends while the merger is still starting is not published and does not stop it', async () => {
    // a collector that never answers keeps start waiting SNAPSHOT_TIMEOUT_MS for the first snapshots,
    // while the trade subscriptions are already in place (before the fix: TypeError, no lease yet)
    const silent = nc.subscribe(subjects.venueSnapshots('binance-usdm'), { callback: () => undefined });
    started.push(() => silent.unsubscribe());
    const binance = collector('binance-usdm');
    const tape = recordJson<ConsensusTradeMessage>(nc, subjects.consensusTrade('BTC-USD'));
    await nc.flush();
    let up = false;
    const starting = startMerger({ TRADE_HOLD_MS: '10' }).finally(() => (up = true));
    for (let id = 1; !up; id++) {
      binance.trade('BTC-USDT', String(id), '100.5', '0.1', 5000 + id);
      await sleep(20);
    }
    const merger = await starting;
    expect(merger.role).toBe('active');
    await sleep(50);
    const held = tape.length;
    binance.trade('BTC-USDT', 'after', '101', '1', 9000);
    await waitFor(() => tape.length > held, { what: 'a print once started' });
    expect(tape.at(-1)).toMatchObject({ price: '101', qty: '1' });
  });

  it('merges trades with the same ts and price across venues and drops exact duplicates', async () => {
    const binance = collector('binance-usdm');
    const okx = collector('okx-swap');
    const tape = recordJson<ConsensusTradeMessage>(nc, subjects.consensusTrade('BTC-USD'));
    await nc.flush();
    await startMerger({ TRADE_HOLD_MS: '100' });
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
  });
});
