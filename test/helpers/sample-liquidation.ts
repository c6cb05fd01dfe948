/**
 * The n-th synthetic liquidation as the merger publishes it: venue and symbol rotate so filters
 * have something to pick. Shared by the firehose tests and its load generator.
 */
import type { LiquidationMessage } from '../../libs/core/index.js';

const VENUES = ['binance-usdm', 'bybit-linear', 'okx-swap'] as const;
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'] as const;

export function sampleLiquidation(n: number, id: string, ts: number): LiquidationMessage {
  return {
    v: 1,
    venue: VENUES[n % VENUES.length]!,
    symbol: SYMBOLS[n % SYMBOLS.length]!,
    id,
    side: n % 2 ? 'buy' : 'sell',
    liquidated: n % 2 ? 'short' : 'long',
    price: '98412.3',
    qty: '0.120',
    notional_usd: '11809.476',
    coverage: 'sampled',
    ts,
    recv_ts: ts,
  };
}
