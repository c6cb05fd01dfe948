/**
 * JSON codec for the v1 subjects. Decoding validates the shape, so a malformed message from any
 * publisher becomes a BAD_MESSAGE error the subscriber counts, never a wrong book.
 */
import { BookfuseError, CANONICAL_DECIMAL as DECIMAL, isLevel, isObj, type Obj } from '../core/index.js';
import type {
  AlertMessage,
  BookMessage,
  ConsensusBookMessage,
  ConsensusLevel,
  ConsensusTradeMessage,
  Level,
  LiquidationMessage,
  StatusMessage,
  TradeMessage,
} from '../core/index.js';

const dec = new TextDecoder();

/**
 * Buffer.from rather than TextEncoder: a small string is written into Node's shared pool slab
 * instead of a fresh ArrayBuffer per message (the collector encodes every book, trade and status).
 */
export function encode(msg: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

export function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(dec.decode(data));
  } catch (e) {
    throw new BookfuseError('BAD_MESSAGE', 'payload is not JSON', { cause: e });
  }
}

function obj(x: unknown, what: string): Obj {
  if (!isObj(x)) throw bad(`${what} is not an object`);
  return x;
}
function str(o: Obj, k: string): string {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0) throw bad(`field ${k} must be a non-empty string`);
  return v;
}
function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`field ${k} must be a number`);
  return v;
}
function decimal(o: Obj, k: string): string {
  const v = str(o, k);
  if (!DECIMAL.test(v)) throw bad(`field ${k} must be a decimal string`);
  return v;
}
function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[]): T {
  const v = o[k];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw bad(`field ${k} must be one of ${allowed.join('|')}`);
  return v as T;
}
function levels(o: Obj, k: string): Level[] {
  const v = o[k];
  if (!Array.isArray(v)) throw bad(`field ${k} must be an array`);
  for (const l of v) if (!isLevel(l, DECIMAL)) throw bad(`field ${k} holds a malformed level`);
  return v as Level[];
}
/** The collector line that published a message: optional (single-line setups and old messages have none). */
export const LINE = /^[A-Za-z0-9_-]{1,16}$/;
function line(o: Obj): void {
  const v = o['line'];
  if (v !== undefined && (typeof v !== 'string' || !LINE.test(v))) throw bad('field line must be a short token (A, B…)');
}
function bad(m: string): BookfuseError {
  return new BookfuseError('BAD_MESSAGE', m);
}

type Field = (o: Obj, k: string) => unknown;
const oneOfField = (allowed: readonly string[]): Field => (o, k) => oneOf(o, k, allowed);
const SIDE = oneOfField(['buy', 'sell']);
const objField: Field = (o, k) => obj(o[k], k);

/** Check `fields` in their order (the first problem found is the one reported), then the optional line. */
function shaped<T>(x: unknown, what: string, fields: Record<string, Field>, withLine = true): T {
  const o = obj(x, what);
  for (const [k, check] of Object.entries(fields)) check(o, k);
  if (withLine) line(o);
  return o as unknown as T;
}

const BOOK = { kind: oneOfField(['snapshot', 'delta']), venue: str, symbol: str, seq: num, prev_seq: num, ts: num, recv_ts: num, bids: levels, asks: levels };
const TRADE = { venue: str, symbol: str, id: str, price: decimal, qty: decimal, side: SIDE, ts: num, recv_ts: num };
const LIQUIDATION = {
  venue: str,
  symbol: str,
  id: str,
  side: SIDE,
  liquidated: oneOfField(['long', 'short']),
  price: decimal,
  qty: decimal,
  notional_usd: decimal,
  coverage: oneOfField(['sampled', 'batched', 'partial', 'complete']),
  ts: num,
  recv_ts: num,
};
const STATUS = { venue: str, state: oneOfField(['connecting', 'live', 'resyncing', 'down']), symbols: objField, ts: num };
const CONSENSUS_TRADE = { symbol: str, id: str, price: decimal, qty: decimal, side: SIDE, ts: num };
const ALERT = { symbol: str, kind: oneOfField(['STALE', 'RECOVERED', 'DIVERGENCE', 'CONVERGED', 'RESYNC', 'LARGE_LIQUIDATION']), venue: str, ts: num };

export const asBookMessage = (x: unknown): BookMessage => shaped(x, 'book message', BOOK);
export const asTradeMessage = (x: unknown): TradeMessage => shaped(x, 'trade message', TRADE);
export const asLiquidationMessage = (x: unknown): LiquidationMessage => shaped(x, 'liquidation message', LIQUIDATION);
export const asStatusMessage = (x: unknown): StatusMessage => shaped(x, 'status message', STATUS);

/** Consensus levels: [price, total, {venue: size}]; the per-venue map may be absent on removals. */
function consensusLevels(o: Obj, k: string): ConsensusLevel[] {
  const v = o[k];
  if (!Array.isArray(v)) throw bad(`field ${k} must be an array`);
  for (const l of v) {
    if (!isLevel(l, DECIMAL)) throw bad(`field ${k} holds a malformed level`);
    if (l[2] !== undefined) {
      const per = obj(l[2], `${k} per-venue sizes`);
      for (const q of Object.values(per)) if (typeof q !== 'string' || !DECIMAL.test(q)) throw bad(`field ${k} holds a malformed venue size`);
    }
  }
  return v as ConsensusLevel[];
}

export function asConsensusBookMessage(x: unknown): ConsensusBookMessage {
  const o = obj(x, 'consensus book message');
  oneOf(o, 'kind', ['snapshot', 'delta']);
  str(o, 'symbol');
  // counters are integers; times are integer ms since the epoch (libs/core/clock.ts), read leniently
  for (const k of ['epoch', 'seq', 'depth']) {
    if (!Number.isInteger(num(o, k))) throw bad(`field ${k} must be an integer`);
  }
  for (const k of ['ts', 'merge_ts']) {
    if (num(o, k) < 0) throw bad(`field ${k} must be a time in ms since the epoch`);
  }
  consensusLevels(o, 'bids');
  consensusLevels(o, 'asks');
  if (o['venues'] !== undefined) {
    for (const [venue, view] of Object.entries(obj(o['venues'], 'venues'))) {
      const vo = obj(view, `venues.${venue}`);
      str(vo, 'state');
      if (typeof vo['stale'] !== 'boolean') throw bad(`venues.${venue}.stale must be a boolean`);
    }
  }
  return o as unknown as ConsensusBookMessage;
}

// consensus messages carry no collector line
export const asConsensusTradeMessage = (x: unknown): ConsensusTradeMessage => shaped(x, 'consensus trade message', CONSENSUS_TRADE, false);
export const asAlertMessage = (x: unknown): AlertMessage => shaped(x, 'alert message', ALERT, false);
