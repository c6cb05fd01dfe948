/**
 * The README's demo as a person would try it: `bookfuse demo` runs the whole system (simulated
 * venues, collector, merger, gateway, firehose); headless Chromium opens the widget page; the ladder
 * shows live consensus levels from every venue; silencing a venue through the simulator's control
 * endpoint fades it within 6 s. A screenshot is kept under test-artifacts/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startNats, freePort, type TestNats } from '../helpers/nats.js';
import { cliBuilt, runCli, waitOutput, type CliRun } from '../helpers/cli.js';
import { venueIds } from '../../libs/venues/index.js';

function findChromium(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const executablePath = findChromium();
if (!executablePath) console.log('demo browser test skipped: no chromium binary (apt-get install -y chromium)');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

describe.skipIf(!executablePath || !cliBuilt())('the demo in a real browser', () => {
  let nats: TestNats;
  let demo: CliRun;
  let browser: Browser;
  const ports = { sim: 0, gw: 0 };

  beforeAll(async () => {
    nats = await startNats();
    const [sim, gw, fh, col, mer] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    ports.sim = sim;
    ports.gw = gw;
    demo = runCli(['demo'], {
      NATS_URL: nats.url,
      SIM_PORT: String(sim),
      GATEWAY_PORT: String(gw),
      FIREHOSE_PORT: String(fh),
      COLLECTOR_PORT: String(col),
      MERGER_PORT: String(mer),
      SIM_LIQUIDATIONS_PER_S: '1',
      LOG_LEVEL: 'warn',
    });
    await waitOutput(demo, /is running/, 30_000);
    browser = await chromium.launch({ executablePath: executablePath!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    demo?.proc.kill('SIGINT');
    await demo?.exited;
    await nats?.dispose();
  });

  it('shows a live ladder from every venue, and a silenced venue fades within 6 s', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${ports.gw}/?token=demo&symbol=BTC-USD&depth=15`);
    await page.waitForSelector('#conn[data-state="open"]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('#bids [data-testid="level"]').length > 0 && document.querySelectorAll('#asks [data-testid="level"]').length > 0, undefined, { timeout: 20_000 });

    // the five venues of the default BTC-USD group are listed and live (not faded)
    const venues = ['binance-spot', 'binance-usdm', 'bybit-linear', 'okx-swap', 'hyperliquid'].filter((v) => venueIds().includes(v));
    expect(venues.length).toBeGreaterThanOrEqual(3);
    for (const v of venues) {
      await page.waitForSelector(`.venue[data-venue="${v}"][data-stale="false"]`, { timeout: 20_000 });
    }
    // the ladder's levels carry colour-tagged shares from more than one venue
    const tagged = await page.$$eval('#bids [data-testid="level"] .seg', (s) => [...new Set(s.map((x) => x.getAttribute('data-venue')))]);
    expect(tagged.length).toBeGreaterThan(1);
    await page.waitForSelector('[data-testid="liquidation"]', { timeout: 15_000 });

    const victim = venues.includes('okx-swap') ? 'okx-swap' : venues[venues.length - 1]!;
    const silencedAt = Date.now();
    const r = await fetch(`http://127.0.0.1:${ports.sim}/control`, { method: 'POST', body: JSON.stringify({ venue: victim, action: 'silence', ms: 20_000 }) });
    expect(r.status).toBe(200);
    await page.waitForSelector(`.venue.stale[data-venue="${victim}"]`, { timeout: 6000 });
    expect(Date.now() - silencedAt).toBeLessThan(6000);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'demo-widget.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 90_000);
});
