/**
 * Mutations of the real 2022 OKX frames through the engine: nothing escapes the engine, and no
 * mutation leaves a wrong book behind unnoticed within what OKX lets a client verify (the
 * checksum covers the best 25 levels per side; below that a changed value is undetectable until
 * it rises into the top 25).
 */
import { describe, expect, it } from 'vitest';
import { type Level, parseCaptureLine } from '../../../libs/core/index.js';
import type { ParsedFrame } from '../../../libs/venues/adapter.js';
import type { OkxBookFrame } from '../../../libs/venues/okx/parse.js';
import { createOkxSwapAdapter } from '../../../libs/venues/okx/adapter.js';
import { createReplayEngine } from '../../../libs/venues/replay.js';
import type { EngineOutput, VenueEngine } from '../../../libs/venues/engine.js';
import { Rng } from '../../../libs/simulator/index.js';
import { fixtureLines } from '../../helpers/fixtures.js';
import { fuzzParser } from '../../helpers/fuzz-frames.js';

const adapter = createOkxSwapAdapter();
const LINES = fixtureLines('okx', 'books-trades-tickers-20220513.capture.ndjson').map((l, i) => parseCaptureLine(l, i + 1)!);
const FRAMES = LINES.map((l) => l.raw);
const SYMBOLS = ['BTC-USDT', 'UNI-USD-SWAP', 'BTC-USD-220527'];

function run(frames: string[]): { engine: VenueEngine; outs: EngineOutput[] } {
  const engine = createReplayEngine(adapter as never, { depth: 400 });
  const outs: EngineOutput[] = [];
  frames.forEach((raw, i) => outs.push(...engine.onFrame(raw, LINES[Math.min(i, LINES.length - 1)]!.t)));
  return { engine, outs };
}

/** best 25 levels per side of the venue-unit book (what the checksum covers) */
const top25 = (e: VenueEngine, sym: string): { bids: Level[]; asks: Level[] } => {
  const b = e.books.get(sym)!.sync.book;
  return { bids: b.levels(true, 25), asks: b.levels(false, 25) };
};

const clean = run(FRAMES);

describe('okx fuzz on the real 2022 capture', () => {
  it('400 type-breaking mutations are rejected with BAD_FRAME or read as the original; interleaved, every checksum still verifies', () => {
    // The checksum is optional (OKX drops it in 2026): a frame without it is the same change, unverified.
    const unverified = (p: unknown, raw: string) => {
      const original = p as ParsedFrame<OkxBookFrame>;
      return original.kind === 'book' && !raw.includes('"checksum"') ? { ...original, frame: { ...original.frame, checksum: 0 } } : original;
    };
    const { rejected, rejectedByFrame: mutated } = fuzzParser(FRAMES, 400, new Rng(1652459225), (raw) => adapter.parse(raw, 0), unverified);
    expect(rejected).toBeGreaterThan(250);
    const { engine } = run(FRAMES.flatMap((raw, i) => [...(mutated.get(i) ?? []), raw]));
    expect(engine.stats).toMatchObject({ rejected, resyncs: 0, crossed: 0, checksum_ok: 290, checksum_failed: 0, trades: clean.engine.stats.trades });
    for (const s of SYMBOLS) expect(engine.books.get(s)!.sync.book.levels(true, 400)).toEqual(clean.engine.books.get(s)!.sync.book.levels(true, 400));
  });

  it('80 value mutations (one digit of one level of one book frame): each either fails its checksum or leaves the top 25 exact', () => {
    const rng = new Rng(20220513);
    const bookLines = FRAMES.flatMap((raw, i) => (raw.includes('"channel":"books"') && raw.includes('"data"') ? [i] : []));
    let caught = 0;
    for (let n = 0; n < 80; n++) {
      const k = bookLines[rng.int(0, bookLines.length - 1)]!;
      const msg = JSON.parse(FRAMES[k]!) as { arg: { instId: string }; data: { bids: string[][]; asks: string[][] }[] };
      const side = rng.chance(0.5) ? msg.data[0]!.bids : msg.data[0]!.asks;
      if (side.length === 0) continue;
      const level = side[rng.int(0, side.length - 1)]!;
      const field = rng.chance(0.5) ? 0 : 1;
      const digits = [...level[field]!].flatMap((c, i) => (c >= '0' && c <= '9' ? [i] : []));
      const at = digits[rng.int(0, digits.length - 1)]!;
      const old = level[field]!;
      level[field] = old.slice(0, at) + String((Number(old[at]) + rng.int(1, 9)) % 10) + old.slice(at + 1);
      const frames = FRAMES.slice();
      frames[k] = JSON.stringify(msg);
      const { engine, outs } = run(frames); // never throws out of the engine
      const sym = msg.arg.instId;
      const mismatch = outs.some((o) => o.type === 'problem' && o.venueSymbol === sym && (o.code === 'CHECKSUM_MISMATCH' || o.code === 'CROSSED_BOOK'));
      if (mismatch) {
        caught++;
        expect(engine.books.get(sym)!.state).not.toBe('live');
      } else {
        expect(top25(engine, sym)).toEqual(top25(clean.engine, sym));
      }
      for (const other of SYMBOLS.filter((s) => s !== sym)) expect(top25(engine, other)).toEqual(top25(clean.engine, other));
    }
    expect(caught).toBeGreaterThan(20);
  });
});
