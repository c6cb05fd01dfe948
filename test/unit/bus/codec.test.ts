import { describe, expect, it } from 'vitest';
import { asAlertMessage, asBookMessage, asConsensusTradeMessage, asLiquidationMessage, asStatusMessage, asTradeMessage } from '../../../libs/bus/index.js';
import { BookfuseError } from '../../../libs/core/index.js';

const book = { v: 1, kind: 'delta', venue: 'binance-usdm', symbol: 'BTC-USDT', seq: 2, prev_seq: 1, ts: 1, recv_ts: 2, depth: 50, bids: [['1.5', '2']], asks: [] };
const trade = { v: 1, venue: 'okx-swap', symbol: 'BTC-USDT', id: 't1', price: '100.5', qty: '0.01', side: 'buy', ts: 1, recv_ts: 2 };
const liq = { ...trade, id: 'l1', side: 'sell', liquidated: 'long', notional_usd: '1.005', coverage: 'sampled' };
const status = { v: 1, venue: 'bybit-linear', state: 'live', symbols: {}, ts: 1 };

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BookfuseError);
    expect((e as BookfuseError).code).toBe('BAD_MESSAGE');
    return (e as Error).message;
  }
  throw new Error('accepted');
}

describe('bus codec: every message shape is checked before a subscriber sees it', () => {
  it('accepts well-formed messages as they are', () => {
    expect(asBookMessage(book)).toBe(book);
    expect(asTradeMessage(trade)).toBe(trade);
    expect(asLiquidationMessage(liq)).toBe(liq);
    expect(asStatusMessage({ ...status, line: 'B' })).toEqual({ ...status, line: 'B' });
    expect(asConsensusTradeMessage({ symbol: 'BTC-USD', id: 'x', price: '1', qty: '2', side: 'sell', ts: 3 })).toBeDefined();
    expect(asAlertMessage({ symbol: 'BTC-USD', kind: 'STALE', venue: 'okx-swap', ts: 3 })).toBeDefined();
  });

  it('refuses a bad field with BAD_MESSAGE naming it, the first problem in field order', () => {
    expect(refusal(() => asBookMessage({ ...book, kind: 'full' }))).toMatch(/field kind/);
    expect(refusal(() => asBookMessage({ ...book, bids: [['1e3', '1']] }))).toMatch(/field bids holds a malformed level/);
    expect(refusal(() => asBookMessage({ ...book, seq: '2', bids: 'x' }))).toMatch(/field seq must be a number/);
    expect(refusal(() => asTradeMessage({ ...trade, price: '.5' }))).toMatch(/field price must be a decimal/);
    expect(refusal(() => asLiquidationMessage({ ...liq, coverage: 'all' }))).toMatch(/field coverage/);
    expect(refusal(() => asStatusMessage({ ...status, symbols: [] }))).toMatch(/symbols is not an object/);
    expect(refusal(() => asTradeMessage({ ...trade, line: 'a line too long to be one' }))).toMatch(/field line/);
    expect(refusal(() => asAlertMessage({ symbol: 'BTC-USD', kind: 'PANIC', venue: 'x', ts: 1 }))).toMatch(/field kind/);
    expect(refusal(() => asBookMessage([]))).toMatch(/book message is not an object/);
  });
});
