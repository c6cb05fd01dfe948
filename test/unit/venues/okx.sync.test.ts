/**
 * OKX sequence rules at the sync level. The only real OKX book recording (2022) predates seqId,
 * so these tests take its real BTC-USDT frames (levels and checksums untouched) and add a
 * seqId/prevSeqId chain the way OKX numbers them today: the snapshot has prevSeqId -1, every
 * update's prevSeqId is the previous seqId, and ids are not contiguous.
 */
import { describe, expect, it } from 'vitest';
import { createOkxSwapAdapter } from '../../../libs/venues/okx/adapter.js';
import { OKX_BOOK_CHANNELS } from '../../../libs/venues/okx/channels.js';
import { parseOkxFrame, type OkxBookFrame } from '../../../libs/venues/okx/parse.js';
import { OkxBookSync, type OkxBootstrap } from '../../../libs/venues/okx/sync.js';
import { parseCaptureLine, type Level } from '../../../libs/core/index.js';
import { createReplayEngine } from '../../../libs/venues/replay.js';
import type { EngineOutput } from '../../../libs/venues/engine.js';
import { fixtureLines } from '../../helpers/fixtures.js';

const CAPTURE = 'books-trades-tickers-20220513.capture.ndjson';
const FIRST_SEQ = 8_000_000;
const STEP = 7;

/** Real recorded book frames with a seqId chain per instrument; everything else as recorded. */
function sequencedCapture(): { raw: string; t: number }[] {
  const next = new Map<string, number>();
  return fixtureLines('okx', CAPTURE).map((l, i) => {
    const line = parseCaptureLine(l, i + 1)!;
    const msg = JSON.parse(line.raw) as { arg?: { channel?: string; instId?: string }; action?: string; data?: Record<string, unknown>[] };
    if (msg.arg?.channel !== 'books' || !msg.data) return { raw: line.raw, t: line.t };
    const id = msg.arg.instId!;
    const prev = next.get(id);
    const seq = prev === undefined ? FIRST_SEQ : prev + STEP;
    msg.data[0]!['prevSeqId'] = msg.action === 'snapshot' ? -1 : prev;
    msg.data[0]!['seqId'] = seq;
    next.set(id, seq);
    return { raw: JSON.stringify(msg), t: line.t };
  });
}

function bookFrames(instId: string): OkxBookFrame[] {
  return sequencedCapture()
    .map((l) => parseOkxFrame(l.raw, l.t))
    .flatMap((p) => (p.kind === 'book' && p.venueSymbol === instId ? [p.frame] : []));
}

const instrument = createOkxSwapAdapter().fallbackInstrument('BTC-USDT')!;
const newSync = (mode: OkxBootstrap = 'ws-snapshot') => new OkxBookSync(instrument, OKX_BOOK_CHANNELS['books']!, mode);
const top = (s: OkxBookSync, n = 400): { bids: Level[]; asks: Level[] } => ({ bids: s.book.levels(true, n), asks: s.book.levels(false, n) });
const restBody = (f: OkxBookFrame, seqId: number) => ({ code: '0', msg: '', data: [{ asks: f.asks, bids: f.bids, ts: String(f.ts), seqId }] });
const noChecksum = (f: OkxBookFrame): OkxBookFrame => ({ ...f, checksum: 0 });

