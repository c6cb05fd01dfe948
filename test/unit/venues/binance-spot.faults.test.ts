import { describe, expect, it } from 'vitest';
import { parseCaptureLine, type CaptureLine } from '../../../libs/core/index.js';
import { createBinanceSpotAdapter } from '../../../libs/venues/binance-spot/adapter.js';
import { SpotBookSync } from '../../../libs/venues/binance-spot/sync.js';
import type { DepthEvent } from '../../../libs/venues/binance-common/frames.js';
import { createReplayEngine, feedLine, replayResult } from '../../../libs/venues/replay.js';
import type { EngineOutput, VenueEngine } from '../../../libs/venues/engine.js';
import { fixtureLines } from '../../helpers/fixtures.js';
import { fuzzParser, Rng, expectBadFrames } from '../../helpers/fuzz-frames.js';

const adapter = createBinanceSpotAdapter();
const load = (file: string): CaptureLine[] => fixtureLines('binance-spot', file).map((l, i) => parseCaptureLine(l, i + 1)!);
const BTC = load('btcusdt-20240808-depth100ms-trade-bookticker.capture.ndjson');
const FOUR = load('4symbols-20211012-depth100ms-bookticker-aggtrade.capture.ndjson');

const isDepth = (l: CaptureLine, sym = '') => l.src === 'ws' && l.raw.includes(`"${sym.toLowerCase()}${sym ? '@depth' : ''}`) && l.raw.includes('"depthUpdate"');
const depthOf = (l: CaptureLine): DepthEvent => {
  const p = adapter.parse(l.raw, l.t);
  if (p.kind !== 'book') throw new Error('not a depth frame');
  return p.frame;
};
const BTC_SNAPSHOT = BTC.find((l) => l.src === 'rest')!;
const BTC_DEPTH = BTC.filter((l) => isDepth(l)).map(depthOf);

function run(lines: CaptureLine[], onEach?: (engine: VenueEngine, line: CaptureLine, outs: EngineOutput[]) => void) {
  const engine = createReplayEngine(adapter as never, { depth: 1000 });
  const outs: EngineOutput[] = [];
  for (const line of lines) {
    const o = feedLine(engine, line);
    outs.push(...o);
    onEach?.(engine, line, o);
  }
  return { engine, outs, result: replayResult(engine, 1000) };
}

describe('binance-spot sync rules on real frames', () => {
  it('asks for one snapshot while buffering, however many events arrive first', () => {
    const sync = new SpotBookSync(adapter.fallbackInstrument('BTCUSDT')!);
    const results = BTC_DEPTH.slice(0, 3).map((ev) => sync.onFrame(ev, 0).action);
    expect(results).toEqual(['need-snapshot', 'none', 'none']);
    expect(sync.state).toBe('syncing');
  });

  it('joins the snapshot at the first event holding lastUpdateId + 1, ignores replays of applied ids, and ignores a late duplicate snapshot', () => {
    const sync = new SpotBookSync(adapter.fallbackInstrument('BTCUSDT')!);
    for (const ev of BTC_DEPTH.slice(0, 3)) sync.onFrame(ev, 0);
    const joined = sync.onSnapshot(BTC_SNAPSHOT.body, 1);
    expect(joined.action).toBe('applied');
    expect(sync.state).toBe('live');
    // events 189..202 and 203..207 are older than lastUpdateId 50093239218; 208..224 holds 219
    expect(sync.lastUpdateId).toBe(50093239224);
    const top = sync.book.levels(true, 3);
    expect(sync.onFrame(BTC_DEPTH[2]!, 2)).toEqual({ action: 'none' });
    expect(sync.onSnapshot(BTC_SNAPSHOT.body, 3)).toEqual({ action: 'none' });
    expect(sync.book.levels(true, 3)).toEqual(top);
    expect(sync.lastUpdateId).toBe(50093239224);
  });

  it('a snapshot older than the first buffered U is stale: fetch again, keep buffering', () => {
    const sync = new SpotBookSync(adapter.fallbackInstrument('BTCUSDT')!);
    sync.onFrame(BTC_DEPTH[2]!, 0); // U 50093239208
    const old = { ...(BTC_SNAPSHOT.body as object), lastUpdateId: 50093239207 - 1 };
    expect(sync.onSnapshot(old, 1)).toMatchObject({ action: 'resync', code: 'STALE_SNAPSHOT', recover: 'rest-snapshot' });
    expect(sync.state).not.toBe('live');
    expect(sync.onSnapshot(BTC_SNAPSHOT.body, 2).action).toBe('applied');
    expect(sync.lastUpdateId).toBe(50093239224);
  });

  it('when the first surviving event does not hold lastUpdateId + 1 the book is not built: gap, refetch', () => {
    const sync = new SpotBookSync(adapter.fallbackInstrument('BTCUSDT')!);
    sync.onFrame(BTC_DEPTH[1]!, 0); // 203..207
    sync.onFrame(BTC_DEPTH[3]!, 0); // 225.. : 208..224 was lost
    expect(sync.onSnapshot(BTC_SNAPSHOT.body, 1)).toMatchObject({ action: 'resync', code: 'SEQUENCE_GAP', recover: 'rest-snapshot' });
    expect(sync.state).toBe('resyncing');
    expect(sync.book.bids.length).toBe(0);
  });

  it('a skipped id on one symbol resyncs that symbol only; a later snapshot brings it back exactly', () => {
    const clean = run(FOUR);
    // the rebuilt NKNUSDT book at some u after the gap, as /api/v3/depth would have returned it
    const nknDepth = FOUR.map((l, i) => [l, i] as const).filter(([l]) => isDepth(l, 'NKNUSDT'));
    const dropAt = nknDepth[6]![1];
    const recoverAt = nknDepth[12]![1];
    let recovery: CaptureLine | undefined;
    run(FOUR.slice(0, recoverAt + 1), (engine, _l, _o) => {
      const s = engine.books.get('NKNUSDT')?.sync as SpotBookSync | undefined;
      if (s?.state === 'live') {
        const body = { lastUpdateId: s.lastUpdateId, bids: s.book.levels(true, 5000), asks: s.book.levels(false, 5000) };
        recovery = { t: 0, src: 'rest', url: 'https://api.binance.com/api/v3/depth?symbol=NKNUSDT&limit=5000', raw: '', body };
      }
    });
    const faulty = FOUR.filter((_, i) => i !== dropAt);
    const withRecovery = [...faulty.slice(0, recoverAt), recovery!, ...faulty.slice(recoverAt)];
    const { outs, result } = run(withRecovery);
    expect(result.stats.gaps).toBe(1);
    const problems = outs.filter((o) => o.type === 'problem');
    expect(problems).toEqual([expect.objectContaining({ code: 'SEQUENCE_GAP', venueSymbol: 'NKNUSDT' })]);
    const fetches = (o: EngineOutput[]) => o.flatMap((x) => (x.type === 'fetch-snapshot' ? [x.venueSymbol] : [])).sort();
    expect(fetches(outs)).toEqual([...fetches(clean.outs), 'NKNUSDT'].sort());
    const states = outs.filter((o) => o.type === 'state' && o.venueSymbol !== 'NKNUSDT' && o.state !== 'live');
    expect(states).toEqual([]);
    expect(result.books).toEqual(clean.result.books);
  });
});

