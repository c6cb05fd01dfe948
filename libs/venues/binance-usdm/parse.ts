/**
 * Binance USD-M frames → ParsedFrame (venues.md §2).
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams
 */
import { noteUnknown, type DriftSink } from '../drift.js';
import type { ParsedFrame, VenueLiquidation } from '../adapter.js';
import { parseBinanceFrame, parseDepthEvent, parseTrade, type DepthEvent } from '../binance-common/frames.js';
import { asObj, bad, intField, strField, type Obj } from '../validate.js';

export function parseUsdmFrame(raw: string, _recvTs: number, drift?: DriftSink): ParsedFrame<DepthEvent> {
  return parseBinanceFrame(raw, 'binance-usdm', drift, usdmEvent);
}

function usdmEvent(d: Obj, drift: DriftSink | undefined): ParsedFrame<DepthEvent> {
  switch (d['e']) {
    case 'depthUpdate': {
      const ev = parseDepthEvent(d);
      if (ev.pu === undefined) throw bad('USD-M depthUpdate without pu');
      // the transaction time T is the event time; without it the sync falls back to E
      if (ev.T === undefined) drift?.note('depthUpdate.T', 'fallback');
      return { kind: 'book', venueSymbol: ev.symbol, frame: ev };
    }
    case 'aggTrade':
    case 'trade':
      return { kind: 'trades', trades: [parseTrade(d)] };
    case 'forceOrder':
      return { kind: 'liquidations', liquidations: [parseForceOrder(d, drift)] };
    case 'serverShutdown':
      return { kind: 'reconnect', reason: 'serverShutdown' };
    case 'bookTicker':
    case 'markPriceUpdate':
    case 'kline':
    case '24hrTicker':
      return { kind: 'ignored', note: String(d['e']) };
    default:
      throw bad(`binance-usdm: unknown event ${JSON.stringify(d['e'])}`);
  }
}

const FORCE_ORDER_FIELDS: ReadonlySet<string> = new Set(['s', 'S', 'o', 'f', 'q', 'p', 'ap', 'X', 'l', 'z', 'T']);

/**
 * `forceOrder`: `o.S` is the side of the liquidation (closing) order, SELL ⇒ a long was
 * liquidated. Binance pushes only the latest liquidation per symbol per second ⇒ `sampled`.
 * The average fill price `ap` is preferred (venues.md §8.2); `z` is the filled quantity.
 */
export function parseForceOrder(d: Obj, drift?: DriftSink): VenueLiquidation {
  const o = asObj(d['o'], 'forceOrder.o');
  noteUnknown(o, FORCE_ORDER_FIELDS, 'forceOrder.o', drift);
  const S = strField(o, 'S', 'forceOrder');
  if (S !== 'BUY' && S !== 'SELL') throw bad(`forceOrder: side ${S}`);
  const ap = strField(o, 'ap', 'forceOrder');
  const z = strField(o, 'z', 'forceOrder');
  const positive = (s: string) => /[1-9]/.test(s);
  return {
    venueSymbol: strField(o, 's', 'forceOrder'),
    side: S === 'SELL' ? 'sell' : 'buy',
    liquidated: S === 'SELL' ? 'long' : 'short',
    price: positive(ap) ? ap : strField(o, 'p', 'forceOrder'),
    qty: positive(z) ? z : strField(o, 'q', 'forceOrder'),
    coverage: 'sampled',
    ts: intField(o, 'T', 'forceOrder'),
  };
}
