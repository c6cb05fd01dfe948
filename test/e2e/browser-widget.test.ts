/**
 * The widget page in Debian's headless Chromium: the ladder shows the published levels with
 * per-venue shares, a venue that goes silent (stale) fades within 6 s, alerts and liquidations
 * appear. The gateway is fed by a stand-in merger on real NATS; the liquidation ticker by a local
 * firehose-shaped WebSocket. Skipped, with the reason printed, only when no chromium exists.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { startHarness, type Harness } from '../integration/gateway-harness.js';
import { waitFor } from '../helpers/waits.js';

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      /* not this one */
    }
  }
  return undefined;
}

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
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
    firehose?.close();
  });

  it('shows the ladder, fades a silenced venue within 6 s, and shows alerts and liquidations', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${h.httpUrl}/?token=demo&symbol=BTC-USD&depth=10`);
    await page.waitForSelector('#conn[data-state="open"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="level"]').length === 20, undefined, { timeout: 10_000 });

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
    h.btc.publishAlert('STALE', 'okx-swap');
    await page.waitForSelector('.venue.stale[data-venue="okx-swap"]', { timeout: 6000 });
    expect(Date.now() - silencedAt).toBeLessThan(6000);
    const opacity = await page.$eval('.venue[data-venue="okx-swap"]', (e) => getComputedStyle(e).opacity);
    await waitFor(async () => Number(await page.$eval('.venue[data-venue="okx-swap"]', (e) => getComputedStyle(e).opacity)) < 0.5, { what: 'faded venue', timeoutMs: 3000 });
    expect(Number(opacity)).toBeLessThanOrEqual(1);
    await page.waitForSelector('.alerts li[data-kind="STALE"][data-venue="okx-swap"]', { timeout: 3000 });
    await page.waitForSelector('[data-testid="liquidation"]', { timeout: 5000 });
    expect(await page.textContent('[data-testid="liquidation"]')).toContain('98412.3');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'browser-widget.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
