import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturesFor, loadLines, runVenuesBench } from '../../bench/venues.js';
import { venueIds } from '../../libs/venues/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

describe('venue suite on the real recordings', () => {
  it('finds recordings by venue folder or exchange folder, never the single-message samples', () => {
    expect(capturesFor(FIXTURES, 'binance-usdm').map((p) => basename(p))).toEqual([
      '4symbols-20210722-depth100ms-bookticker-aggtrade.capture.ndjson',
      'btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson',
    ]);
    expect(capturesFor(FIXTURES, 'bybit-linear').map((p) => basename(p))).toEqual(['xrpusdt-linear-orderbook500-20241201.ndjson']);
    expect(capturesFor(FIXTURES, 'no-such-venue')).toEqual([]);
  });

  it('reads bare frame files as ws lines and capture files as captured', () => {
    const bare = loadLines(capturesFor(FIXTURES, 'bybit-linear')[0]!);
    expect(bare).toHaveLength(50);
    expect(bare.every((l) => l.src === 'ws' && l.raw.startsWith('{"topic":"orderbook.500.XRPUSDT"'))).toBe(true);
    const usdm = loadLines(capturesFor(FIXTURES, 'binance-usdm')[1]!);
    expect(usdm.filter((l) => l.src === 'rest')).toHaveLength(1);
  });

  it('replays every registered venue that has a recording and counts what its sync applied', async () => {
    const report = await runVenuesBench({ fixturesDir: FIXTURES, rounds: 1 });
    const withRecordings = venueIds().filter((v) => capturesFor(FIXTURES, v).length > 0);
    expect(new Set(report.files.map((f) => f.venue))).toEqual(new Set(withRecordings));
    const usdm = report.files.find((f) => f.venue === 'binance-usdm' && f.file.startsWith('btcusdt-20240808'))!;
    // 1 REST snapshot + 575 depth events, none rejected: the suite measured the real sync path
    expect(usdm.stats.snapshots).toBe(1);
    expect(usdm.stats.rejected).toBe(0);
    expect(usdm.levels).toBeGreaterThan(usdm.stats.deltas);
    for (const f of report.files) {
      expect(f.frames_per_s).toBeGreaterThan(0);
      expect(f.deltas_per_s / f.frames_per_s).toBeCloseTo(f.levels / f.frames, 6);
    }
  });
});
