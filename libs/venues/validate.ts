/**
 * Small validators for venue frames: every field a parser maps is checked for type, so a frame of
 * the wrong shape is a BAD_FRAME error with the field named, never an undefined in a book.
 */
import { BookfuseError, isLevel, isObj, PLAIN_DECIMAL, type Obj } from '../core/index.js';

export type { Obj };

export function bad(msg: string): BookfuseError {
  return new BookfuseError('BAD_FRAME', msg);
}

export function asObj(x: unknown, what: string): Obj {
  if (!isObj(x)) throw bad(`${what}: not an object`);
  return x;
}

export function field(o: Obj, k: string, what = 'frame'): unknown {
  const v = o[k];
  if (v === undefined) throw bad(`${what}: missing field ${k}`);
  return v;
}

export function strField(o: Obj, k: string, what = 'frame'): string {
  const v = o[k];
  if (typeof v !== 'string') throw bad(`${what}: field ${k} must be a string`);
  return v;
}

/** A safe integer (sequence ids, ms times); ids past 2^53 are rejected, never rounded. */
export function intField(o: Obj, k: string, what = 'frame'): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw bad(`${what}: field ${k} must be a safe integer`);
  return v;
}

/** Integer that some venues send as a string ("1597026383085"). */
export function intLike(o: Obj, k: string, what = 'frame'): number {
  const v = o[k];
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw bad(`${what}: field ${k} must be an integer`);
  return n;
}

export function arrField(o: Obj, k: string, what = 'frame'): unknown[] {
  const v = o[k];
  if (!Array.isArray(v)) throw bad(`${what}: field ${k} must be an array`);
  return v;
}

export type RawLevel = [string, string];

/** `[["price","size"], …]` (extra entries per level, like OKX's order count, are allowed). */
export function levelsField(o: Obj, k: string, what = 'frame'): RawLevel[] {
  const arr = arrField(o, k, what);
  for (const l of arr) if (!isLevel(l)) throw bad(`${what}: ${k} holds a malformed level`);
  return arr as RawLevel[];
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw bad(`not JSON: ${raw.slice(0, 60)}`);
  }
}

/** A price or size string: a plain non-negative decimal ("1e5", "-1", "" and "NaN" are BAD_FRAME). */
export function decField(o: Obj, k: string, what = 'frame'): string {
  const v = strField(o, k, what);
  if (!PLAIN_DECIMAL.test(v)) throw bad(`${what}: field ${k} is not a decimal: ${JSON.stringify(v).slice(0, 40)}`);
  return v;
}

/** levelsField whose prices and sizes are all plain decimals, checked before any book is touched. */
export function decLevelsField(o: Obj, k: string, what = 'frame'): RawLevel[] {
  const levels = levelsField(o, k, what);
  for (const [p, q] of levels) {
    if (!PLAIN_DECIMAL.test(p) || !PLAIN_DECIMAL.test(q)) throw bad(`${what}: ${k} holds a non-decimal level ${JSON.stringify([p, q]).slice(0, 60)}`);
  }
  return levels;
}
