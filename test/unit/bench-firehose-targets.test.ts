/**
 * The firehose targets are judged against the bare `ws` baseline of the same run, so a noisy
 * minute moves both sides: a figure that is slow in absolute terms can still meet its target.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CASES, targets, type FirehoseCase } from '../../bench/firehose-cases.js';

function fig(name: string, f: Partial<FirehoseCase>): [string, FirehoseCase] {
  const spec = DEFAULT_CASES.find((c) => c.name === name)!;
  return [name, { ...spec, healthy_loss: 0, readers_dropped: 0, p50_ms: 3, p99_ms: 10, baseline_p50_ms: 2.5, baseline_p99_ms: 9, ratio: 2, slow_dropped: 0, rss_mb: 100, ...f } as FirehoseCase];
}

describe('firehose benchmark targets', () => {
  const moderate = DEFAULT_CASES[0]!.name;

  it('meets p50 and p99 when they sit within 1 ms and 1.25× of the bare broadcast, however slow both are', () => {
    const lines = targets(new Map([fig(moderate, { p50_ms: 40.9, baseline_p50_ms: 40, p99_ms: 120, baseline_p99_ms: 100 })]));
    expect(lines[0]).toMatch(/p50 ≤ bare p50 \+ 1 ms met/);
    expect(lines[0]).toMatch(/p99 ≤ 1.25 × bare p99 met/);
  });

  it('misses when the firehose adds more than that to the baseline of the same run', () => {
    const lines = targets(new Map([fig(moderate, { p50_ms: 4.1, baseline_p50_ms: 3, p99_ms: 12, baseline_p99_ms: 9 })]));
    expect(lines[0]).toMatch(/p50 ≤ bare p50 \+ 1 ms \*\*not met\*\*/);
    expect(lines[0]).toMatch(/p99 ≤ 1.25 × bare p99 \*\*not met\*\*/);
  });

  it('a loss or a dropped reader fails zero loss, and a missing baseline never counts as met', () => {
    const lines = targets(new Map([fig(moderate, { readers_dropped: 1, baseline_p50_ms: null, baseline_p99_ms: null })]));
    expect(lines[0]).toMatch(/zero loss \*\*not met\*\*/);
    expect(lines[0]).not.toMatch(/ met \(/);
  });

  it('names the bounds that closed dropped readers, so a miss says whether a queue cap or the lag probe did it', () => {
    const lines = targets(new Map([fig(moderate, { readers_dropped: 57, slow_dropped: 57, slow_dropped_by: { messages: 50, lag: 7, bytes: 0 } })]));
    expect(lines[0]).toMatch(/zero loss \*\*not met\*\* \(slow consumers closed by messages: 50, lag: 7\)/);
    expect(targets(new Map([fig(moderate, {})]))[0]).not.toMatch(/closed by/);
  });
});
