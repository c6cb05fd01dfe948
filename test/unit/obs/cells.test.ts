/**
 * Cells (libs/obs/cells.ts) must expose exactly what direct inc()/observe() calls expose: the
 * histogram cell adds to prom-client's own per-series record, so this also catches a prom-client
 * release that changes that record.
 */
import { describe, expect, it } from 'vitest';
import { CellCounter, CellHistogram, LATENCY_BUCKETS_SECONDS, prom, type Registry } from '../../../libs/obs/index.js';

const VALUES = [0, 0.00003, 0.00005, 0.00007, 0.0004, 0.003, 0.003, 0.2, 4.9, 5, 7, 120];

async function exposition(registry: Registry): Promise<string> {
  return (await registry.metrics()).replace(/test_(direct|cells)/g, 'test_m');
}

describe('metric cells', () => {
  it('a histogram cell exposes what direct observe() calls expose, across reads and a reset', async () => {
    const direct = new prom.Registry();
    const cells = new prom.Registry();
    const h = new prom.Histogram({ name: 'test_direct', help: 'h', labelNames: ['venue'], buckets: LATENCY_BUCKETS_SECONDS, registers: [direct] });
    const c = new CellHistogram({ name: 'test_cells', help: 'h', labelNames: ['venue'], buckets: LATENCY_BUCKETS_SECONDS, registers: [cells] });
    const a = c.cell({ venue: 'a' });
    const b = c.cell({ venue: 'b' });
    expect(await exposition(cells)).toBe(await exposition(direct));
    for (const [i, v] of VALUES.entries()) {
      h.observe({ venue: i % 3 ? 'a' : 'b' }, v);
      (i % 3 ? a : b).observe(v);
      if (i === 5) expect(await exposition(cells)).toBe(await exposition(direct));
    }
    expect(await exposition(cells)).toBe(await exposition(direct));
    h.reset();
    c.metric.reset();
    h.observe({ venue: 'a' }, 0.001);
    a.observe(0.001);
    expect(await exposition(cells)).toBe(await exposition(direct));
  });

  it('a counter cell exposes what direct inc() calls expose; an uncounted label set stays absent', async () => {
    const direct = new prom.Registry();
    const cells = new prom.Registry();
    const k = new prom.Counter({ name: 'test_direct', help: 'c', labelNames: ['venue', 'subject'], registers: [direct] });
    const c = new CellCounter({ name: 'test_cells', help: 'c', labelNames: ['venue', 'subject'], registers: [cells] });
    const book = c.cell({ venue: 'a', subject: 'book' });
    c.cell({ venue: 'a', subject: 'trade' });
    for (let i = 0; i < 5; i++) {
      k.inc({ venue: 'a', subject: 'book' });
      book.inc();
    }
    expect(await exposition(cells)).toBe(await exposition(direct));
    book.inc();
    k.inc({ venue: 'a', subject: 'book' });
    expect(await exposition(cells)).toBe(await exposition(direct));
    expect(await exposition(cells)).not.toContain('trade');
  });

  it('a histogram cell refuses a value that is not a number, as observe() does', () => {
    const c = new CellHistogram({ name: 'test_cells', help: 'h', labelNames: ['venue'], buckets: [1], registers: [] });
    expect(() => c.cell({ venue: 'a' }).observe(NaN)).toThrow(TypeError);
  });
});
