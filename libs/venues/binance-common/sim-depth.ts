/**
 * What the simulated Binance spot and USD-M share besides the socket protocol: per-symbol depth
 * update ids (so REST snapshots and streams agree, and skipSequence can withhold an event) and
 * the REST side, exchangeInfo and depth snapshots at the venue's paths and limits.
 */
import type { SimWorldView, VenueSimulator } from '../../simulator/index.js';

/** The ids one depth event carries: `pu` is the previous event's u (USD-M sends it). */
export interface EventIds {
  U: number;
  u: number;
  pu: number;
}

export class DepthIds {
  private readonly ids: Map<string, { u: number; skip: boolean }>;

  constructor(symbols: string[], start: number) {
    this.ids = new Map(symbols.map((s) => [s, { u: start, skip: false }]));
  }

  /**
   * Consume `span` ids for one event of `symbol`, listened to or not. Null for an unknown symbol
   * or when the event is withheld (the ids are spent all the same: a gap the client must see).
   */
  next(symbol: string, span: number): EventIds | null {
    const st = this.ids.get(symbol);
    if (!st) return null;
    const pu = st.u;
    st.u += span;
    if (st.skip) {
      st.skip = false;
      return null;
    }
    return { U: pu + 1, u: st.u, pu };
  }

  /** the last id consumed: a snapshot's lastUpdateId */
  last(symbol: string): number | undefined {
    return this.ids.get(symbol)?.u;
  }

  /** withhold the next event of every symbol */
  skipAll(): void {
    for (const st of this.ids.values()) st.skip = true;
  }
}

export interface BinanceRestPaths {
  exchangeInfo: string;
  depth: string;
  /** the depth endpoint's default and largest `limit` */
  defaultLimit: number;
  maxLimit: number;
  /** venue fields of a snapshot besides lastUpdateId, bids and asks (USD-M stamps E and T) */
  stamp?: (now: number) => object;
}

export function binanceRest(paths: BinanceRestPaths, ids: DepthIds, info: unknown, world: SimWorldView): VenueSimulator['handleRest'] {
  return (method, path, query) => {
    if (method !== 'GET') return undefined;
    if (path === paths.exchangeInfo) return { status: 200, body: info };
    if (path !== paths.depth) return undefined;
    const sym = query.get('symbol') ?? '';
    const lastUpdateId = ids.last(sym);
    if (lastUpdateId === undefined) return { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
    const limit = Math.min(paths.maxLimit, Number(query.get('limit') ?? paths.defaultLimit) || paths.defaultLimit);
    const book = world.book(sym, limit);
    return { status: 200, body: { lastUpdateId, ...paths.stamp?.(world.now()), bids: book.bids, asks: book.asks } };
  };
}
