import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeSections, parseSections, renderSection } from '../../bench/report.js';
import { runBench, type SuiteEntry } from '../../bench/run.js';
import { fromResult, jsonFor } from '../../bench/lib/normalize.js';

const firehose = renderSection({ name: 'firehose', body: '## Firehose\n\n| clients | p99 |\n|---|---|\n| 2000 | 4.2 ms |' });

describe('docs/benchmarks.md sections', () => {
  it('replaces the sections a run wrote and keeps every other section byte for byte', () => {
    const before = [renderSection({ name: 'header', body: '# old' }), renderSection({ name: 'book', body: 'old book' }), firehose].join('\n\n');
    const after = mergeSections(before, [
      { name: 'header', body: '# new' },
      { name: 'book', body: 'new book' },
      { name: 'venues', body: 'venues' },
    ]);
    expect(after).toContain(firehose);
    expect(parseSections(after).map((s) => [s.name, s.body])).toEqual([
      ['header', '# new'],
      ['book', 'new book'],
      ['firehose', parseSections(firehose)[0]!.body],
      ['venues', 'venues'],
    ]);
    expect(mergeSections(after, [])).toBe(after);
  });

  it('a placeholder for a suite that could not run never replaces measured figures', () => {
    const doc = mergeSections('', [{ name: 'merge', body: 'measured' }]);
    expect(parseSections(mergeSections(doc, [{ name: 'merge', body: 'not available', ifAbsent: true }]))[0]!.body).toBe('measured');
    expect(parseSections(mergeSections('', [{ name: 'merge', body: 'not available', ifAbsent: true }]))[0]!.body).toBe('not available');
  });
});

describe('suite results', () => {
  it('a plain result object is passed through, tabled by its numeric fields, and required fields it lacks stay null', () => {
    const merge = fromResult('merge', { deltas_per_s: 1234.5, p99_us: 7, rounds: [1, 2], label: 'x' });
    expect(merge.rows).toEqual([
      ['deltas_per_s', '1,235'],
      ['p99_us', '7.00'],
    ]);
    expect(merge.report?.markdown).toContain('| deltas_per_s | 1,235 |');
    expect(jsonFor(merge)).toEqual({ deltas_per_s: 1234.5, p99_us: 7, rounds: [1, 2], label: 'x', status: 'ok' });
    const e2e = jsonFor(fromResult('e2e', { realistic: { p50_ms: 3, p99_ms: Number.NaN } }));
    expect(e2e).toMatchObject({ realistic: { p50_ms: 3, p99_ms: null, floor_p50_ms: null, floor_p99_ms: null, cpu_cores: null, max_rss_mb: null }, x10: { p99_ms: null } });
    expect(e2e['note']).toBe('suite did not report realistic.p99_ms, realistic.floor_p50_ms, realistic.floor_p99_ms, realistic.cpu_cores, realistic.max_rss_mb, x10.p99_ms');
  });
});

describe('bench runner', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reports a suite whose module is missing as not available, with null figures, and keeps foreign sections', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-run-'));
    dirs.push(dir);
    const doc = join(dir, 'benchmarks.md');
    await writeFile(doc, `${firehose}\n`);
    const suites: SuiteEntry[] = [
      { name: 'merge', module: './no-such-merge-suite.js', fn: 'runMergeBench' },
      { name: 'e2e', module: './report.js', fn: 'runE2eBench' },
      { name: 'book', module: './book.js', fn: 'runBookBench' },
    ];
    const out: string[] = [];
    const err: string[] = [];
    const { json, ok } = await runBench(['merge', 'e2e', '--json', '--doc', doc], { out: (t) => out.push(t), err: (t) => err.push(t) }, suites);
    expect(ok).toBe(true);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toEqual(json);
    expect(json['merge']).toMatchObject({ status: 'not available', deltas_per_s: null });
    expect(json['e2e']).toMatchObject({ status: 'not available', realistic: { p50_ms: null, p99_ms: null, floor_p50_ms: null, floor_p99_ms: null, cpu_cores: null, max_rss_mb: null }, x10: { p99_ms: null } });
    expect(String((json['e2e'] as { note: string }).note)).toContain('does not export runE2eBench');
    expect(json['book']).toMatchObject({ status: 'not run', bookfuse_deltas_per_s: null, tardis_deltas_per_s: null, ccxt_deltas_per_s: null, bookfuse_top50_read_us: null });
    const written = await readFile(doc, 'utf8');
    expect(written).toContain(firehose);
    expect(parseSections(written).map((s) => s.name)).toEqual(['header', 'firehose', 'merge', 'e2e']);
    expect(written).toMatch(/Last run: \d{4}-\d\d-\d\dT.* cores/);
  });

  it('refuses unknown suites and options instead of running something else', async () => {
    const io = { out: () => {}, err: () => {} };
    await expect(runBench(['bogus', '--no-write'], io)).rejects.toThrow(/unknown suite bogus/);
    await expect(runBench(['--fast'], io)).rejects.toThrow(/unknown option --fast/);
  });
});
