/** Builders of venue book messages as a collector publishes them, for consensus tests. */
import type { BookMessage, Level, StatusMessage } from '../../../libs/core/index.js';
import type { ConsensusGroup, ConsensusRules } from '../../../libs/consensus/index.js';
import { DEFAULT_RULES } from '../../../libs/consensus/index.js';

export const GROUP: ConsensusGroup = {
  symbol: 'BTC-USD',
  tick: '0.1',
  depth: 10,
  members: [
    { venue: 'binance-usdm', symbol: 'BTC-USDT' },
    { venue: 'okx-swap', symbol: 'BTC-USDT' },
    { venue: 'hyperliquid', symbol: 'BTC-USDC' },
  ],
};

export const RULES: ConsensusRules = { ...DEFAULT_RULES, divergenceMinMs: 0 };

export function snap(venue: string, symbol: string, seq: number, bids: Level[], asks: Level[], ts = 1000): BookMessage {
  return { v: 1, kind: 'snapshot', venue, symbol, seq, prev_seq: 0, ts, recv_ts: ts, bids, asks };
}

export function delta(venue: string, symbol: string, seq: number, bids: Level[], asks: Level[], ts = 1000): BookMessage {
  return { v: 1, kind: 'delta', venue, symbol, seq, prev_seq: seq - 1, ts, recv_ts: ts, bids, asks };
}

export function status(venue: string, state: StatusMessage['state'], symbols: StatusMessage['symbols'] = {}, ts = 1000): StatusMessage {
  return { v: 1, venue, state, symbols, ts };
}
