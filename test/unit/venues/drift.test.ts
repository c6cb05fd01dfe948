/**
 * Schema drift on real frames of every venue (#15.7): a field added is counted and changes
 * nothing, a required field renamed or removed rejects the frame with BAD_FRAME, a documented
 * optional field removed takes its fallback (or is left empty) and is counted.
 */
import { describe, expect, it } from 'vitest';
import { BookfuseError, parseCaptureLine } from '../../../libs/core/index.js';
import { createAdapter, createReplayEngine, DriftLog, MAX_DRIFT_FIELDS, OTHER_FIELD, venueIds, type DriftKind } from '../../../libs/venues/index.js';
import { fixtureLines } from '../../helpers/fixtures.js';

type Json = Record<string, unknown>;
type Edit = (frame: Json) => void;

interface VenueDrift {
  /** capture file under shared/fixtures/venues and a text every chosen frame contains */
  file: string[];
  contains: string;
  /** the object inside the frame that carries the book fields, and one required field of it */
  body: (frame: Json) => Json;
  required: string;
  /** `<message>` prefix the parser names fields with */
  what: string;
  /** drift the real, unedited frame already shows against today's schema */
  already?: Array<[string, DriftKind]>;
  /** documented optional fields: removing one is tolerated and counted */
  optional?: Array<{ edit: Edit; field: string; kind: DriftKind; check?: (parsed: unknown, frame: Json) => void }>;
}

const data = (f: Json) => f['data'] as Json;
const firstData = (f: Json) => (f['data'] as Json[])[0]!;

const CASES: Record<string, VenueDrift> = {
  'binance-spot': { file: ['binance-spot', 'btcusdt-20240808-depth100ms-trade-bookticker.capture.ndjson'], contains: 'depthUpdate', body: data, required: 'u', what: 'depthUpdate' },
  'binance-usdm': {
    file: ['binance-usdm', 'btcusdt-20240808-depth0ms-trade-bookticker.capture.ndjson'],
    contains: 'depthUpdate',
    body: data,
    required: 'pu',
    what: 'depthUpdate',
    optional: [{ edit: (f) => delete data(f)['T'], field: 'depthUpdate.T', kind: 'fallback' }],
  },
  'bybit-linear': {
    file: ['bybit', 'xrpusdt-linear-orderbook500-20241201.ndjson'],
    contains: '"delta"',
    body: data,
    required: 'u',
    what: 'orderbook.data',
    optional: [
      // frames from 2023 carry `ts` but no `cts`: the push time stands in (Bybit v5 docs)
      { edit: (f) => delete f['cts'], field: 'orderbook.cts', kind: 'fallback', check: (p, f) => expect((p as { frame: { ts: number } }).frame.ts).toBe(f['ts']) },
      { edit: (f) => delete data(f)['seq'], field: 'orderbook.data.seq', kind: 'missing' },
    ],
  },
  // the 2022 capture predates OKX sequence ids: the real frames already show that drift
  'okx-swap': { file: ['okx', 'books-trades-tickers-20220513.capture.ndjson'], contains: '"action":"update"', body: firstData, required: 'ts', what: 'books.data', already: [['books.data.seqId', 'missing']] },
  'okx-spot': { file: ['okx', 'books-trades-tickers-20220513.capture.ndjson'], contains: '"action":"update"', body: firstData, required: 'ts', what: 'books.data', already: [['books.data.seqId', 'missing']] },
  hyperliquid: { file: ['hyperliquid', 'btc-20250126-l2book-trades.capture.ndjson'], contains: '"l2Book"', body: data, required: 'time', what: 'l2Book.data' },
};

function realFrame(c: VenueDrift): string {
  for (const [i, line] of fixtureLines(...c.file).entries()) {
    const cap = parseCaptureLine(line, i + 1);
    if (cap?.src === 'ws' && cap.raw.includes(c.contains)) return cap.raw;
  }
  throw new Error(`no frame with ${c.contains} in ${c.file.join('/')}`);
}

function edited(raw: string, edit: Edit): string {
  const f = JSON.parse(raw) as Json;
  edit(f);
  return JSON.stringify(f);
}

