/**
 * bench:e2e judges bookfuse against the transport floor of the same rounds: both sides are medians
 * over the rounds, every round is listed, and the JSON keeps the fields its readers rely on.
 */
import { describe, expect, it } from 'vitest';
import { combineRounds, e2eMarkdown, judge, type LoadResult, type RoundRun } from '../../bench/e2e-report.js';
import { jsonFor, fromResult } from '../../bench/lib/normalize.js';

function load(p50: number, p99: number, f: Partial<LoadResult> = {}): LoadResult {
  return {
    load: 'realistic',
    samples: 1000,
    p50_ms: p50,
    p99_ms: p99,
    p999_ms: p99 * 2,
    hops: { 'sim send→collector receipt': { p50_ms: p50 / 4, p99_ms: p99 / 4 }, 'sim send→client': { p50_ms: p50, p99_ms: p99 } },
    cpu_cores: 0.2,
    max_rss_mb: 100,
    per_service: { collector: { cpu_cores: 0.1, rss_mb: 90, max_rss_mb: 100 } },
    ...f,
  };
}

const run = (first: RoundRun['first'], l: LoadResult, floorP50: number, floorP99: number): RoundRun => ({ first, load: l, floor: { p50_ms: floorP50, p99_ms: floorP99, samples: 500 } });

const x10 = load(4, 12, { load: 'x10', max_rss_mb: 120 });

