import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChain, type Chain } from './chain.js';
import { families, promtoolProblems, ruleProblems } from './prom-rules.js';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = (page: string) => readFileSync(join(ROOT, 'docs', page), 'utf8');
const PAGES = { collector: 'collector.md', merger: 'merger.md', gateway: 'gateway.md', firehose: 'firehose.md' } as const;
type Service = keyof typeof PAGES;
const mentions = (text: string, name: string) => new RegExp(`\\b${name}(?![a-z0-9_])`).test(text);

describe('the naming rules checked without promtool', () => {
  it('catch what promtool caught before the renames: _ms units, _total gauges, a counter family clashing with a gauge', () => {
    const old = [
      '# TYPE bookfuse_gateway_merge_to_queue_ms histogram',
      '# TYPE bookfuse_process_nodejs_active_handles_total gauge',
      '# TYPE bookfuse_gateway_connections gauge',
      '# TYPE bookfuse_gateway_connections_total counter',
      '# TYPE bookfuse_merger_venue_divergence_bps gauge',
      '# TYPE bookfuse_merger_published counter',
    ].join('\n');
    expect(ruleProblems(old)).toEqual([
      'bookfuse_gateway_merge_to_queue_ms: abbreviated unit "ms" (use base units: seconds, bytes, ratio)',
      'bookfuse_process_nodejs_active_handles_total: gauge ends in _total (counters only)',
      "bookfuse_gateway_connections_total: its family name is another metric's name",
      'bookfuse_merger_venue_divergence_bps: abbreviated unit "bps" (use base units: seconds, bytes, ratio)',
      'bookfuse_merger_published: counter without _total',
    ]);
  });
});

describe('every service /metrics passes promtool and is documented (#15 item 4)', () => {
  let chain: Chain;
  const scraped = new Map<Service, string>();

  beforeAll(async () => {
    chain = await startChain();
    // a little traffic so that labelled series exist too
    await new Promise((r) => setTimeout(r, 1500));
    for (const s of Object.keys(PAGES) as Service[]) scraped.set(s, await (await fetch(`${chain.urls[s]}/metrics`)).text());
  }, 60_000);
  afterAll(() => chain?.stop());

  for (const service of Object.keys(PAGES) as Service[]) {
    it(`${service}: promtool check metrics finds nothing (or, without promtool, the same rules do)`, () => {
      const text = scraped.get(service)!;
      expect(families(text).length).toBeGreaterThan(20);
      const promtool = promtoolProblems(text);
      if (promtool !== null) expect(promtool, 'promtool check metrics').toEqual([]);
      expect(ruleProblems(text)).toEqual([]);
    });

    it(`${service}: every metric is listed in docs/${PAGES[service]} (process metrics in docs/metrics.md), and every one listed there exists`, () => {
      const names = families(scraped.get(service)!).map((f) => f.name);
      const page = doc(PAGES[service]);
      const shared = doc('metrics.md');
      const undocumented = names.filter((n) => !mentions(n.startsWith(`bookfuse_${service}_`) ? page : shared, n));
      expect(undocumented).toEqual([]);
      const listed = [...new Set([...page.matchAll(new RegExp(`\\bbookfuse_${service}_[a-z0-9_]+`, 'g'))].map((m) => m[0]))];
      expect(listed.filter((n) => !names.includes(n))).toEqual([]);
    });
  }
});
