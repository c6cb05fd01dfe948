/**
 * Durable liquidations (issue 13 item 3), in-process services on a real NATS: a liquidation the
 * venue sent to a running collector reaches a firehose reader exactly once although the merger
 * starts after the collector, NATS restarts, the merger restarts and the firehose restarts in
 * between. Judged against the simulator's own record (`GET /truth/liquidations`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startNats, type TestNats } from '../helpers/nats.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { compareLiquidations, fetchSentLiquidations } from '../../bench/lib/faults/liquidations.js';
import { FirehoseReader } from '../../bench/lib/faults/firehose-reader.js';
import { main as simulatorMain } from '../../services/simulator/main.js';
import { main as collectorMain } from '../../services/collector/main.js';
import { main as mergerMain } from '../../services/merger/main.js';
import { main as firehoseMain } from '../../services/firehose/main.js';

type Running = { stop(): Promise<void>; listening: Record<string, string> };

const KEY = 'durable';
const VENUES = ['binance-usdm', 'bybit-linear'];

describe('durable liquidations from the collector on', () => {
  let nats: TestNats;
  let sim: Running;
  let collector: Running;
  let merger: Running | undefined;
  let firehose: Running | undefined;
  let simUrl = '';
  let firehosePort = 0;
  let base: Record<string, string> = {};
  const startMerger = async () => (merger = await mergerMain({ ...base, MERGER_PORT: '0', CONSENSUS_GROUPS: `BTC-USD@0.1/10=${VENUES.join(',')}` }));
  const startFirehose = async () => (firehose = await firehoseMain({ ...base, FIREHOSE_PORT: String(firehosePort), FIREHOSE_API_KEYS: KEY }));

  beforeAll(async () => {
    nats = await startNats();
    base = { NATS_URL: nats.url, LOG_LEVEL: 'silent' };
    firehosePort = await freePort();
    sim = await simulatorMain({ ...base, SIM_PORT: '0', SIM_VENUES: VENUES.join(','), SIM_BASES: 'BTC', SIM_SEED: '13', SIM_BOOK_UPDATES_PER_S: '20', SIM_LIQUIDATIONS_PER_S: '15' });
    simUrl = sim.listening['control']!.replace(/\/control$/, '');
  }, 30_000);

  afterAll(async () => {
    for (const p of [firehose, merger, collector, sim]) await p?.stop().catch(() => undefined);
    await nats?.dispose();
  });

  it('the simulator lists what it sent, and refuses a bad query', async () => {
    const bad = await fetch(`${simUrl}/truth/liquidations?venue=nope`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    expect((await fetch(`${simUrl}/truth/liquidations?since=-1`)).status).toBe(400);
    expect((await fetch(`${simUrl}/truth/liquidations?since=soon`)).status).toBe(400);
    await sleep(300);
    const all = await fetchSentLiquidations(simUrl);
    expect(all.length).toBeGreaterThan(0);
    expect(all[0]).toEqual({ venue: expect.any(String), id: expect.stringMatching(/^[a-z-]+:.+-\d+-(buy|sell)-[\d.]+-[\d.]+$/), symbol: 'BTC-USDT', ts: expect.any(Number) });
    const later = all[all.length - 1]!.ts;
    expect((await fetchSentLiquidations(simUrl, { venue: 'bybit-linear', since: later })).every((l) => l.venue === 'bybit-linear' && l.ts >= later)).toBe(true);
  });

  it('nothing is lost or duplicated across a late merger, a NATS restart, a merger restart and a firehose restart', async () => {
    collector = await collectorMain({ ...base, COLLECTOR_PORT: '0', COLLECTOR_VENUES: VENUES.join(','), COLLECTOR_BASES: 'BTC', COLLECTOR_SIMULATOR_URL: simUrl });
    const ready = collector.listening['collector']!;
    await waitFor(async () => (await fetch(`${ready}/readyz`)).ok, { timeoutMs: 20_000, what: 'the collector ready' });
    await sleep(1000); // every venue socket subscribed
    const since = Date.now();

    await sleep(1500); // the collector alone: its liquidations wait in JetStream
    await startMerger();
    await startFirehose();
    const reader = new FirehoseReader({ urls: [`http://127.0.0.1:${firehosePort}`], token: KEY, after: 0, reconnectMs: 100 });
    await reader.start();

    await sleep(1000);
    await nats.stop(); // NATS away: the collector buffers, the merger and firehose wait
    await sleep(2000);
    await nats.start();

    await sleep(1500);
    await merger!.stop(); // the merger away: the stream keeps what arrives
    await sleep(1500);
    await startMerger();

    await sleep(1000);
    await firehose!.stop(); // the reader reconnects with after=<last seq>
    await sleep(1000);
    await startFirehose();
    await sleep(1000);
    const until = Date.now() - 1000; // bybit-linear sends its batches up to 500 ms after the event

    const check = async () => compareLiquidations(await fetchSentLiquidations(simUrl, { since }), reader.received, { since, until });
    await waitFor(async () => (await check()).lost === 0, { timeoutMs: 20_000, what: 'every liquidation at the reader' }).catch(() => undefined);
    const verdict = await check();
    reader.stop();
    expect(verdict.sent).toBeGreaterThan(50);
    expect(verdict).toMatchObject({ lost: 0, dup: 0, phantom: 0 });
    expect(reader.seqRegressions).toBe(0);
    expect(reader.gaps).toEqual([]);
    expect(reader.connects).toBeGreaterThanOrEqual(2);
  }, 90_000);
});