function parseNoting(venue: string, raw: string): { parsed: unknown; notes: Array<[string, DriftKind]> } {
  const drift = new DriftLog();
  const parsed = createAdapter(venue).parse(raw, 0, drift);
  return { parsed, notes: drift.take().map((n) => [n.field, n.kind]) };
}

function rejects(venue: string, raw: string): Array<[string, DriftKind]> {
  const drift = new DriftLog();
  let err: unknown;
  try {
    createAdapter(venue).parse(raw, 0, drift);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(BookfuseError);
  expect((err as BookfuseError).code).toBe('BAD_FRAME');
  return drift.take().map((n) => [n.field, n.kind]);
}

describe('parsers tolerate schema drift and count it, on real frames of every venue', () => {
  it('every registered venue has its drift case', () => {
    expect(Object.keys(CASES).sort()).toEqual(venueIds().sort());
  });

  describe.each(Object.entries(CASES))('%s', (venue, c) => {
    const raw = realFrame(c);
    const original = parseNoting(venue, raw);

    it('reads the real frame with only the drift it really has', () => {
      expect(original.notes).toEqual(c.already ?? []);
    });

    it('an added field is counted as unknown and changes nothing', () => {
      const r = parseNoting(venue, edited(raw, (f) => (c.body(f)['brandNew'] = 1)));
      expect(r.parsed).toEqual(original.parsed);
      expect(r.notes).toContainEqual([`${c.what}.brandNew`, 'unknown']);
    });

    it('a required field renamed rejects the frame (and the new name is counted)', () => {
      const notes = rejects(
        venue,
        edited(raw, (f) => {
          const b = c.body(f);
          b[`${c.required}2`] = b[c.required];
          delete b[c.required];
        }),
      );
      expect(notes).toContainEqual([`${c.what}.${c.required}2`, 'unknown']);
    });

    it('a required field removed rejects the frame', () => {
      rejects(venue, edited(raw, (f) => delete c.body(f)[c.required]));
    });

    for (const o of c.optional ?? []) {
      it(`an optional field removed is tolerated and counted (${o.field}: ${o.kind})`, () => {
        const frame = JSON.parse(edited(raw, o.edit)) as Json;
        const r = parseNoting(venue, JSON.stringify(frame));
        expect(r.notes).toContainEqual([o.field, o.kind]);
        o.check?.(r.parsed, frame);
      });
    }
  });
});

describe('the engine reports drift as output', () => {
  it('each occurrence is an output, the first of each field and kind marked first', () => {
    const c = CASES['bybit-linear']!;
    const noCts = fixtureLines(...c.file)
      .slice(0, 3)
      .map((raw) => edited(raw, (f) => delete f['cts']));
    const engine = createReplayEngine(createAdapter('bybit-linear'), { depth: 50 });
    const drift = noCts.flatMap((raw, i) => engine.onFrame(raw, i)).filter((o) => o.type === 'drift');
    expect(drift).toEqual([
      { type: 'drift', field: 'orderbook.cts', kind: 'fallback', first: true },
      { type: 'drift', field: 'orderbook.cts', kind: 'fallback', first: false },
      { type: 'drift', field: 'orderbook.cts', kind: 'fallback', first: false },
    ]);
    expect(engine.drift.counts.get('fallback orderbook.cts')).toBe(3);
    // and the book still applies: Bybit frames without cts are live
    expect(engine.books.get('XRPUSDT')!.state).toBe('live');
  });

  it('venue-chosen field names stay bounded and printable', () => {
    const log = new DriftLog();
    for (let i = 0; i < MAX_DRIFT_FIELDS + 10; i++) log.note(`x.f${i}\n`, 'unknown');
    const fields = new Set(log.take().map((n) => n.field));
    expect(fields.size).toBe(MAX_DRIFT_FIELDS + 1);
    expect(fields.has(OTHER_FIELD)).toBe(true);
    for (const f of fields) expect(f).toMatch(/^[A-Za-z0-9_.?()[\]-]+$/);
  });
});
