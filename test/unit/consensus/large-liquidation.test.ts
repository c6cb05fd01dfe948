/** #16.4: a liquidation at or above LARGE_LIQUIDATION_USD is an ALERT of its own, exactly at the threshold. */
import { describe, expect, it } from 'vitest';
import { largeLiquidationAlert } from '../../../libs/consensus/index.js';
import type { LiquidationMessage } from '../../../libs/core/index.js';

const liq = (notional: string): LiquidationMessage => ({
  v: 1,
  venue: 'binance-usdm',
  symbol: 'BTCUSDT',
  id: 'binance-usdm:42',
  side: 'sell',
  liquidated: 'long',
  price: '98000.1',
  qty: '5.102',
  notional_usd: notional,
  coverage: 'complete',
  ts: 1763800000000,
  recv_ts: 1763800000005,
});

describe('largeLiquidationAlert', () => {
  it('raises LARGE_LIQUIDATION (P2) with id, venue, side, price, size and notional at or above the threshold', () => {
    const a = largeLiquidationAlert(liq('500000'), '500000', 'BTC-USD')!;
    expect(a).toMatchObject({ v: 1, symbol: 'BTC-USD', kind: 'LARGE_LIQUIDATION', venue: 'binance-usdm', priority: 'P2', ts: 1763800000000 });
    expect(a.detail).toEqual({ id: 'binance-usdm:42', venue: 'binance-usdm', venue_symbol: 'BTCUSDT', side: 'sell', liquidated: 'long', price: '98000.1', size: '5.102', notional_usd: '500000', liq_ts: 1763800000000 });
  });

  it('stays quiet below the threshold by the smallest amount, and without a USD notional', () => {
    expect(largeLiquidationAlert(liq('499999.999999999999'), '500000', 'BTC-USD')).toBeNull();
    expect(largeLiquidationAlert(liq('0'), '0.0001', 'BTC-USD')).toBeNull();
  });

  it('uses the venue symbol for an instrument outside every consensus group', () => {
    expect(largeLiquidationAlert(liq('1000000'), '500000', undefined)!.symbol).toBe('BTCUSDT');
  });
});
