/**
 * The widget page in Debian's headless Chromium against exactly known books: the ladder shows the
 * published levels with per-venue shares and exact cumulative sizes, a venue that goes silent
 * (stale) fades within 6 s, a divergent venue is marked in the ladder, the venue bar and its
 * panel, alerts read as sentences, merged prints are marked on the tape, and the depth chart is
 * drawn from the same exact sums. The gateway is fed by a stand-in merger on real NATS; the
 * liquidation ticker by a local firehose-shaped WebSocket. Skipped, with the reason printed, only
 * when no chromium exists.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Decimal } from '../../libs/core/index.js';
import { encode, subjects } from '../../libs/bus/index.js';
import type { AlertMessage, ConsensusTradeMessage } from '../../libs/core/index.js';
import { startHarness, type Harness } from '../integration/gateway-harness.js';
import { waitFor } from '../helpers/waits.js';
import { CHROMIUM_ARGS, depthChartPixels, findChromium } from '../helpers/browser.js';

const executablePath = findChromium();
if (!executablePath) console.log('browser test skipped: no chromium binary (apt-get install -y chromium)');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

describe.skipIf(!executablePath)('widget page in headless Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let firehose: WebSocketServer;

  beforeAll(async () => {
    firehose = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => firehose.once('listening', () => r()));
    firehose.on('connection', (ws, req) => {
      if (!req.url?.includes('token=demo')) return ws.close(4100, 'AUTH_FAILED');
      const liq = { id: 'l1', seq: 1, venue: 'binance-usdm', symbol: 'BTC-USDT', side: 'sell', liquidated: 'long', price: '98412.3', qty: '0.12', notional_usd: '11809.476', coverage: 'sampled', ts: Date.now(), recv_ts: Date.now() };
      ws.send(JSON.stringify(liq));
    });
    const port = (firehose.address() as { port: number }).port;
    h = await startHarness({ GATEWAY_FIREHOSE_URL: `ws://127.0.0.1:${port}/ws/v1/liquidation/feed` });
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    firehose?.close();
  });

  it('shows the ladder, fades a silenced venue within 6 s, and shows alerts and liquidations', async () => {
    const { page, errors } = await openPage();

    // the ladder holds the published levels; each row's segments name the venues that hold size
    const top = h.btc.top(10);
    const bidPrices = await page.$$eval('#bids [data-testid="level"]', (rows) => rows.map((r) => r.getAttribute('data-price')));
    expect(bidPrices).toEqual(top.bids.map((l) => l[0]));
    const firstBidVenues = await page.$$eval('#bids [data-testid="level"]:first-child .seg', (s) => s.map((x) => x.getAttribute('data-venue')).sort());
    expect(firstBidVenues).toEqual(Object.keys(top.bids[0]![2]).sort());

    // deltas move the ladder
    for (let i = 0; i < 20; i++) {
      h.btc.randomStep(3);
      h.btc.publishDelta();
    }
    const after = h.btc.top(10).asks.map((l) => l[0]).reverse();
    await waitFor(async () => JSON.stringify(await page.$$eval('#asks [data-testid="level"]', (rows) => rows.map((r) => r.getAttribute('data-price')))) === JSON.stringify(after), { what: 'ladder following deltas' });

    // a venue goes silent: the merger flags it stale; the page fades it
    expect(await page.getAttribute('.venue[data-venue="okx-swap"]', 'data-stale')).toBe('false');
    const silencedAt = Date.now();
    h.btc.setVenue('okx-swap', { stale: true, state: 'stale', age_ms: 5012 });
    h.btc.publishDelta();
    publishAlert('STALE', 'okx-swap', { venue_symbol: 'OKX-BTC', age_ms: 5082, reason: 'silent', stale_after_ms: 5000 });
    await page.waitForSelector('.venue.stale[data-venue="okx-swap"]', { timeout: 6000 });
    expect(Date.now() - silencedAt).toBeLessThan(6000);
    const opacity = await page.$eval('.venue[data-venue="okx-swap"]', (e) => getComputedStyle(e).opacity);
    await waitFor(async () => Number(await page.$eval('.venue[data-venue="okx-swap"]', (e) => getComputedStyle(e).opacity)) < 0.5, { what: 'faded venue', timeoutMs: 3000 });
    expect(Number(opacity)).toBeLessThanOrEqual(1);
    await page.waitForSelector('.alerts li[data-kind="STALE"][data-venue="okx-swap"]', { timeout: 3000 });
    expect(await page.textContent('.alerts li[data-kind="STALE"] .text')).toBe('okx-swap went stale: no update for 5.1 s (limit 5.0 s); faded and flagged until it recovers.');
    await page.waitForSelector('.panel[data-venue="okx-swap"][data-state="stale"]', { timeout: 3000 });
    await page.waitForSelector('[data-testid="liquidation"]', { timeout: 5000 });
    expect(await page.textContent('[data-testid="liquidation"]')).toContain('98412.3');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'browser-widget.png'), fullPage: true });
    expect(errors).toEqual([]);
    h.btc.setVenue('okx-swap', { stale: false, state: 'live', age_ms: 5 });
    h.btc.publishDelta();
    await page.close();
  });

  it('marks a divergent venue in the ladder, the venue bar and its panel, with a readable alert', async () => {
    const { page, errors } = await openPage();
    h.btc.setVenue('bybit-linear', { divergent: true, bps: 60.052712620784305 });
    h.btc.publishDelta();
    publishAlert('DIVERGENCE', 'bybit-linear', { venue_symbol: 'BTCUSDT', mid: '99091.25', consensus_mid: '98500.05', bps: 60.052712620784305 });
    await page.waitForSelector('.venue.divergent[data-venue="bybit-linear"]', { timeout: 5000 });
    expect(await page.textContent('.venue[data-venue="bybit-linear"] .tag-divergent')).toBe('divergent 60.1 bps');
    await page.waitForSelector('.panel[data-venue="bybit-linear"][data-state="divergent"]', { timeout: 3000 });
    expect(await page.textContent('.panel[data-venue="bybit-linear"] [data-field="bps"] .value')).toBe('60.1 bps');

    // every shown level where bybit holds size is flagged, and only its segments are hatched
    const top = h.btc.top(10);
    const withBybit = [...top.bids, ...top.asks].filter((l) => l[2]['bybit-linear'] !== undefined).map((l) => l[0]).sort();
    expect(withBybit.length).toBeGreaterThan(0);
    await waitFor(async () => (await page.$$('.seg.divergent')).length === withBybit.length, { what: 'hatched bybit segments', timeoutMs: 3000 });
    expect(await page.$$eval('.seg.divergent', (s) => [...new Set(s.map((x) => x.getAttribute('data-venue')))])).toEqual(['bybit-linear']);
    expect(await page.$$eval('tr.has-divergent', (rows) => rows.map((r) => r.getAttribute('data-price')!).sort())).toEqual(withBybit);

    await page.waitForSelector('.alerts li[data-kind="DIVERGENCE"]', { timeout: 3000 });
    expect(await page.textContent('.alerts li[data-kind="DIVERGENCE"] .text')).toBe('bybit-linear diverges from the consensus by 60.1 bps (mid 99091.25 vs consensus 98500.05).');
    const texts = await page.$$eval('.alerts li', (ls) => ls.map((l) => l.textContent ?? ''));
    for (const t of texts) expect(t).not.toMatch(/[{}]|\d\.\d{3,} bps/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'browser-widget-divergent.png'), fullPage: true });
    h.btc.setVenue('bybit-linear', { divergent: false, bps: 3 });
    h.btc.publishDelta();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('puts prints on the tape (merged ones marked) and draws depth from exact cumulative sizes', async () => {
    const { page, errors } = await openPage();
    publishTrade({ price: '98500.1', qty: '0.3', side: 'sell', venues: ['binance-usdm'] });
    publishTrade({ price: '98500.2', qty: '0.75', side: 'buy', venues: ['binance-usdm', 'okx-swap'] });
    await waitFor(async () => (await page.$$('[data-testid="trade"]')).length === 2, { what: 'two prints on the tape', timeoutMs: 5000 });
    const rows = await page.$$eval('[data-testid="trade"]', (rs) =>
      rs.map((r) => ({ cells: Array.from(r.querySelectorAll('td'), (c) => c.textContent), merged: r.getAttribute('data-merged'), badge: r.querySelector('.merged')?.textContent ?? null })),
    );
    // newest first: time, side, price, size, venues
    expect(rows[0]!.cells[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(rows[0]!.cells.slice(1, 4)).toEqual(['buy', '98500.2', '0.75']);
    expect(rows[0]!.merged).toBe('true');
    expect(rows[0]!.badge).toBe('×2');
    expect(rows[0]!.cells[4]).toContain('binance-usdm');
    expect(rows[0]!.cells[4]).toContain('okx-swap');
    expect(rows[1]!.cells.slice(1, 4)).toEqual(['sell', '98500.1', '0.3']);
    expect(rows[1]!.merged).toBe('false');
    expect(rows[1]!.badge).toBeNull();

    // the ladder's running sums and the chart's totals are the exact sums of the published levels
    const top = h.btc.top(10);
    const sum = (ls: typeof top.bids) => ls.reduce((acc, l) => acc.plus(l[1]), new Decimal(0)).toFixed();
    await waitFor(async () => (await page.getAttribute('#depth', 'data-bid-cum')) === sum(top.bids), { what: 'chart bid total', timeoutMs: 3000 });
    expect(await page.getAttribute('#depth', 'data-ask-cum')).toBe(sum(top.asks));
    const cums = await page.$$eval('#bids [data-testid="level"]', (rs) => rs.map((r) => r.getAttribute('data-cum')));
    expect(cums).toEqual(top.bids.map((_, i) => sum(top.bids.slice(0, i + 1))));
    // each venue's panel holds its exact share of those sizes; together they are the whole
    const sizes = await page.$$eval('.panel', (ps) => ps.map((p) => p.getAttribute('data-size')!));
    expect(sizes.length).toBe(3);
    expect(sizes.reduce((acc, x) => acc.plus(x), new Decimal(0)).toFixed()).toBe(new Decimal(sum(top.bids)).plus(sum(top.asks)).toFixed());

    const painted = await depthChartPixels(page);
    expect(painted.bid).toBeGreaterThan(50);
    expect(painted.ask).toBeGreaterThan(50);
    expect(errors).toEqual([]);
    await page.close();
  });

  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${h.httpUrl}/?token=demo&symbol=BTC-USD&depth=10`);
    await page.waitForSelector('#conn[data-state="open"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="level"]').length === 20, undefined, { timeout: 10_000 });
    return { page, errors };
  }

  function publishAlert(kind: AlertMessage['kind'], venue: string, detail: Record<string, unknown>): void {
    const a: AlertMessage = { v: 1, symbol: 'BTC-USD', kind, venue, priority: 'P1', detail, ts: Date.now() };
    h.nc.publish(subjects.consensusAlert('BTC-USD'), encode(a));
  }

  let tradeId = 0;
  function publishTrade(t: Pick<ConsensusTradeMessage, 'price' | 'qty' | 'side' | 'venues'>): void {
    const id = `w${++tradeId}`;
    const msg: ConsensusTradeMessage = { v: 1, symbol: 'BTC-USD', id, ts: Date.now(), recv_ts: Date.now(), sources: t.venues.map((v) => ({ venue: v, id, qty: t.qty })), ...t };
    h.nc.publish(subjects.consensusTrade('BTC-USD'), encode(msg));
  }
});