describe('okx sync: legacy WS snapshot + seqId chain', () => {
  const frames = bookFrames('BTC-USDT');
  const [snap, ...updates] = frames;

  it('applies the snapshot and every chained update, verifying each checksum', () => {
    const s = newSync();
    expect(s.onFrame(snap!, 0)).toMatchObject({ action: 'applied', kind: 'snapshot', checksum: 'ok' });
    for (const u of updates) expect(s.onFrame(u, 0)).toMatchObject({ action: 'applied', kind: 'delta', checksum: 'ok' });
    expect(s.state).toBe('live');
    expect(s.seqId).toBe(FIRST_SEQ + STEP * updates.length);
  });

  it('a prevSeqId that is not the local seqId discards the book and asks for a resubscription', () => {
    const s = newSync();
    s.onFrame(snap!, 0);
    s.onFrame(updates[0]!, 0);
    const r = s.onFrame(updates[2]!, 0); // updates[1] was lost
    expect(r).toEqual({ action: 'resync', code: 'SEQUENCE_GAP', detail: `prevSeqId ${FIRST_SEQ + 2 * STEP} != local seqId ${FIRST_SEQ + STEP}`, recover: 'resubscribe' });
    expect(s.state).toBe('resyncing');
    expect(s.book.bids.length + s.book.asks.length).toBe(0);
  });

  it('accepts a keep-alive update (empty, prevSeqId == seqId) and a sequence reset after maintenance', () => {
    const s = newSync();
    s.onFrame(snap!, 0);
    s.onFrame(updates[0]!, 0);
    const before = top(s);
    const seq = s.seqId!;
    // keep-alive: nothing changed, so the book's checksum is the one of the last update
    const keepAlive: OkxBookFrame = { ...updates[0]!, bids: [], asks: [], prevSeqId: seq, seqId: seq };
    expect(s.onFrame(keepAlive, 0)).toMatchObject({ action: 'applied', kind: 'delta', changes: { bids: [], asks: [] }, checksum: 'ok' });
    expect(top(s)).toEqual(before);
    // reset: seqId drops below prevSeqId, prevSeqId still equals the local seqId
    const reset: OkxBookFrame = { ...updates[1]!, prevSeqId: seq, seqId: 12 };
    expect(s.onFrame(reset, 0)).toMatchObject({ action: 'applied', checksum: 'ok' });
    expect(s.seqId).toBe(12);
    expect(s.onFrame({ ...updates[2]!, prevSeqId: 12, seqId: 19 }, 0)).toMatchObject({ action: 'applied', checksum: 'ok' });
    expect(s.state).toBe('live');
  });

  it('a fresh WS snapshot while live replaces the book', () => {
    const s = newSync();
    s.onFrame(snap!, 0);
    for (const u of updates.slice(0, 5)) s.onFrame(u, 0);
    expect(s.onFrame(snap!, 0)).toMatchObject({ action: 'applied', kind: 'snapshot', checksum: 'ok' });
    expect(s.seqId).toBe(FIRST_SEQ);
    const fresh = newSync();
    fresh.onFrame(snap!, 0);
    expect(top(s)).toEqual(top(fresh));
  });

  it('updates before any WS snapshot ask for a REST snapshot once, and a WS snapshot arriving meanwhile is used', () => {
    const s = newSync();
    expect(s.onFrame(updates[0]!, 0)).toEqual({ action: 'need-snapshot' });
    expect(s.onFrame(updates[1]!, 0)).toEqual({ action: 'none' });
    expect(s.onFrame(snap!, 0)).toMatchObject({ action: 'applied', kind: 'snapshot', checksum: 'ok' });
    // the buffered updates follow the snapshot's seqId, so they were applied in order
    expect(s.seqId).toBe(FIRST_SEQ + 2 * STEP);
    // and the late REST answer must not rewind the book
    expect(s.onSnapshot(restBody(snap!, FIRST_SEQ), 0)).toEqual({ action: 'none' });
    expect(s.seqId).toBe(FIRST_SEQ + 2 * STEP);
  });
});

describe('okx sync: REST bootstrap (2026 procedure)', () => {
  const frames = bookFrames('BTC-USDT');
  const [snap, ...updates] = frames;
  const legacyAfter = (n: number) => {
    const s = newSync();
    s.onFrame(snap!, 0);
    for (const u of updates.slice(0, n)) s.onFrame(u, 0);
    return s;
  };

  it('ignores WS snapshots, buffers updates, asks for one REST snapshot', () => {
    const s = newSync('rest');
    expect(s.recovery).toBe('rest-snapshot');
    expect(s.onFrame(snap!, 0)).toEqual({ action: 'none' });
    expect(s.onFrame(updates[0]!, 0)).toEqual({ action: 'need-snapshot' });
    expect(s.onFrame(updates[1]!, 0)).toEqual({ action: 'none' });
    expect(s.state).toBe('syncing');
  });

  it('joins a snapshot whose seqId lies between an update’s prevSeqId and seqId, then verifies checksums', () => {
    const s = newSync('rest');
    for (const u of updates.slice(0, 3)) s.onFrame(u, 0);
    // the REST book equals the state at FIRST_SEQ; its id need not appear in the stream
    const r = s.onSnapshot(restBody(snap!, FIRST_SEQ + 3), 0);
    expect(r).toMatchObject({ action: 'applied', kind: 'snapshot', checksum: 'ok' });
    expect(s.seqId).toBe(FIRST_SEQ + 3 * STEP);
    expect(top(s)).toEqual(top(legacyAfter(3)));
    expect(s.onFrame(updates[3]!, 0)).toMatchObject({ action: 'applied', kind: 'delta', checksum: 'ok' });
  });

  it('drops buffered updates the snapshot already contains', () => {
    const s = newSync('rest');
    for (const u of updates.slice(0, 4)) s.onFrame(noChecksum(u), 0);
    // a snapshot taken after the 2nd update: the book at that point, with its seqId
    const at2 = legacyAfter(2);
    const body = { code: '0', data: [{ bids: top(at2).bids, asks: top(at2).asks, ts: '1652459226000', seqId: FIRST_SEQ + 2 * STEP }] };
    expect(s.onSnapshot(body, 0)).toMatchObject({ action: 'applied', kind: 'snapshot' });
    expect(s.seqId).toBe(FIRST_SEQ + 4 * STEP);
    expect(top(s)).toEqual(top(legacyAfter(4)));
  });

  it('a snapshot older than the first buffered prevSeqId is fetched again', () => {
    const s = newSync('rest');
    for (const u of updates.slice(3, 6)) s.onFrame(u, 0);
    expect(s.onSnapshot(restBody(snap!, FIRST_SEQ), 0)).toEqual({
      action: 'resync',
      code: 'STALE_SNAPSHOT',
      detail: `snapshot seqId ${FIRST_SEQ} < first buffered prevSeqId ${FIRST_SEQ + 3 * STEP}`,
      recover: 'rest-snapshot',
    });
    expect(s.state).not.toBe('live');
  });

  it('a hole in the buffered chain is a gap: discard and fetch again', () => {
    const s = newSync('rest');
    s.onFrame(updates[0]!, 0);
    s.onFrame(updates[2]!, 0);
    expect(s.onSnapshot(restBody(snap!, FIRST_SEQ), 0)).toMatchObject({ action: 'resync', code: 'SEQUENCE_GAP', recover: 'rest-snapshot' });
    expect(s.state).toBe('resyncing');
  });

  it('with nothing buffered, the first live update may straddle the snapshot; earlier ones are contained', () => {
    const s = newSync('rest');
    expect(s.onSnapshot(restBody(snap!, FIRST_SEQ + 3), 0)).toMatchObject({ action: 'applied', kind: 'snapshot' });
    expect(s.onFrame({ ...updates[0]!, prevSeqId: FIRST_SEQ - 4, seqId: FIRST_SEQ + 2 }, 0)).toEqual({ action: 'none' });
    expect(s.onFrame(updates[0]!, 0)).toMatchObject({ action: 'applied', checksum: 'ok' });
    expect(s.onFrame(updates[1]!, 0)).toMatchObject({ action: 'applied', checksum: 'ok' });
  });

  it('a REST snapshot without seqId cannot be joined: a clear error', () => {
    const s = newSync('rest');
    s.onFrame(updates[0]!, 0);
    expect(() => s.onSnapshot({ code: '0', data: [{ bids: [], asks: [], ts: '1' }] }, 0)).toThrow(/no seqId/);
  });
});

