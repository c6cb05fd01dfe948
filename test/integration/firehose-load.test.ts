/**
 * Issue 6: 2,000 liquidations/s for 10 s reach every healthy client, all of them, in order, while
 * stalled clients (connected, never reading) sit on the same firehose until it drops them.
 */
import { describe, expect, it } from 'vitest';
import { CloseCode } from '../../libs/ws/index.js';
import { sleep, waitFor } from '../helpers/waits.js';
import { connectClient, liq, metricValue, publishFast, startFirehose, type Client } from './firehose-harness.js';

const RATE_PER_S = 2_000;
const DURATION_MS = 10_000;
const HEALTHY = 20;
const STALLED = 5;
/** merger ids are opaque strings; long ones make the stalled clients' kernel buffers fill sooner */
const TAG = `load-${'x'.repeat(200)}`;

describe('firehose under load', () => {
  it(`loses nothing for healthy clients at ${RATE_PER_S}/s for ${DURATION_MS / 1000} s with stalled clients present`, async () => {
    const h = await startFirehose({ FIREHOSE_QUEUE_MAX_MESSAGES: '4000', FIREHOSE_IDLE_TIMEOUT_MS: '60000' });
    try {
      const healthy: Client[] = [];
      const counts: number[] = [];
      const disorder: string[] = [];
      for (let i = 0; i < HEALTHY; i++) {
        const c = await connectClient(h.url('/ws/v1/liquidation/feed'));
        // count and check order as messages arrive instead of keeping 20k objects per client
        c.ws.removeAllListeners('message');
        counts.push(0);
        c.ws.on('message', (d) => {
          const id = (JSON.parse(String(d)) as { id: string }).id;
          if (id !== `${TAG}-${counts[i]}`) disorder.push(`client ${i}: expected #${counts[i]}, got ${id.slice(TAG.length)}`);
          counts[i]!++;
        });
        healthy.push(c);
      }
      const stalled: Client[] = [];
      for (let i = 0; i < STALLED; i++) {
        const c = await connectClient(h.url('/ws/v1/liquidation/feed'));
        c.ws.pause();
        stalled.push(c);
      }

      const total = (RATE_PER_S * DURATION_MS) / 1000;
      const start = Date.now();
      let sent = 0;
      let resumed = false;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - start) * RATE_PER_S) / 1000));
        for (; sent < due; sent++) publishFast(h.pub, liq(sent, TAG));
        await sleep(5);
        // once all are dropped they read again, to see how they were closed
        if (!resumed && (await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total')) === STALLED) {
          resumed = true;
          for (const c of stalled) c.ws.resume();
        }
      }
      await h.pub.flush();
      const publishMs = Date.now() - start;
      expect(publishMs).toBeLessThan(DURATION_MS + 1_000);

      await waitFor(() => counts.every((n) => n >= total), { timeoutMs: 10_000, what: `${total} events on every healthy client (min ${Math.min(...counts)})` });
      await sleep(100);
      expect(disorder).toEqual([]);
      expect(counts).toEqual(healthy.map(() => total));
      for (const c of healthy) expect(c.ws.readyState).toBe(c.ws.OPEN);

      // the stalled ones were dropped as slow consumers, and only they were
      expect(await metricValue(h.registry, 'bookfuse_firehose_slow_consumers_dropped_total')).toBe(STALLED);
      for (const c of stalled) {
        c.ws.resume();
        const closed = await c.closed;
        expect(closed).toEqual({ code: CloseCode.SLOW_CONSUMER, reason: expect.stringMatching(/slow consumer/) });
      }
    } finally {
      await h.stop();
    }
  });
});
