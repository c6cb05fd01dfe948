/**
 * `bookfuse replay … --json` on every real capture of the shared fixtures: the JSON shape users'
 * scripts rely on, zero gaps, resyncs, crossed books and rejected frames, and every checksum a
 * frame carries verified.
 */
import { describe, expect, it } from 'vitest';
import { cliBuilt, runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

interface ReplayJson {
  venue: string;
  frames: number;
  books: Record<string, { bids: [string, string][]; asks: [string, string][] }>;
  stats: Record<'snapshots' | 'deltas' | 'gaps' | 'resyncs' | 'checksum_ok' | 'checksum_failed' | 'crossed' | 'trades' | 'liquidations' | 'rejected', number>;
}

async function replay(file: string, venue: string, extra: string[] = []): Promise<ReplayJson> {
  const run = runCli(['replay', fixture(file), '--venue', venue, '--depth', '5', '--json', ...extra], {});
  const { code } = await run.exited;
  expect(code, run.out()).toBe(0);
  return JSON.parse(run.out()) as ReplayJson;
}

const CASES: [file: string, venue: string, symbols: string[], checksums: number][] = [
  ['binance-usdm/btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson', 'binance-usdm', ['BTC-USDT'], 0],
  ['binance-usdm/4symbols-20210722-depth100ms-bookticker-aggtrade.capture.ndjson', 'binance-usdm', ['AKRO-USDT', 'CTK-USDT', 'KEEP-USDT', 'SUSHI-USDT'], 0],
  ['binance-spot/btcusdt-20240808-depth100ms-trade-bookticker.capture.ndjson', 'binance-spot', ['BTC-USDT'], 0],
  ['binance-spot/4symbols-20211012-depth100ms-bookticker-aggtrade.capture.ndjson', 'binance-spot', ['BLZ-ETH', 'LRC-BTC', 'NKN-USDT', 'RUNE-EUR'], 0],
  ['bybit/xrpusdt-linear-orderbook500-20241201.ndjson', 'bybit-linear', ['XRP-USDT'], 0],
  ['okx/books-trades-tickers-20220513.capture.ndjson', 'okx-spot', ['BTC-USDT'], 290],
  ['hyperliquid/btc-20250126-l2book-trades.capture.ndjson', 'hyperliquid', ['BTC-USDC'], 0],
];

describe.runIf(cliBuilt())('bookfuse replay --json on every real capture', () => {
  it.each(CASES)('%s as %s', async (file, venue, symbols, checksums) => {
    const r = await replay(file, venue);
    expect(r.venue).toBe(venue);
    expect(r.frames).toBeGreaterThan(0);
    expect(Object.keys(r.books).sort()).toEqual(symbols);
    expect(r.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0, rejected: 0, checksum_failed: 0, checksum_ok: checksums });
    for (const [sym, b] of Object.entries(r.books)) {
      expect(b.bids.length, sym).toBe(5);
      expect(b.asks.length, sym).toBe(5);
      // best first, and never crossed
      expect(Number(b.bids[0]![0]) < Number(b.asks[0]![0]), sym).toBe(true);
    }
  });

  it('the final Bybit XRPUSDT top is 1.9537 / 1.9538 (PROVENANCE)', async () => {
    const r = await replay('bybit/xrpusdt-linear-orderbook500-20241201.ndjson', 'bybit-linear');
    expect(r.books['XRP-USDT']!.bids[0]![0]).toBe('1.9537');
    expect(r.books['XRP-USDT']!.asks[0]![0]).toBe('1.9538');
  });

  it('with OKX instrument metadata, inverse contracts are synced and counted but never in the books', async () => {
    const r = await replay('okx/books-trades-tickers-20220513.capture.ndjson', 'okx-swap', ['--instruments', fixture('okx', 'instruments-swap-20220513.json')]);
    expect(r.stats.checksum_ok).toBe(290);
    expect(Object.keys(r.books)).not.toContain('UNI-USD');
    expect(Object.keys(r.books)).not.toContain('BTC-USD');
  });

  it('rejects a call without --venue with a usage message and exit code 2', async () => {
    const run = runCli(['replay', fixture('okx/books-trades-tickers-20220513.capture.ndjson')], {});
    expect((await run.exited).code).toBe(2);
    expect(run.out()).toContain('usage: bookfuse replay');
  });
});
