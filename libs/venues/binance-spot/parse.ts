/**
 * Binance Spot frames → ParsedFrame (venues.md §1).
 * https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams
 *
 * Every price and size is checked to be a plain decimal here, before any book sees it, so a bad
 * frame is one BAD_FRAME rejection and never a half-applied diff.
 */
import { canonicalDecimal } from '../../core/index.js';
import type { DriftSink } from '../drift.js';
import type { ParsedFrame } from '../adapter.js';
import { parseBinanceFrame, parseDepthEvent, parseTrade, type DepthEvent } from '../binance-common/frames.js';
import { bad, decField, decLevelsField, type Obj } from '../validate.js';

export function parseSpotFrame(raw: string, _recvTs: number, drift?: DriftSink): ParsedFrame<DepthEvent> {
  return parseBinanceFrame(raw, 'binance-spot', drift, spotEvent);
}

function spotEvent(d: Obj): ParsedFrame<DepthEvent> {
  switch (d['e']) {
    case 'depthUpdate': {
      decLevelsField(d, 'b', 'depthUpdate');
      decLevelsField(d, 'a', 'depthUpdate');
      const ev = parseDepthEvent(d);
      return { kind: 'book', venueSymbol: ev.symbol, frame: ev };
    }
    case 'trade':
    case 'aggTrade': {
      // @trade is what we subscribe to; aggTrade appears in older recordings (ids are `a`).
      // Canonical strings ("61837.63", not "61837.63000000"), as the books publish them.
      const t = parseTrade(d);
      t.price = canonicalDecimal(decField(d, 'p', String(d['e'])));
      t.qty = canonicalDecimal(decField(d, 'q', String(d['e'])));
      return { kind: 'trades', trades: [t] };
    }
    case 'serverShutdown':
      return { kind: 'reconnect', reason: 'serverShutdown' };
    case 'kline':
    case '24hrTicker':
    case '24hrMiniTicker':
      return { kind: 'ignored', note: String(d['e']) };
    case undefined:
      // Spot @bookTicker carries no `e`: {"u","s","b","B","a","A"}
      if (typeof d['u'] === 'number' && typeof d['s'] === 'string' && typeof d['b'] === 'string' && typeof d['a'] === 'string') return { kind: 'ignored', note: 'bookTicker' };
      throw bad('binance-spot: frame without an event type');
    default:
      throw bad(`binance-spot: unknown event ${JSON.stringify(d['e'])}`);
  }
}
