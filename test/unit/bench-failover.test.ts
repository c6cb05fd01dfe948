/**
 * bench:failover's verdicts and shapes (#14.7): the JSON figure keys are exactly the issue's, the
 * targets are the per fault, and the report puts the cluster and the single node side by side.
 */
import { describe, expect, it } from 'vitest';
import { FAULTS, figures, markdown, targetsMet, type FailoverFigures } from '../../bench/failover.js';
import type { FaultReport } from '../../bench/lib/faults/index.js';

const ok = (fault: string, over: Partial<FailoverFigures> = {}): FailoverFigures => ({
  fault,
  stall_ms: 300,
  recovered_ms: 500,
  seq_breaks_unhealed: 0,
  stale_alerts: 0,
  liq_lost: 0,
  liq_dup: 0,
  books_exact: true,
  ...over,
});

describe('bench:failover', () => {
  it('reports exactly the figures issue 14 names, in its order', () => {
    const report = { ...ok('gateway-kill'), crashed: [], liq_sent: 10, liq_phantom: 0, lost_ids: [], seq_breaks: 0, window: { since: 0, until: 1 } } as unknown as FaultReport;
    expect(Object.keys(figures(report, 2))).toEqual(['fault', 'stall_ms', 'recovered_ms', 'seq_breaks_unhealed', 'stale_alerts', 'liq_lost', 'liq_dup', 'books_exact']);
    expect(figures(report, 2).stale_alerts).toBe(2);
    expect(FAULTS).toEqual(['nats-node-kill', 'merger-active-kill', 'collector-line-kill', 'gateway-kill', 'firehose-kill']);
  });

  it('judges each fault by its own targets', () => {
    for (const f of FAULTS) expect(targetsMet(ok(f)), f).toBe(true);
    expect(targetsMet(ok('nats-node-kill', { stall_ms: 2001 }))).toBe(false);
    expect(targetsMet(ok('merger-active-kill', { books_exact: false }))).toBe(false);
    expect(targetsMet(ok('merger-active-kill', { liq_dup: 1 }))).toBe(false);
    expect(targetsMet(ok('collector-line-kill', { stale_alerts: 1 }))).toBe(false);
    expect(targetsMet(ok('collector-line-kill', { stall_ms: 1001 }))).toBe(false);
    expect(targetsMet(ok('collector-line-kill', { liq_lost: 3 }))).toBe(true); // not a target of this fault
    expect(targetsMet(ok('gateway-kill', { recovered_ms: 2001 }))).toBe(false);
    expect(targetsMet(ok('firehose-kill', { recovered_ms: null }))).toBe(false);
    expect(targetsMet(ok('firehose-kill', { liq_lost: 1 }))).toBe(false);
  });

  it('writes one row per fault with the cluster and the single node side by side', () => {
    const md = markdown(FAULTS.map((f) => ok(f)), [ok('nats-node-kill', { stall_ms: 9000, books_exact: false })], new Date(0), 'test machine');
    const row = md.split('\n').find((l) => l.startsWith('| nats-node-kill'))!;
    expect(row).toBe('| nats-node-kill | 300 | 500 | 0 | 0 | 0 | 0 | yes | met | 9000 | 500 | 0 | 0 | 0 | 0 | NO |');
    expect(md.split('\n').find((l) => l.startsWith('| firehose-kill'))).toMatch(/\| met \| – \|/);
    expect(md).toContain('Measured 1970-01-01T00:00:00.000Z on test machine.');
  });
});
