/**
 * Trades and liquidations, venue units → canonical messages (the engine's flow side; books stay
 * in engine.ts). A symbol without metadata is reported; one without unit conversion is skipped.
 */
import { Decimal, convertDecimal, decString, type Instrument } from '../core/index.js';
import type { VenueLiquidation, VenueTrade } from './adapter.js';
import type { EngineOutput, EngineStats } from './engine-output.js';

type InstrumentOf = (venueSymbol: string) => Instrument | null;

export function tradeMessages(venue: string, trades: VenueTrade[], recvTs: number, instrumentOf: InstrumentOf, stats: EngineStats): EngineOutput[] {
  const out: EngineOutput[] = [];
  for (const t of trades) {
    const inst = instrumentOf(t.venueSymbol);
    if (!inst?.conversion) {
      if (!inst) out.push({ type: 'problem', code: 'UNKNOWN_SYMBOL', venueSymbol: t.venueSymbol, detail: 'trade for an unknown instrument' });
      continue;
    }
    stats.trades++;
    out.push({
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
    });
  }
  return out;
}

export function liquidationMessages(venue: string, liqs: VenueLiquidation[], recvTs: number, instrumentOf: InstrumentOf, stats: EngineStats): EngineOutput[] {
  const out: EngineOutput[] = [];
  for (const l of liqs) {
    const inst = instrumentOf(l.venueSymbol);
    if (!inst?.conversion) {
      if (!inst) out.push({ type: 'problem', code: 'UNKNOWN_SYMBOL', venueSymbol: l.venueSymbol, detail: 'liquidation for an unknown instrument' });
      continue;
    }
    stats.liquidations++;
    const price = convertDecimal(l.price, inst.conversion.price);
    const qty = convertDecimal(l.qty, inst.conversion.size);
    out.push({
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
    });
  }
  return out;
}

/** Venues without liquidation ids: the content is the identity (same event ⇒ same id). */
export function liquidationId(l: VenueLiquidation): string {
  return `${l.venueSymbol}-${l.ts}-${l.side}-${l.price}-${l.qty}`;
}
