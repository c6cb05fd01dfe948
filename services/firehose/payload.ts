/**
 * Everything the firehose writes to a client, as JSON text (docs/firehose.md "Messages").
 * A liquidation is one object with no `type` (the wire shape of design.md); control messages
 * carry `type` (GAP, ERROR) or `method` (PONG) so a client tells them apart with one lookup.
 */
import type { LiquidationMessage } from '../../libs/core/index.js';

export function liquidationPayload(m: LiquidationMessage, seq: number): string {
  return JSON.stringify({
    id: m.id,
    seq,
    venue: m.venue,
    symbol: m.symbol,
    side: m.side,
    liquidated: m.liquidated,
    price: m.price,
    qty: m.qty,
    notional_usd: m.notional_usd,
    coverage: m.coverage,
    ts: m.ts,
    recv_ts: m.recv_ts,
  });
}

export type GapReason =
  /** the log no longer holds these seqs (retention, deletion) */
  | 'missing'
  /** the log held something at this seq that is not a valid liquidation */
  | 'bad_message'
  /** the log restarted its numbering (stream recreated): seqs after from_seq are from a new log */
  | 'stream_reset';

/** Seqs from_seq..to_seq (inclusive; to_seq null = unknown end) may be missing from what you received. */
export function gapPayload(fromSeq: number, toSeq: number | null, reason: GapReason): string {
  return JSON.stringify({ type: 'GAP', from_seq: fromSeq, to_seq: toSeq, reason });
}

/** The shared ERROR shape of libs/client/codes.ts: `{"type":"ERROR","payload":{"code","message"}}`. */
export { errorMessage as errorPayload } from '../../libs/ws/index.js';

export const PONG_PAYLOAD = '{"method":"PONG"}';

const MAX_PING_BYTES = 256;

/** `{"method":"PING"}` (any key order or whitespace); anything else is not a ping. */
export function isPing(data: Buffer): boolean {
  if (data.length > MAX_PING_BYTES) return false;
  try {
    const v: unknown = JSON.parse(data.toString('utf8'));
    return typeof v === 'object' && v !== null && (v as { method?: unknown }).method === 'PING';
  } catch {
    return false;
  }
}
