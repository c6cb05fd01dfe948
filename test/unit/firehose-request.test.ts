import { describe, expect, it } from 'vitest';
import { isPing } from '../../services/firehose/payload.js';
import { normalizeTarget, type RequestTarget } from '../../libs/ws/index.js';
import { parseFeedRequest as parseTarget } from '../../services/firehose/request.js';

const parseFeedRequest = (url: string, headers: Record<string, string>) => parseTarget(normalizeTarget(url) as RequestTarget, headers);

describe('firehose upgrade request', () => {
  it('reads the endpoint, the key (?token=, Authorization: Bearer, X-API-KEY, as the gateway) and after', () => {
    expect(parseFeedRequest('/ws/v1/liquidation/feed?token=abc&after=42', {})).toEqual({ endpoint: 'feed', key: 'abc', after: 42, symbols: undefined, venues: undefined, unknownSymbols: [], unknownVenues: [] });
    expect(parseFeedRequest('/ws/v1/liquidation/feed?token=abc', { 'x-api-key': 'hdr' })).toMatchObject({ key: 'abc' });
    expect(parseFeedRequest('/ws/v1/liquidation/feed', { 'x-api-key': 'hdr' })).toMatchObject({ key: 'hdr' });
    expect(parseFeedRequest('/ws/v1/liquidation/feed', { authorization: 'Bearer bear' })).toMatchObject({ key: 'bear' });
    expect(parseFeedRequest('/ws/v1/liquidation/feed', {})).toMatchObject({ key: undefined, after: undefined });
  });

  it('normalizes filters: symbols upper-case, venues lower-case', () => {
    const r = parseFeedRequest('/ws/v1/liquidation?symbols=btc-usdt,%20ETH-USDT&venues=OKX-SWAP', {});
    expect(r).toMatchObject({ endpoint: 'filtered', symbols: new Set(['BTC-USDT', 'ETH-USDT']), venues: new Set(['okx-swap']) });
    expect(parseFeedRequest('/ws/v1/liquidation', {})).toMatchObject({ endpoint: 'filtered', symbols: undefined, venues: undefined });
  });

  it('reports filter names that exist nowhere and keeps the known ones', () => {
    const universe = { venues: ['okx-swap', 'binance-usdm'], isSymbol: (s: string) => /^[A-Z0-9]+-[A-Z0-9]+$/.test(s) };
    const parse = (url: string) => parseTarget(normalizeTarget(url) as RequestTarget, {}, universe);
    expect(parse('/ws/v1/liquidation?symbols=BTCUSDT,ETH-USDT&venues=binance,okx-swap')).toMatchObject({
      symbols: new Set(['ETH-USDT']),
      venues: new Set(['okx-swap']),
      unknownSymbols: ['BTCUSDT'],
      unknownVenues: ['binance'],
    });
    expect(parse('/ws/v1/liquidation?symbols=BTCUSDT')).toEqual({ kind: 'bad_request', message: expect.stringMatching(/no known symbol.*BTCUSDT/) });
    expect(parse('/ws/v1/liquidation?venues=binance')).toEqual({ kind: 'bad_request', message: expect.stringMatching(/no known venue.*binance.*known: okx-swap, binance-usdm/) });
  });

  it('says what is wrong with a bad request', () => {
    const bad = (url: string) => parseFeedRequest(url, {});
    expect(bad('/ws/v1/liquidation/feed?after=12ab')).toEqual({ kind: 'bad_request', message: expect.stringMatching(/after must be a seq/) });
    expect(bad('/ws/v1/liquidation/feed?after=-1')).toMatchObject({ kind: 'bad_request' });
    expect(bad('/ws/v1/liquidation?symbols=')).toEqual({ kind: 'bad_request', message: 'symbols: empty list' });
    expect(bad('/ws/v1/liquidation?venues=a.b')).toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/venues: not a valid name/) });
    expect(bad('/ws/v1/liquidation/feed?symbols=BTC-USDT')).toMatchObject({ kind: 'bad_request', message: expect.stringMatching(/filter with/) });
  });

  it('anything else is not found', () => {
    for (const url of ['/', '/ws/v1/liquidation/feed/', '/ws/v1/liquidations']) expect(parseFeedRequest(url, {})).toEqual({ kind: 'not_found' });
  });
});

describe('client PING', () => {
  it('is {"method":"PING"} in any JSON spelling, nothing else', () => {
    expect(isPing(Buffer.from('{"method":"PING"}'))).toBe(true);
    expect(isPing(Buffer.from(' { "id": 1, "method" : "PING" } '))).toBe(true);
    for (const s of ['{"method":"ping"}', 'PING', '{"method":"PING"', '[]', 'null', `{"method":"PING","pad":"${'x'.repeat(300)}"}`]) expect(isPing(Buffer.from(s))).toBe(false);
  });
});
