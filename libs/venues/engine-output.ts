/** What the venue engine emits and counts (engine.ts); shared with the trade/liquidation mapping. */
import type { BookMessage, BookState, ErrorCode, LiquidationMessage, TradeMessage } from '../core/index.js';
import type { DriftKind } from './drift.js';

export type EngineOutput =
  | { type: 'book'; msg: BookMessage }
  | { type: 'trade'; msg: TradeMessage }
  | { type: 'liq'; msg: LiquidationMessage }
  | { type: 'fetch-snapshot'; venueSymbol: string }
  | { type: 'resubscribe'; venueSymbol: string }
  | { type: 'reconnect'; reason: string }
  | { type: 'problem'; code: ErrorCode; venueSymbol?: string; detail: string }
  | { type: 'state'; venueSymbol: string; state: BookState }
  /** a frame drifted from the schema its parser knows (drift.ts); `first` for this venue */
  | { type: 'drift'; field: string; kind: DriftKind; first: boolean };

export interface EngineStats {
  frames: number;
  snapshots: number;
  deltas: number;
  gaps: number;
  resyncs: number;
  checksum_ok: number;
  checksum_failed: number;
  crossed: number;
  trades: number;
  liquidations: number;
  rejected: number;
}
