/**
 * JSON codec for the v1 subjects. Decoding validates the shape, so a malformed message from any
 * publisher becomes a BAD_MESSAGE error the subscriber counts, never a wrong book.
 */
import { BookfuseError } from '../core/index.js';
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

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encode(msg: unknown): Uint8Array {
  return enc.encode(JSON.stringify(msg));
}

export function decodeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(dec.decode(data));
  } catch (e) {
    throw new BookfuseError('BAD_MESSAGE', 'payload is not JSON', { cause: e });
  }
}

type Obj = Record<string, unknown>;

function obj(x: unknown, what: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw bad(`${what} is not an object`);
  return x as Obj;
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
const DECIMAL = /^\d+(\.\d+)?$/;
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
  for (const l of v) {
    if (!Array.isArray(l) || l.length < 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string' || !DECIMAL.test(l[0]) || !DECIMAL.test(l[1])) {
      throw bad(`field ${k} holds a malformed level`);
    }
  }
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

export function asBookMessage(x: unknown): BookMessage {
  const o = obj(x, 'book message');
  oneOf(o, 'kind', ['snapshot', 'delta']);
  str(o, 'venue');
  str(o, 'symbol');
  num(o, 'seq');
  num(o, 'prev_seq');
  num(o, 'ts');
  num(o, 'recv_ts');
  levels(o, 'bids');
  levels(o, 'asks');
  line(o);
  return o as unknown as BookMessage;
}

export function asTradeMessage(x: unknown): TradeMessage {
  const o = obj(x, 'trade message');
  str(o, 'venue');
  str(o, 'symbol');
  str(o, 'id');
  decimal(o, 'price');
  decimal(o, 'qty');
  oneOf(o, 'side', ['buy', 'sell']);
  num(o, 'ts');
  num(o, 'recv_ts');
  line(o);
  return o as unknown as TradeMessage;
}

export function asLiquidationMessage(x: unknown): LiquidationMessage {
  const o = obj(x, 'liquidation message');
  str(o, 'venue');
  str(o, 'symbol');
  str(o, 'id');
  oneOf(o, 'side', ['buy', 'sell']);
  oneOf(o, 'liquidated', ['long', 'short']);
  decimal(o, 'price');
  decimal(o, 'qty');
  decimal(o, 'notional_usd');
  oneOf(o, 'coverage', ['sampled', 'batched', 'partial', 'complete']);
  num(o, 'ts');
  num(o, 'recv_ts');
  line(o);
  return o as unknown as LiquidationMessage;
}

export function asStatusMessage(x: unknown): StatusMessage {
  const o = obj(x, 'status message');
  str(o, 'venue');
  oneOf(o, 'state', ['connecting', 'live', 'resyncing', 'down']);
  obj(o['symbols'], 'symbols');
  num(o, 'ts');
  line(o);
  return o as unknown as StatusMessage;
}

/** Consensus levels: [price, total, {venue: size}]; the per-venue map may be absent on removals. */
function consensusLevels(o: Obj, k: string): ConsensusLevel[] {
  const v = o[k];
  if (!Array.isArray(v)) throw bad(`field ${k} must be an array`);
  for (const l of v) {
    if (!Array.isArray(l) || l.length < 2 || typeof l[0] !== 'string' || typeof l[1] !== 'string' || !DECIMAL.test(l[0]) || !DECIMAL.test(l[1])) {
      throw bad(`field ${k} holds a malformed level`);
    }
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

export function asConsensusTradeMessage(x: unknown): ConsensusTradeMessage {
  const o = obj(x, 'consensus trade message');
  str(o, 'symbol');
  str(o, 'id');
  decimal(o, 'price');
  decimal(o, 'qty');
  oneOf(o, 'side', ['buy', 'sell']);
  num(o, 'ts');
  return o as unknown as ConsensusTradeMessage;
}

export function asAlertMessage(x: unknown): AlertMessage {
  const o = obj(x, 'alert message');
  str(o, 'symbol');
  oneOf(o, 'kind', ['STALE', 'RECOVERED', 'DIVERGENCE', 'CONVERGED', 'RESYNC', 'LARGE_LIQUIDATION']);
  str(o, 'venue');
  num(o, 'ts');
  return o as unknown as AlertMessage;
}