describe('binance-spot rejects malformed input without harming any book', () => {
  it('malformed frames throw BookfuseError BAD_FRAME from the parser', () => {
    const bad = [
      'not json',
      '[]',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":4,"b":[],"a":[]}}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["1e3","1"]],"a":[]}}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[["-1","1"]],"a":[]}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":"yes"}}',
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":9007199254740993,"p":"1","q":"1","T":1,"m":true}}',
      '{"stream":"x","data":{"e":"somethingNew"}}',
    ];
    expectBadFrames((raw) => adapter.parse(raw, 0), bad);
  });

  it('control frames are classified, not published', () => {
    expect(adapter.parse('{"result":null,"id":1}', 0)).toEqual({ kind: 'control', note: 'subscribe ack' });
    expect(adapter.parse('{"code":2,"msg":"Invalid request"}', 0)).toEqual({ kind: 'venue-error', code: '2', message: 'Invalid request' });
    expect(adapter.parse('{"e":"serverShutdown","E":1}', 0)).toEqual({ kind: 'reconnect', reason: 'serverShutdown' });
    expect(adapter.parse(BTC.find((l) => l.raw.includes('@bookTicker'))!.raw, 0)).toEqual({ kind: 'ignored', note: 'bookTicker' });
  });

  it('a value the book cannot hold exactly (past 2^53 at its scale) resyncs that symbol only and never escapes the engine', () => {
    const lines = FOUR;
    const { engine } = run(lines);
    const before = replayResult(engine, 1000).books;
    const blz = engine.books.get('BLZETH')!.sync as SpotBookSync;
    const u = blz.lastUpdateId + 1;
    const raw = JSON.stringify({ stream: 'blzeth@depth@100ms', data: { e: 'depthUpdate', E: 1, s: 'BLZETH', U: u, u, b: [['99999999999.00000001', '1']], a: [] } });
    const outs = engine.onFrame(raw, 0);
    expect(outs).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'problem', code: 'PRECISION_EXCEEDED', venueSymbol: 'BLZETH' }), { type: 'fetch-snapshot', venueSymbol: 'BLZETH' }]));
    expect(engine.books.get('BLZETH')!.state).toBe('resyncing');
    const after = replayResult(engine, 1000).books;
    delete before['BLZ-ETH'];
    expect(after).toEqual(before);
  });

  it('fuzz: 600 type-breaking mutations of real frames are rejected or read as the original; the engine never throws and the books stay exact', () => {
    const rng = new Rng(20240808);
    // depth and trade frames: the bookTickers are ignored whatever their content
    const ws = BTC.filter((l) => l.src === 'ws' && !l.raw.includes('@bookTicker'));
    const clean = run(BTC).result;
    const { rejected, harmless, rejectedByFrame } = fuzzParser(
      ws.map((l) => l.raw),
      600,
      rng,
      (raw) => adapter.parse(raw, 0),
    );
    const mutated = new Map([...rejectedByFrame].map(([i, raws]) => [BTC.indexOf(ws[i]!), raws]));
    expect(rejected).toBeGreaterThan(450);
    // every rejected mutation goes through the engine just before its original
    const lines = BTC.flatMap((l, i) => [...(mutated.get(i) ?? []).map((raw): CaptureLine => ({ t: l.t, src: 'ws', raw })), l]);
    const { result } = run(lines, (engine) => {
      for (const e of engine.books.values()) if (e.state === 'live') expect(e.sync.book.isCrossed()).toBe(false);
    });
    expect(result.stats.rejected).toBe(rejected);
    expect(result.stats).toMatchObject({ gaps: 0, resyncs: 0, crossed: 0 });
    expect(result.books).toEqual(clean.books);
    expect(rejected + harmless).toBe(600);
  });
});
