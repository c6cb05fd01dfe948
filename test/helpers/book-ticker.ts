/**
 * Binance bookTicker cross-check for capture replays: whenever a book's last applied update id
 * equals a recorded bookTicker's `u`, the rebuilt best bid and ask (price and size) must equal
 * that ticker. Tickers and depth travel on different streams, so a ticker waits until the book
 * reaches its `u`. Works for any sync that exposes `lastUpdateId` (spot and USD-M).
 */
import { canonicalDecimal, type L2Book, type CaptureLine } from '../../libs/core/index.js';
import { type VenueAdapter, type EngineOutput, type VenueEngine, replayFile, type ReplayOptions, type ReplayResult } from '../../libs/venues/index.js';

export interface TickerCheck {
  compared: number;
  mismatches: string[];
}

interface Ticker {
  s: string;
  u: number;
  b: string;
  B: string;
  a: string;
  A: string;
}

interface TickerComparable {
  readonly lastUpdateId: number;
  readonly book: L2Book;
}

export async function replayWithTickers(
  adapter: VenueAdapter<unknown>,
  path: string,
  opts: Omit<ReplayOptions, 'onLine'> & { onOutput?: (o: EngineOutput, line: CaptureLine) => void },
): Promise<{ result: ReplayResult; tickers: TickerCheck }> {
  const tickers: TickerCheck = { compared: 0, mismatches: [] };
  const pending = new Map<string, Map<number, Ticker>>();
  const check = (engine: VenueEngine) => {
    for (const [sym, byU] of pending) {
      const entry = engine.books.get(sym);
      if (!entry || entry.state !== 'live') continue;
      const sync = entry.sync as unknown as TickerComparable;
      const t = byU.get(sync.lastUpdateId);
      if (!t) continue;
      byU.delete(t.u);
      tickers.compared++;
      const top = [sync.book.levels(true, 1)[0], sync.book.levels(false, 1)[0]];
      const want = [
        [canonicalDecimal(t.b), canonicalDecimal(t.B)],
        [canonicalDecimal(t.a), canonicalDecimal(t.A)],
      ];
      if (JSON.stringify(top) !== JSON.stringify(want)) tickers.mismatches.push(`${t.s}@${t.u}: ${JSON.stringify(top)} != ${JSON.stringify(want)}`);
    }
  };
  let last: VenueEngine | undefined;
  const result = await replayFile(adapter, path, {
    ...opts,
    onLine: (line, engine) => {
      last = engine;
      check(engine); // the previous line's effect
      if (line.src !== 'ws' || !line.raw.includes('@bookTicker"')) return;
      const t = (JSON.parse(line.raw) as { data: Ticker }).data;
      if (!pending.has(t.s)) pending.set(t.s, new Map());
      pending.get(t.s)!.set(t.u, t);
    },
  });
  if (last) check(last);
  return { result, tickers };
}
