/**
 * Liquidation identity: the consensus id, the match key a test compares with the simulator's
 * record, the deduper that remembers an id only once it is published, the durable consumer's
 * name per slice.
 */
import { describe, expect, it } from 'vitest';
import { LiquidationDeduper, consensusLiquidationId, liquidationMatchKey, parseShard } from '../../../libs/consensus/index.js';
import { durableSlice } from '../../../services/merger/liq-consumer.js';

const l = { v: 1 as const, venue: 'okx-swap', symbol: 'BTC-USDT', id: 'BTC-USDT-SWAP-1700000000000-buy-98000.10-2.50', side: 'buy' as const, liquidated: 'short' as const, price: '98000.1', qty: '0.025', notional_usd: '0', coverage: 'partial' as const, ts: 1, recv_ts: 1 };

describe('liquidation ids', () => {
  it('the consensus id is venue:id and the match key writes its decimals canonically', () => {
    expect(consensusLiquidationId('okx-swap', l.id)).toBe('okx-swap:BTC-USDT-SWAP-1700000000000-buy-98000.10-2.50');
    expect(liquidationMatchKey('okx-swap:BTC-USDT-SWAP-1700000000000-buy-98000.10-2.50')).toBe('okx-swap:BTC-USDT-SWAP-1700000000000-buy-98000.1-2.5');
    expect(liquidationMatchKey('bybit-linear:venue-own-id')).toBe('bybit-linear:venue-own-id');
  });

  it('prepare remembers nothing; commit makes the id a duplicate (also an id read back from the log)', () => {
    const d = new LiquidationDeduper(10);
    const out = d.prepare(l, true)!;
    expect(out.id).toBe(`okx-swap:${l.id}`);
    expect(d.prepare(l, true)).not.toBeNull(); // a publish that failed is tried again, not dropped
    d.commit(out);
    expect(d.prepare(l, true)).toBeNull();
    d.commit(`okx-swap:${l.id}-other`);
    expect(d.prepare({ ...l, id: `${l.id}-other` }, true)).toBeNull();
  });

  it('one durable per slice of the liquidations', () => {
    expect(durableSlice({ kind: 'all' }, 'owned')).toBe('all');
    expect(durableSlice(parseShard('1/3'), 'owned')).toBe('shard-1-of-3');
    expect(durableSlice(parseShard('1/3'), 'all')).toBe('every-shard-1-of-3');
    expect(durableSlice({ kind: 'symbols', symbols: new Set(['ETH-USD', 'BTC-USD']) }, 'owned')).toBe(durableSlice({ kind: 'symbols', symbols: new Set(['BTC-USD', 'ETH-USD']) }, 'owned'));
  });
});
