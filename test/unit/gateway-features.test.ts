/**
 * The pure parts of #16 in the gateway: venue sets and subset levels (exact sums), the events
 * filter, the alert history (paging, symbol filter, expiry by count and age), and window-protocol
 * messages.
 */
import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../libs/core/index.js';
import { AlertHistory } from '../../services/gateway/alert-history.js';
import { parseEvents } from '../../services/gateway/event-filter.js';
import { parseVenueSet, subsetLevel, subsetLevels } from '../../services/gateway/venue-subset.js';
import { parseWindowsMessage } from '../../services/gateway/windows-protocol.js';

const KNOWN = ['binance-usdm', 'okx-swap', 'bybit-linear'];

describe('venue sets', () => {
  it('sorts and dedupes; null/undefined = every venue; names the unknown ones', () => {
    expect(parseVenueSet('okx-swap,binance-usdm,okx-swap', KNOWN)).toEqual(['binance-usdm', 'okx-swap']);
    expect(parseVenueSet(['bybit-linear'], KNOWN)).toEqual(['bybit-linear']);
    expect(parseVenueSet(null, KNOWN)).toBeNull();
    expect(parseVenueSet(undefined, KNOWN)).toBeNull();
    expect(parseVenueSet('okx-swap,kraken,Bad Name', KNOWN)).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/"kraken", "Bad Name"/) });
    expect(parseVenueSet([], KNOWN)).toMatchObject({ code: 'BAD_REQUEST' });
    expect(parseVenueSet([1], KNOWN)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('a subset level is the exact sum of the selected venues that count; the others are not shown', () => {
    const per = { 'binance-usdm': '0.1', 'okx-swap': '0.2', 'bybit-linear': '7' };
    expect(subsetLevel('100', per, new Set(['binance-usdm', 'okx-swap']), new Set(['binance-usdm', 'okx-swap']))).toEqual(['100', '0.3', { 'binance-usdm': '0.1', 'okx-swap': '0.2' }]);
    // a selected venue that does not count is shown beside the total, not in it
    expect(subsetLevel('100', per, new Set(['binance-usdm', 'okx-swap']), new Set(['binance-usdm']))).toEqual(['100', '0.1', { 'binance-usdm': '0.1', 'okx-swap': '0.2' }]);
    expect(subsetLevel('100', per, new Set(['okx-swap']), new Set())).toEqual(['100', '0', {}]);
    const views = { 'okx-swap': { state: 'stale', mid: null, age_ms: 9000, stale: true, divergent: false, member: false } } as const;
    expect(subsetLevels([['100', '7.3', per], ['99', '1', { 'okx-swap': '1' }]], new Set(['okx-swap', 'bybit-linear']), views)).toEqual([['100', '7', { 'okx-swap': '0.2', 'bybit-linear': '7' }]]);
  });
});

describe('events filter', () => {
  it('defaults to all, keeps the canonical order, refuses unknown kinds by name', () => {
    expect(parseEvents(undefined)).toEqual(['BOOK', 'TRADE', 'ALERT']);
    expect(parseEvents('alert,book')).toEqual(['BOOK', 'ALERT']);
    expect(parseEvents(['TRADE'])).toEqual(['TRADE']);
    expect(parseEvents('BOOK,NEWS')).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('"NEWS"') });
    expect(parseEvents([])).toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('AlertHistory', () => {
  const alert = (id: number, symbol = 'BTC-USD'): AlertMessage & { id: number } => ({ id, v: 1, symbol, kind: 'STALE', venue: 'okx-swap', priority: 'P0', detail: {}, ts: id });

  it('returns what came after an id, by symbol, paged with next_after', () => {
    const h = new AlertHistory(100, 60_000);
    h.startAt(1);
    for (let i = 1; i <= 6; i++) h.add(alert(i, i % 2 ? 'BTC-USD' : 'ETH-USD'), 0);
    expect(h.after(2, undefined, 10, 0)).toEqual({ alerts: [3, 4, 5, 6].map((i) => alert(i, i % 2 ? 'BTC-USD' : 'ETH-USD')), next_after: 6 });
    expect(h.after(0, 'ETH-USD', 2, 0)).toMatchObject({ next_after: 4 });
    expect(h.after(4, 'ETH-USD', 2, 0)).toMatchObject({ alerts: [alert(6, 'ETH-USD')], next_after: 6 });
    expect(h.after(6, undefined, 10, 0)).toEqual({ alerts: [], next_after: 6 });
    // twice the same id, or an older one, is ignored
    h.add(alert(5), 0);
    expect(h.size).toBe(6);
  });

  it('says expired when the history no longer reaches back: by count, by age, and for a log that started late', () => {
    const h = new AlertHistory(3, 1_000);
    h.startAt(1);
    for (let i = 1; i <= 5; i++) h.add(alert(i), i * 100);
    expect(h.after(0, undefined, 10, 500)).toEqual({ expired: true, oldest: 3 });
    expect(h.after(2, undefined, 10, 500)).toMatchObject({ alerts: [alert(3), alert(4), alert(5)] });
    expect(h.after(3, undefined, 10, 1_450)).toEqual({ expired: true, oldest: 5 });
    const late = new AlertHistory(10, 1_000);
    late.startAt(40);
    expect(late.after(38, undefined, 10, 0)).toEqual({ expired: true, oldest: 40 });
    expect(late.after(39, undefined, 10, 0)).toEqual({ alerts: [], next_after: 39 });
  });
});

describe('window protocol messages', () => {
  const parse = (m: unknown) => parseWindowsMessage(typeof m === 'string' ? m : JSON.stringify(m), ['BTC', 'ETH'], ['5m', '1h']);
  it('subscribe (marketTypes omitted = all, kept in the offered order), unsubscribe, and each error', () => {
    expect(parse({ type: 'subscribe', asset: 'BTC' })).toEqual({ type: 'subscribe', asset: 'BTC', marketTypes: ['5m', '1h'] });
    expect(parse({ type: 'subscribe', asset: 'ETH', marketTypes: ['1h', '5m', '1h'] })).toEqual({ type: 'subscribe', asset: 'ETH', marketTypes: ['5m', '1h'] });
    expect(parse({ type: 'unsubscribe' })).toEqual({ type: 'unsubscribe' });
    expect(parse('nope')).toMatchObject({ type: 'error', code: 'INVALID_JSON' });
    expect(parse([1])).toMatchObject({ type: 'error', code: 'INVALID_JSON' });
    expect(parse({ type: 'ping' })).toMatchObject({ type: 'error', code: 'UNKNOWN_TYPE' });
    expect(parse({ type: 'subscribe', asset: 'SOL' })).toMatchObject({ type: 'error', code: 'UNKNOWN_ASSET' });
    expect(parse({ type: 'subscribe', asset: 'BTC', marketTypes: ['5m', '2h'] })).toMatchObject({ type: 'error', code: 'UNKNOWN_MARKET_TYPE', message: expect.stringContaining('"2h"') });
    expect(parse({ type: 'subscribe', asset: 'BTC', marketTypes: [] })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
    expect(parse({ type: 'subscribe' })).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
  });
});