describe('okx sync through the engine: a gap affects only its symbol', () => {
  it('drops one BTC-USDT update: that book resyncs with SEQUENCE_GAP, the other two stay live and verified', () => {
    const engine = createReplayEngine(createOkxSwapAdapter() as never, { depth: 400 });
    const lines = sequencedCapture();
    const btcUpdates = lines.flatMap((l, i) => (l.raw.includes('"instId":"BTC-USDT"}') && l.raw.includes('"action":"update"') ? [i] : []));
    const lost = btcUpdates[10]!;
    const outs: EngineOutput[] = [];
    for (const [i, l] of lines.entries()) if (i !== lost) outs.push(...engine.onFrame(l.raw, l.t));
    expect(engine.stats.gaps).toBe(1);
    expect(outs.filter((o) => o.type === 'problem')).toEqual([
      { type: 'problem', code: 'SEQUENCE_GAP', venueSymbol: 'BTC-USDT', detail: `prevSeqId ${FIRST_SEQ + 11 * STEP} != local seqId ${FIRST_SEQ + 10 * STEP}` },
    ]);
    expect(outs).toContainEqual({ type: 'resubscribe', venueSymbol: 'BTC-USDT' });
    expect(engine.books.get('BTC-USDT')!.state).toBe('resyncing');
    expect(engine.books.get('UNI-USD-SWAP')!.state).toBe('live');
    expect(engine.books.get('BTC-USD-220527')!.state).toBe('live');
    expect(engine.stats.checksum_failed).toBe(0);
  });
});

describe('okx sync: whole-book channels (books5, bbo-tbt)', () => {
  it('bbo-tbt replaces the book on every push and reports the vanished level as a change', () => {
    const recorded = '{"arg":{"channel":"bbo-tbt","instId":"BTC-USDT-SWAP"},"data":[{"asks":[["38632.4","727","0","22"]],"bids":[["38632.3","990","0","22"]],"ts":"1651761120004"}]}';
    const p1 = parseOkxFrame(recorded, 0);
    const p2 = parseOkxFrame(recorded.replace('["38632.3","990"', '["38632.2","15"'), 0);
    if (p1.kind !== 'book' || p2.kind !== 'book') throw new Error('expected book frames');
    expect(p1.frame.action).toBe('full');
    const s = new OkxBookSync(instrument, OKX_BOOK_CHANNELS['bbo-tbt']!);
    expect(s.exactDepth).toBe(1);
    expect(s.onFrame(p1.frame, 0)).toMatchObject({ action: 'applied', kind: 'snapshot' });
    const r = s.onFrame(p2.frame, 0);
    expect(r).toMatchObject({ action: 'applied', kind: 'delta' });
    expect(r.action === 'applied' && r.changes.bids.map((p) => s.book.formatPrice(p)).sort()).toEqual(['38632.2', '38632.3']);
    expect(top(s)).toEqual({ bids: [['38632.2', '15']], asks: [['38632.4', '727']] });
  });
});
