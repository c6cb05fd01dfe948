/**
 * The README's demo as a person would try it: `bookfuse demo` runs the whole system (simulated
 * venues, collector, merger, gateway, firehose); headless Chromium opens the widget page. The ladder
 * shows live consensus levels from every venue, each venue has a live panel, prints reach the trade
 * tape and the depth chart is drawn from the ladder's exact sums. Through the simulator's control
 * endpoint a venue is silenced (it fades within 6 s, its panel says stale, the alert is a
 * sentence) and another one's prices are shifted (it is marked divergent in the bar, the ladder and
 * its panel, with a sentence giving the distance in bps). Unticking a venue's checkbox takes exactly
 * its sizes out of the ladder's totals, checked level by level against an independent client on
 * every venue at the same merger update. Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Decimal } from '../../libs/core/index.js';
import { startNats, type TestNats } from '../helpers/nats.js';
import { cliBuilt, runDemo, waitOutput, type CliRun } from '../helpers/cli.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { CHROMIUM_ARGS, depthChartPixels, findChromium } from '../helpers/browser.js';
import { venueIds } from '../../libs/venues/index.js';
import WebSocket from 'ws';
import { BookfuseClient, type LocalBook } from '../../libs/client/index.js';

const executablePath = findChromium();
if (!executablePath) console.log('demo browser test skipped: no chromium binary (apt-get install -y chromium)');
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const DECIMAL = /^\d+(\.\d+)?$/;

describe.skipIf(!executablePath || !cliBuilt())('the demo in a real browser', () => {
  let nats: TestNats;
  let demo: CliRun;
  let browser: Browser;
  const ports = { sim: 0, gw: 0 };
  // the five venues of the default BTC-USD group
  const venues = ['binance-spot', 'binance-usdm', 'bybit-linear', 'okx-swap', 'hyperliquid'].filter((v) => venueIds().includes(v));

  beforeAll(async () => {
    nats = await startNats();
    const started = await runDemo(nats.url, { SIM_LIQUIDATIONS_PER_S: '1' });
    demo = started.run;
    ports.sim = started.ports.sim;
    ports.gw = started.ports.gw;
    await waitOutput(demo, /is running/, 30_000);
    browser = await chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    demo?.proc.kill('SIGINT');
    await demo?.exited;
    await nats?.dispose();
  });

  async function control(body: Record<string, unknown>): Promise<void> {
    const r = await fetch(`http://127.0.0.1:${ports.sim}/control`, { method: 'POST', body: JSON.stringify(body) });
    expect(r.status).toBe(200);
  }

  async function openPage(query = ''): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${ports.gw}/?token=demo&symbol=BTC-USD&depth=15${query}`);
    await page.waitForSelector('#conn[data-state="open"]', { timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('#bids [data-testid="level"]').length > 0 && document.querySelectorAll('#asks [data-testid="level"]').length > 0, undefined, { timeout: 20_000 });
    return { page, errors };
  }

  it('shows live venues, prints on the tape and the depth chart; a silenced venue fades within 6 s and its panel says stale', async () => {
    expect(venues.length).toBeGreaterThanOrEqual(3);
    const { page, errors } = await openPage();
    for (const v of venues) {
      await page.waitForSelector(`.venue[data-venue="${v}"][data-stale="false"]`, { timeout: 20_000 });
      await page.waitForSelector(`.panel[data-venue="${v}"][data-state="live"]`, { timeout: 20_000 });
    }
    // the ladder's levels carry colour-tagged shares from more than one venue
    const tagged = await page.$$eval('#bids [data-testid="level"] .seg', (s) => [...new Set(s.map((x) => x.getAttribute('data-venue')))]);
    expect(tagged.length).toBeGreaterThan(1);
    await page.waitForSelector('[data-testid="liquidation"]', { timeout: 15_000 });

    // consensus prints on the tape: time, side, price, size and the venues that printed them
    await waitFor(async () => (await page.$$('[data-testid="trade"]')).length >= 3, { what: 'three prints on the tape', timeoutMs: 15_000 });
    const prints = await page.$$eval('[data-testid="trade"]', (rs) =>
      rs.map((r) => ({ cells: Array.from(r.querySelectorAll('td'), (c) => c.textContent ?? ''), venues: r.getAttribute('data-venues')!.split(','), merged: r.getAttribute('data-merged'), badge: r.querySelector('.merged')?.textContent ?? null })),
    );
    for (const p of prints) {
      expect(p.cells[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
      expect(['buy', 'sell']).toContain(p.cells[1]);
      expect(p.cells[2]).toMatch(DECIMAL);
      expect(p.cells[3]).toMatch(DECIMAL);
      expect(p.venues.length).toBeGreaterThan(0);
      for (const v of p.venues) expect(venues).toContain(v);
      expect(p.merged).toBe(String(p.venues.length > 1));
      expect(p.badge).toBe(p.venues.length > 1 ? `×${p.venues.length}` : null);
    }

    // the chart is drawn, and its totals are the exact sums of the ladder's sizes (read in one frame)
    const painted = await depthChartPixels(page);
    expect(painted.bid).toBeGreaterThan(50);
    expect(painted.ask).toBeGreaterThan(50);
    const frame = await page.evaluate(() => {
      const canvas = document.getElementById('depth') as HTMLCanvasElement;
      const totals = (side: string) => Array.from(document.querySelectorAll(`#${side} [data-testid="level"]`), (r) => r.getAttribute('data-total')!);
      return { bids: totals('bids'), asks: totals('asks'), bidCum: canvas.dataset.bidCum, askCum: canvas.dataset.askCum };
    });
    const sum = (xs: string[]) => xs.reduce((acc, x) => acc.plus(x), new Decimal(0)).toFixed();
    expect(frame.bidCum).toBe(sum(frame.bids));
    expect(frame.askCum).toBe(sum(frame.asks));

    const victim = venues.includes('okx-swap') ? 'okx-swap' : venues[venues.length - 1]!;
    const silencedAt = Date.now();
    await control({ venue: victim, action: 'silence', ms: 20_000 });
    await page.waitForSelector(`.venue.stale[data-venue="${victim}"]`, { timeout: 6000 });
    expect(Date.now() - silencedAt).toBeLessThan(6000);
    await page.waitForSelector(`.panel[data-venue="${victim}"][data-state="stale"]`, { timeout: 2000 });
    expect(await page.textContent(`.panel[data-venue="${victim}"] [data-field="state"]`)).toBe('stale');
    await page.waitForSelector(`.alerts li[data-kind="STALE"][data-venue="${victim}"]`, { timeout: 3000 });
    expect(await page.textContent(`.alerts li[data-kind="STALE"][data-venue="${victim}"] .text`)).toMatch(new RegExp(`^${victim} went stale: no update for \\d+\\.\\d s \\(limit \\d+\\.\\d s\\); faded and flagged until it recovers\\.$`));

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'demo-widget.png'), fullPage: true });
    await control({ venue: victim, action: 'resume' });
    await page.waitForSelector(`.panel[data-venue="${victim}"][data-state="live"]`, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('marks a venue whose prices shift as divergent in the bar, the ladder and its panel, with a readable alert', async () => {
    const { page, errors } = await openPage();
    const shifted = venues.includes('bybit-linear') ? 'bybit-linear' : venues[0]!;
    await page.waitForSelector(`.panel[data-venue="${shifted}"][data-state="live"]`, { timeout: 20_000 });
    await control({ venue: shifted, action: 'shift_price', bps: 80 });
    await page.waitForSelector(`.venue.divergent[data-venue="${shifted}"]`, { timeout: 10_000 });
    expect(await page.textContent(`.venue[data-venue="${shifted}"] .tag-divergent`)).toMatch(/^divergent \d+\.\d bps$/);
    await page.waitForSelector(`.panel[data-venue="${shifted}"][data-state="divergent"]`, { timeout: 3000 });
    // its levels (80 bps away, so at the top of one side) are hatched, their rows flagged
    await page.waitForSelector(`.seg.divergent[data-venue="${shifted}"]`, { timeout: 3000 });
    expect(await page.$$eval('.seg.divergent', (s) => [...new Set(s.map((x) => x.getAttribute('data-venue')))])).toEqual([shifted]);
    expect((await page.$$('tr.has-divergent')).length).toBeGreaterThan(0);
    await page.waitForSelector(`.alerts li[data-kind="DIVERGENCE"][data-venue="${shifted}"]`, { timeout: 5000 });
    expect(await page.textContent(`.alerts li[data-kind="DIVERGENCE"][data-venue="${shifted}"] .text`)).toMatch(
      new RegExp(`^${shifted} diverges from the consensus by \\d+\\.\\d bps \\(mid \\d+(\\.\\d+)? vs consensus \\d+(\\.\\d+)?\\)\\.$`),
    );
    for (const t of await page.$$eval('.alerts li', (ls) => ls.map((l) => l.textContent ?? ''))) expect(t).not.toMatch(/[{}]|\d\.\d{3,} bps/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'demo-widget-divergent.png'), fullPage: true });
    await control({ venue: shifted, action: 'resume' });
    await page.waitForSelector(`.alerts li[data-kind="CONVERGED"][data-venue="${shifted}"]`, { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("unticking a venue takes exactly its sizes out of the ladder's totals, and ticking it puts them back", async () => {
    const victim = venues.includes('binance-usdm') ? 'binance-usdm' : venues[0]!;
    // an independent client on every venue, recording its book at each merger update (by merge_ts)
    const seen = new Map<number, { count: number; book: Record<string, { total: string; venues: Record<string, string> }> }>();
    const ref = new BookfuseClient({ url: `ws://127.0.0.1:${ports.gw}`, apiKey: 'demo', symbols: ['BTC-USD'], depth: 50, detail: 'venues', webSocket: (u) => new WebSocket(u) as never });
    ref.on('book', (b: LocalBook) => {
      const levels: Record<string, { total: string; venues: Record<string, string> }> = {};
      for (const l of b.bids) levels[`bid ${l.price}`] = { total: l.total, venues: { ...l.venues } };
      for (const l of b.asks) levels[`ask ${l.price}`] = { total: l.total, venues: { ...l.venues } };
      const had = seen.get(b.mergeTs);
      seen.set(b.mergeTs, { count: (had?.count ?? 0) + 1, book: levels });
      if (seen.size > 5000) seen.delete(seen.keys().next().value!);
    });
    ref.start();
    const { page, errors } = await openPage();
    try {
      await page.waitForSelector(`.panel[data-venue="${victim}"][data-state="live"]`, { timeout: 20_000 });
      await page.waitForSelector(`#ladder .seg[data-venue="${victim}"]`, { timeout: 10_000 });

      let droppedLevels = 0;
      // one frame of the page's ladder, compared with the reference book at the same merger update
      const compare = async (without: string | null): Promise<boolean> => {
        const shown = await page.evaluate(() => ({
          mergeTs: Number(document.getElementById('ladder')!.dataset.mergeTs),
          rows: Array.from(document.querySelectorAll('#ladder [data-testid="level"]'), (r) => ({
            key: `${r.getAttribute('data-side')} ${r.getAttribute('data-price')}`,
            total: r.getAttribute('data-total')!,
            venues: Object.fromEntries(Array.from(r.querySelectorAll('.seg'), (s) => [s.getAttribute('data-venue')!, s.getAttribute('data-size')!])),
          })),
        }));
        await waitFor(() => seen.has(shown.mergeTs), { what: `reference book at merge_ts ${shown.mergeTs}`, timeoutMs: 3000 }).catch(() => undefined);
        const at = seen.get(shown.mergeTs);
        if (!at || at.count !== 1) return false; // two merger updates in one ms: this frame is ambiguous, take another
        const views = (ref.books.get('BTC-USD')?.venues ?? {}) as Record<string, { member?: boolean }>;
        expect(views[without ?? victim]?.member).not.toBe(false); // the victim counts in the full totals
        expect(shown.rows.length).toBeGreaterThan(0);
        for (const row of shown.rows) {
          const full = at.book[row.key];
          expect(full, `${row.key} in the full book`).toBeDefined();
          const dropped = without ? (full!.venues[without] ?? '0') : '0';
          if (dropped !== '0') droppedLevels++;
          // the total drops by exactly the venue's size at that price; the other venues' sizes stay
          expect(row.total, row.key).toBe(new Decimal(full!.total).minus(dropped).toFixed());
          const rest = { ...full!.venues };
          if (without) delete rest[without];
          expect(row.venues, row.key).toEqual(rest);
        }
        // and no level of the full book within the shown range is missing (unless only the venue held it)
        const shownKeys = new Set(shown.rows.map((r) => r.key));
        const prices = (side: string) => shown.rows.filter((r) => r.key.startsWith(side)).map((r) => new Decimal(r.key.split(' ')[1]!));
        for (const side of ['bid', 'ask']) {
          const ps = prices(side);
          if (!ps.length) continue;
          const lo = Decimal.min(...ps);
          const hi = Decimal.max(...ps);
          for (const [key, l] of Object.entries(at.book)) {
            if (!key.startsWith(side)) continue;
            const p = new Decimal(key.split(' ')[1]!);
            if (p.lt(lo) || p.gt(hi)) continue;
            const left = new Decimal(l.total).minus(without ? (l.venues[without] ?? '0') : '0');
            if (left.gt(0)) expect(shownKeys.has(key), `${key} shown`).toBe(true);
          }
        }
        return true;
      };
      // a mismatch fails at once; only frames the reference cannot place are skipped
      const frames = async (without: string | null, n: number, what: string) => {
        const deadline = Date.now() + 15_000;
        for (let ok = 0; ok < n; ) {
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
          if (await compare(without)) ok++;
          else await sleep(50);
        }
      };
      await frames(null, 1, 'a frame with every venue to compare');

      await page.click(`.venue[data-venue="${victim}"] input[type="checkbox"]`);
      await page.waitForSelector(`.venue.off[data-venue="${victim}"]`, { timeout: 2000 });
      await page.waitForSelector(`.panel[data-venue="${victim}"][data-state="off"]`, { timeout: 3000 });
      await waitFor(async () => (await page.$$(`#ladder .seg[data-venue="${victim}"]`)).length === 0, { what: `${victim} gone from the ladder`, timeoutMs: 5000 });
      expect(new URL(page.url()).searchParams.get('venues')).toBe(venues.filter((v) => v !== victim).sort().join(','));
      // the tape shows no print that only the unticked venue made
      expect(await page.$$eval('[data-testid="trade"]:not([hidden])', (rs, v) => rs.filter((r) => r.getAttribute('data-venues') === v).length, victim)).toBe(0);
      await frames(victim, 3, `three frames without ${victim} to compare`);
      expect(droppedLevels).toBeGreaterThan(0); // the venue did hold size on the shown levels
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'demo-widget-venue-off.png'), fullPage: true });

      await page.click(`.venue[data-venue="${victim}"] input[type="checkbox"]`);
      await page.waitForSelector(`#ladder .seg[data-venue="${victim}"]`, { timeout: 5000 });
      expect(new URL(page.url()).searchParams.get('venues')).toBeNull();
      await frames(null, 2, 'frames with every venue back to compare');
      expect(errors).toEqual([]);
    } finally {
      ref.stop();
      await page.close();
    }
  }, 90_000);
});
