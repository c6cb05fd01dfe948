/**
 * Trades and liquidations, venue units → canonical messages (the engine's flow side; books stay
 * in engine.ts). A symbol without metadata is reported; one without unit conversion is skipped.
 */
import { Decimal, convertDecimal, decString, type Instrument } from '../core/index.js';
import type { VenueLiquidation, VenueTrade } from './adapter.js';
import type { EngineOutput, EngineStats } from './engine-output.js';

type InstrumentOf = (venueSymbol: string) => Instrument | null;
type Converted = Instrument & { conversion: NonNullable<Instrument['conversion']> };

/**
 * Map each item whose instrument is known and convertible; an unknown symbol is a problem
 * output, one without a unit conversion is skipped (never published in venue units).
 */
function mapKnown<T extends { venueSymbol: string }>(items: T[], instrumentOf: InstrumentOf, what: string, map: (item: T, inst: Converted) => EngineOutput): EngineOutput[] {
  const out: EngineOutput[] = [];
  for (const item of items) {
    const inst = instrumentOf(item.venueSymbol);
    if (inst?.conversion) out.push(map(item, inst as Converted));
    else if (!inst) out.push({ type: 'problem', code: 'UNKNOWN_SYMBOL', venueSymbol: item.venueSymbol, detail: `${what} for an unknown instrument` });
  }
  return out;
}

export function tradeMessages(venue: string, trades: VenueTrade[], recvTs: number, instrumentOf: InstrumentOf, stats: EngineStats): EngineOutput[] {
  return mapKnown(trades, instrumentOf, 'trade', (t, inst) => {
    stats.trades++;
    return {
      type: 'trade',
      msg: {
        v: 1,
        venue,
        symbol: inst.symbol,
        id: t.id,
        price: convertDecimal(t.price, inst.conversion.price),
        qty: convertDecimal(t.qty, inst.conversion.size),
        side: t.side,
        ts: t.ts,
        recv_ts: recvTs,
      },
    };
  });
}

export function liquidationMessages(venue: string, liqs: VenueLiquidation[], recvTs: number, instrumentOf: InstrumentOf, stats: EngineStats): EngineOutput[] {
  return mapKnown(liqs, instrumentOf, 'liquidation', (l, inst) => {
    stats.liquidations++;
    const price = convertDecimal(l.price, inst.conversion.price);
    const qty = convertDecimal(l.qty, inst.conversion.size);
    return {
      type: 'liq',
      msg: {
        v: 1,
        venue,
        symbol: inst.symbol,
        id: l.id ?? liquidationId(l),
        side: l.side,
        liquidated: l.liquidated,
        price,
        qty,
        notional_usd: decString(new Decimal(price).mul(qty)),
        coverage: l.coverage,
        ts: l.ts,
        recv_ts: recvTs,
      },
    };
  });
}

/** Venues without liquidation ids: the content is the identity (same event ⇒ same id). */
export function liquidationId(l: VenueLiquidation): string {
  return `${l.venueSymbol}-${l.ts}-${l.side}-${l.price}-${l.qty}`;
}
