/**
 * Mutations of the real 2025 Hyperliquid frames through the engine. Hyperliquid gives nothing to
 * verify a push against (no sequence, no checksum), so a well-formed push with a wrong number is
 * indistinguishable from the venue's own; what the adapter guarantees is that malformed pushes
 * never touch the book, nothing escapes the engine, nothing crossed is published, and the next
 * good push restores the exact book (every push is complete).
 */
import { describe, expect, it } from 'vitest';
import { Decimal, parseCaptureLine } from '../../../libs/core/index.js';
import { createHyperliquidAdapter } from '../../../libs/venues/hyperliquid/adapter.js';
import { parseHyperliquidFrame } from '../../../libs/venues/hyperliquid/parse.js';
import { createReplayEngine } from '../../../libs/venues/replay.js';
import type { EngineOutput, VenueEngine } from '../../../libs/venues/engine.js';
import { Rng } from '../../../libs/simulator/index.js';
import { fixtureLines } from '../../helpers/fixtures.js';
import { fuzzParser } from '../../helpers/fuzz-frames.js';
import { BookMirror } from '../../helpers/book-mirror.js';

const FRAMES = fixtureLines('hyperliquid', 'btc-20250126-l2book-trades.capture.ndjson').map((l, i) => parseCaptureLine(l, i + 1)!.raw);

function run(frames: string[]): { engine: VenueEngine; outs: EngineOutput[] } {
  const engine = createReplayEngine(createHyperliquidAdapter() as never, { depth: 20 });
  const outs = frames.flatMap((raw, i) => engine.onFrame(raw, 1737918843893 + i));
  return { engine, outs };
}

const levels = (e: VenueEngine) => ({ bids: e.books.get('BTC')!.sync.book.levels(true, 20), asks: e.books.get('BTC')!.sync.book.levels(false, 20) });
const clean = run(FRAMES);
/** the clean book after each frame */
const truthAfter = (() => {
  const e = createReplayEngine(createHyperliquidAdapter() as never, { depth: 20 });
  return FRAMES.map((raw, i) => (e.onFrame(raw, i), e.books.get('BTC') ? levels(e) : null));
})();

describe('hyperliquid fuzz on the real 2025 capture', () => {
  it('400 type-breaking mutations are rejected with BAD_FRAME or read as the original; interleaved, the book and tape are unchanged', () => {
    const { rejected, rejectedByFrame: mutated } = fuzzParser(FRAMES, 400, new Rng(1737918843), parseHyperliquidFrame);
    expect(rejected).toBeGreaterThan(200);
    const { engine, outs } = run(FRAMES.flatMap((raw, i) => [...(mutated.get(i) ?? []), raw]));
    expect(engine.stats).toMatchObject({ rejected, resyncs: 0, crossed: 0, snapshots: 1, deltas: 45 });
    expect(levels(engine)).toEqual(levels(clean.engine));
    const ids = (o: EngineOutput[]) => o.flatMap((x) => (x.type === 'trade' ? [x.msg.id] : []));
    expect(ids(outs)).toEqual(ids(clean.outs));
  });

  it('200 value mutations of one level: never a throw, never a crossed book published, exact again after the next push', () => {
    const rng = new Rng(105051);
    const books = FRAMES.flatMap((raw, i) => (raw.includes('"channel":"l2Book"') ? [i] : []));
    for (let n = 0; n < 200; n++) {
      const pos = rng.int(0, books.length - 2);
      const k = books[pos]!;
      const msg = JSON.parse(FRAMES[k]!) as { data: { levels: { px: string; sz: string }[][] } };
      const side = msg.data.levels[rng.int(0, 1)]!;
      const level = side[rng.int(0, side.length - 1)]!;
      const key = rng.chance(0.5) ? 'px' : 'sz';
      const digits = [...level[key]].flatMap((c, i) => (c >= '0' && c <= '9' ? [i] : []));
      const at = digits[rng.int(0, digits.length - 1)]!;
      level[key] = level[key].slice(0, at) + String((Number(level[key][at]) + rng.int(1, 9)) % 10) + level[key].slice(at + 1);
      const frames = FRAMES.slice(0, books[pos + 1]! + 1);
      frames[k] = JSON.stringify(msg);
      const { engine, outs } = run(frames);
      const mirror = new BookMirror();
      for (const o of outs) {
        if (o.type !== 'book') continue;
        mirror.apply(o.msg);
        const { bids, asks } = mirror.top(1);
        if (bids[0] && asks[0]) expect(new Decimal(bids[0][0]).lt(asks[0][0])).toBe(true);
      }
      expect(mirror.gaps).toBe(0);
      // the next complete push makes the book exact again (after a crossed push, it starts over as a snapshot)
      expect(engine.books.get('BTC')!.state).toBe('live');
      expect(levels(engine)).toEqual(truthAfter[books[pos + 1]!]);
    }
  });
});
