/**
 * Readiness tells the truth (issue 13 item 6): while the merger is silent for a served symbol the
 * gateway says 503 with a reason, its REST books and SNAPSHOTs say how old the consensus is, and
 * venue views age into `stale`; once updates flow again it is ready. The firehose is not ready
 * while it cannot consume its log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TestClient, type Harness } from './gateway-harness.js';
import { startFirehose } from './firehose-harness.js';
import { TEST_VENUES } from '../helpers/consensus-publisher.js';
import { waitFor } from '../helpers/waits.js';

let h: Harness;
let ticker: ReturnType<typeof setInterval> | undefined;

/** What the merger does every second, faster: republish every venue view (a delta). */
function startMerger(): void {
  ticker = setInterval(() => {
    for (const p of [h.btc, h.eth]) {
      for (const v of TEST_VENUES) p.setVenue(v, { age_ms: 5 });
      p.publishDelta();
    }
  }, 100);
}
function freezeMerger(): void {
  clearInterval(ticker);
  ticker = undefined;
}

const ready = async () => {
  const r = await fetch(`${h.httpUrl}/readyz`);
  return { status: r.status, body: (await r.json()) as { ready: boolean; reason?: string; silent_symbols: Record<string, number> } };
};
const book = async () => (await (await fetch(`${h.httpUrl}/v1/books/BTC-USD?token=demo`)).json()) as { upstream_age_ms: number; venues: Record<string, { stale: boolean; age_ms: number }> };

beforeAll(async () => {
  h = await startHarness({ GATEWAY_UPSTREAM_SILENCE_MS: '600', GATEWAY_VENUE_STALE_AFTER_MS: '900' });
  h.btc.publishSnapshot();
  h.eth.publishSnapshot();
  startMerger();
});
afterAll(async () => {
  freezeMerger();
  await h?.stop();
});

describe('gateway readiness', () => {
  it('is ready while the merger talks, 503 with a reason once it is silent, ready again when it resumes', async () => {
    await waitFor(async () => (await ready()).status === 200, { what: 'ready while the merger publishes' });
    const fresh = await book();
    expect(fresh.upstream_age_ms).toBeLessThan(600);
    expect(Object.values(fresh.venues).every((v) => !v.stale)).toBe(true);

    freezeMerger();
    const silent = await waitFor(async () => {
      const r = await ready();
      return r.status === 503 ? r.body : undefined;
    }, { what: '503 after the merger went silent' });
    expect(silent.ready).toBe(false);
    expect(silent.reason).toMatch(/merger silent for more than 600 ms on BTC-USD, ETH-USD/);
    expect(silent.silent_symbols['BTC-USD']).toBeGreaterThan(600);

    // the book is still served, saying how old it is; venues age into stale
    await waitFor(async () => Object.values((await book()).venues).every((v) => v.stale), { what: 'venue views shown stale' });
    const old = await book();
    expect(old.upstream_age_ms).toBeGreaterThan(600);
    const c = new TestClient(`${h.wsUrl}/ws?token=demo&symbols=BTC-USD`);
    const snap = await c.next('SNAPSHOT');
    expect(snap.payload.upstream_age_ms).toBeGreaterThan(600);
    expect(Object.values(snap.payload.venues).every((v) => v.stale)).toBe(true);
    c.close();

    startMerger();
    await waitFor(async () => (await ready()).status === 200, { what: 'ready again once updates flow' });
    expect(Object.values((await book()).venues).every((v) => !v.stale)).toBe(true);
  });
});

describe('firehose readiness', () => {
  it('is 503 while its log cannot be consumed (NATS down) and ready again after', async () => {
    const f = await startFirehose({}, h.nats);
    const url = `http://127.0.0.1:${f.firehose.port}/readyz`;
    try {
      await waitFor(async () => (await fetch(url)).status === 200, { what: 'firehose ready' });
      await h.nats.stop();
      const body = await waitFor(async () => {
        const r = await fetch(url);
        return r.status === 503 ? ((await r.json()) as { reason: string }) : undefined;
      }, { what: 'firehose 503 while NATS is down' });
      expect(body.reason).toMatch(/NATS|consuming/);
      await h.nats.start();
      await waitFor(async () => (await fetch(url)).status === 200, { timeoutMs: 20_000, what: 'firehose ready again' });
    } finally {
      await f.stop();
    }
  });
});