describe('bench:e2e rounds', () => {
  const runs = [
    run('realistic', load(3, 10, { cpu_cores: 0.3, max_rss_mb: 110, per_service: { collector: { cpu_cores: 0.3, rss_mb: 95, max_rss_mb: 110 } } }), 2.9, 9),
    run('floor', load(5, 30, { cpu_cores: 0.1 }), 4.8, 29),
    run('realistic', load(2, 8, { cpu_cores: 0.2 }), 1.4, 5),
  ];
  const { realistic, floor } = combineRounds(runs);

  it('takes latency, hops and CPU as medians over the rounds, RSS as the worst round, samples as the total', () => {
    expect(realistic).toMatchObject({ p50_ms: 3, p99_ms: 10, p999_ms: 20, cpu_cores: 0.2, max_rss_mb: 110, samples: 3000, floor_p50_ms: 2.9, floor_p99_ms: 9 });
    expect(floor).toEqual({ p50_ms: 2.9, p99_ms: 9, samples: 1500 });
    expect(realistic.hops['sim send→collector receipt']).toEqual({ p50_ms: 0.75, p99_ms: 2.5 });
    expect(realistic.per_service['collector']).toEqual({ cpu_cores: 0.1, rss_mb: 95, max_rss_mb: 110 });
  });

  it('keeps every round with its own floor', () => {
    expect(realistic.rounds).toEqual([
      { first: 'realistic', p50_ms: 3, p99_ms: 10, samples: 1000, floor_p50_ms: 2.9, floor_p99_ms: 9, floor_samples: 500 },
      { first: 'floor', p50_ms: 5, p99_ms: 30, samples: 1000, floor_p50_ms: 4.8, floor_p99_ms: 29, floor_samples: 500 },
      { first: 'realistic', p50_ms: 2, p99_ms: 8, samples: 1000, floor_p50_ms: 1.4, floor_p99_ms: 5, floor_samples: 500 },
    ]);
  });

  it('judges the median realistic figures against the median floor of the same rounds, however slow both are', () => {
    expect(judge(realistic, x10)).toEqual({ p50: true, p99: true, x10_p99: true, cpu: true, rss: true });
    const slow = combineRounds([run('realistic', load(40.4, 100), 40, 98.5)]).realistic;
    expect(judge(slow, x10)).toMatchObject({ p50: true, p99: true });
    const over = combineRounds([run('realistic', load(2.6, 8.1), 2, 6)]).realistic;
    expect(judge(over, x10)).toMatchObject({ p50: false, p99: false });
  });

  it('writes the method and every round into the section', () => {
    const md = e2eMarkdown({ clients: 10, seconds: 10, x10Seconds: 30, loadWarmupS: 8, floorWarmupS: 3, realistic, x10, floor });
    expect(md).toMatch(/^## End to end \(`npm run bench:e2e`\)/);
    expect(md).toContain('Method: 3 rounds, each bookfuse at realistic load and the transport floor back to back');
    expect(md).toContain('bookfuse first in rounds 1, 3');
    expect(md).toContain('| 2 | floor | 5 / 30 | 4.8 / 29 | 0.2 | 1 | 1000 (500) |');
    expect(md).toContain('realistic p50 ≤ floor p50 + 0.5 ms (meets: 3 vs 3.4)');
  });

  it('adds the co-located topology of the same rounds, judged against its own four-hop floor, when it ran', () => {
    const co = combineRounds([run('colocated', load(2.5, 9), 2.2, 8), run('floor4', load(4, 29), 3.3, 26), run('colocated', load(1.8, 7), 1.4, 5)]).realistic;
    const md = e2eMarkdown({ clients: 10, seconds: 10, x10Seconds: 30, loadWarmupS: 8, floorWarmupS: 3, realistic, x10, floor, colocated: co });
    expect(md).toContain('each bookfuse at realistic load, bookfuse co-located and its four-hop floor (below) and the transport floor back to back');
    expect(md).toContain('### Co-located collector + merger (`bookfuse colocated`, #17.4)');
    expect(md).toContain('| 2 | 4 / 29 | 3.3 / 26 | 0.7 | 3 |');
    expect(md).toContain('| median | 2.5 / 9 | 2.2 / 8 | 0.3 | 1 |');
    expect(md).toContain('p50 ≤ floor p50 + 0.5 ms (meets: 2.5 vs 2.7), p99 ≤ floor p99 + 2 ms (meets: 9 vs 10)');
    expect(e2eMarkdown({ clients: 10, seconds: 10, x10Seconds: 30, loadWarmupS: 8, floorWarmupS: 3, realistic, x10, floor })).not.toContain('Co-located');
  });

  it('takes each hop from the observed run when there is one, its end-to-end figures beside the judged ones', () => {
    const observed = load(3.4, 11, { hops: { 'collector publish→merger publish': { p50_ms: 0.8, p99_ms: 4 } } });
    const co = combineRounds([run('colocated', load(2.5, 9), 2.2, 8)]).realistic;
    const coObserved = load(2.7, 9.5, { hops: { 'collector publish→merger publish': { p50_ms: 0.04, p99_ms: 0.2 } } });
    const md = e2eMarkdown({ clients: 10, seconds: 10, x10Seconds: 30, loadWarmupS: 8, floorWarmupS: 3, realistic, x10, floor, colocated: co, segments: { standard: observed, colocated: coObserved } });
    expect(md).toContain('| hop (one observed run after the rounds: end to end 3.4 / 11 ms with the observer, 3 / 10 without) | p50 ms | p99 ms |');
    expect(md).toContain('| collector publish→merger publish | 0.8 | 4 |');
    expect(md).toContain('| collector publish→merger publish | 0.04 | 0.2 |');
    // without an observed run, the hops the clients stamp, medians of the rounds
    expect(e2eMarkdown({ clients: 10, seconds: 10, x10Seconds: 30, loadWarmupS: 8, floorWarmupS: 3, realistic, x10, floor })).toContain('| sim send→collector receipt | 0.75 | 2.5 |');
  });

  it('gives the --json fields the runner requires, and the rounds beside them', () => {
    const json = jsonFor(fromResult('e2e', { suite: 'e2e', json: { realistic, x10, floor }, rows: [], markdown: '' }));
    expect(json['note']).toBeUndefined();
    expect(json).toMatchObject({ realistic: { p50_ms: 3, p99_ms: 10, floor_p50_ms: 2.9, floor_p99_ms: 9, cpu_cores: 0.2, max_rss_mb: 110 }, x10: { p99_ms: 12 }, floor: { p50_ms: 2.9 } });
    expect((json['realistic'] as { rounds: unknown[] }).rounds).toHaveLength(3);
  });
});
