/**
 * Type-breaking mutations of real venue frames for parser/engine fuzzing. Every mutation breaks
 * the shape (a missing key, a value of the wrong JSON type, a price that is not a plain decimal,
 * an id past 2^53, cut-off JSON); none swaps one valid value for another, because a well-formed
 * frame with different numbers is indistinguishable from the venue's own and no parser can
 * reject it. So a parser must either reject a mutation or read the same frame as before (the
 * mutation hit a field it does not map).
 */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { BookfuseError } from '../../libs/core/index.js';
import { Rng } from '../../libs/simulator/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const DECIMAL = /^\d+(\.\d+)?$/;
/** keys that hold prices and sizes; other strings (ids, names) are opaque and any string is valid */
const AMOUNT_KEYS = new Set(['p', 'q', 'v', 'b', 'a', 'B', 'A', 'price', 'size']);
const BAD_DECIMALS = ['1e5', '-1', '', 'NaN', '0x1F', ' 1', '1.2.3', 'Infinity', '１'];

interface Slot {
  parent: Json[] | { [k: string]: Json };
  key: string | number;
}

function slots(node: Json, out: Slot[]): Slot[] {
  if (node === null || typeof node !== 'object') return out;
  const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
  for (const key of keys) {
    out.push({ parent: node, key });
    slots((node as Record<string | number, Json>)[key]!, out);
  }
  return out;
}

function wrongType(v: Json, amount: boolean, rng: Rng): Json {
  const pick = <T>(xs: T[]): T => xs[rng.int(0, xs.length - 1)]!;
  if (typeof v === 'string') return amount && DECIMAL.test(v) && rng.chance(0.6) ? pick(BAD_DECIMALS) : pick<Json>([null, 7, {}, [], true]);
  if (typeof v === 'number') return pick<Json>([null, String(v), v + 0.5, 2 ** 60, {}, []]);
  if (typeof v === 'boolean') return pick<Json>([String(v), 0, null]);
  if (Array.isArray(v)) return pick<Json>([{}, 'x', null, 3]);
  if (v === null) return pick<Json>([{}, 'x', 3]);
  return pick<Json>([[], 'x', null, 3]);
}

export function mutateFrame(raw: string, rng: Rng): string {
  if (rng.chance(0.1)) return raw.slice(0, rng.int(1, raw.length - 1));
  const root = JSON.parse(raw) as Json;
  const all = slots(root, []);
  const s = all[rng.int(0, all.length - 1)]!;
  if (!Array.isArray(s.parent) && rng.chance(0.3)) delete s.parent[s.key as string];
  else if (Array.isArray(s.parent)) s.parent[s.key as number] = wrongType(s.parent[s.key as number]!, true, rng);
  else s.parent[s.key as string] = wrongType(s.parent[s.key as string]!, AMOUNT_KEYS.has(s.key as string), rng);
  return JSON.stringify(root);
}

export { Rng };

export interface ParserFuzz {
  /** mutations the parser rejected, by index of the frame they came from */
  rejectedByFrame: Map<number, string[]>;
  rejected: number;
  /** mutations that hit a field the parser does not map */
  harmless: number;
}

/**
 * `count` mutations of random `frames` through `parse`: each must throw a BAD_FRAME
 * BookfuseError or read as `same(original)` says (by default: exactly as the original frame).
 * Throws on the first mutation that does neither.
 */
export function fuzzParser(frames: string[], count: number, rng: Rng, parse: (raw: string) => unknown, same: (originalParsed: unknown, mutated: string) => unknown = (p) => p): ParserFuzz {
  const out: ParserFuzz = { rejectedByFrame: new Map(), rejected: 0, harmless: 0 };
  for (let n = 0; n < count; n++) {
    const i = rng.int(0, frames.length - 1);
    const raw = mutateFrame(frames[i]!, rng);
    let parsed: unknown;
    try {
      parsed = parse(raw);
    } catch (e) {
      if (!(e instanceof BookfuseError) || e.code !== 'BAD_FRAME') throw new Error(`mutation of frame ${i} threw ${String(e)} instead of BAD_FRAME: ${raw.slice(0, 200)}`);
      out.rejected++;
      out.rejectedByFrame.set(i, [...(out.rejectedByFrame.get(i) ?? []), raw]);
      continue;
    }
    const want = same(parse(frames[i]!), raw);
    if (!isDeepStrictEqual(parsed, want)) throw new Error(`mutation of frame ${i} was read differently from the original: ${raw.slice(0, 200)}`);
    out.harmless++;
  }
  return out;
}

/** Every frame must make `parse` throw a BookfuseError with code BAD_FRAME (each named on failure). */
export function expectBadFrames(parse: (raw: string) => unknown, frames: string[]): void {
  for (const raw of frames) {
    let err: unknown;
    try {
      parse(raw);
    } catch (e) {
      err = e;
    }
    expect(err, raw).toBeInstanceOf(BookfuseError);
    expect((err as BookfuseError).code, raw).toBe('BAD_FRAME');
  }
}
