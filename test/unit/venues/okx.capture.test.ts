import { describe, expect, it } from 'vitest';
import { createOkxSwapAdapter } from '../../../libs/venues/okx/adapter.js';
import { checksumString, crc32Signed, okxChecksum } from '../../../libs/venues/okx/checksum.js';
import type { OkxBookSync } from '../../../libs/venues/okx/sync.js';
import { parseCaptureLine, Decimal, type BookMessage } from '../../../libs/core/index.js';
import { createReplayEngine, feedLine, replayFile, replayResult } from '../../../libs/venues/replay.js';
import type { EngineOutput } from '../../../libs/venues/engine.js';
import { fixture, fixtureJson, fixtureLines } from '../../helpers/fixtures.js';

const CAPTURE = 'books-trades-tickers-20220513.capture.ndjson';
const adapter = createOkxSwapAdapter();
const contractMetadata = () => adapter.parseInstruments([fixtureJson('okx', 'instruments-swap-20220513.json'), fixtureJson('okx', 'instruments-futures-20220513.json')]);

describe('okx legacy checksum', () => {
  it('builds the documented example string and hashes it as a signed CRC32', () => {
    const s = checksumString(
      [
        ['3366.1', '7'],
        ['3366', '6'],
      ],
      [
        ['3366.8', '9'],
        ['3368', '8'],
      ],
    );
    expect(s).toBe('3366.1:7:3366.8:9:3366:6:3368:8');
    // one bid, three asks: the missing bids are skipped
    expect(checksumString([['3366.1', '7']], [['3366.8', '9'], ['3368', '8'], ['3372', '8']])).toBe('3366.1:7:3366.8:9:3368:8:3372:8');
    // CRC32("123456789") = 0xCBF43926, which as a signed int32 is negative
    expect(crc32Signed('123456789')).toBe(0xcbf43926 | 0);
    expect(crc32Signed('123456789')).toBeLessThan(0);
  });

  it('okxChecksum (fed string by string) is the CRC of that string, uneven sides and non-ASCII included', () => {
    const cases: [string, string][][][] = [
      [[], []],
      [[['3366.1', '7'], ['3366', '6']], [['3366.8', '9'], ['3368', '8']]],
      [[['3366.1', '7']], [['3366.8', '9'], ['3368', '8'], ['3372', '8']]],
      [Array.from({ length: 30 }, (_, i): [string, string] => [`${9000 - i}.5`, `0.${i + 1}`]), [['9001', '1.25']]],
      [[['1\u00e9', '2']], [['3', '4']]],
    ];
    for (const [bids, asks] of cases) expect(okxChecksum(bids!, asks!)).toBe(crc32Signed(checksumString(bids!, asks!)));
  });
});

describe('okx on the real 2022 capture (books with checksum, no seqId)', () => {
  it('verifies 290 of 290 checksums across the spot book, the inverse future and the inverse swap', async () => {
    const problems: EngineOutput[] = [];
    const result = await replayFile(adapter as never, fixture('okx', CAPTURE), { depth: 400, onOutput: (o) => o.type === 'problem' && problems.push(o) });
    expect(problems).toEqual([]);
    expect(result.stats.checksum_ok).toBe(290);
    expect(result.stats.checksum_failed).toBe(0);
    expect(result.stats.resyncs).toBe(0);
    expect(result.stats.crossed).toBe(0);
    expect(result.stats.rejected).toBe(0);
    expect(result.stats.snapshots + result.stats.deltas).toBe(290);
  });

  it('keeps the inverse contracts in sync in venue units but leaves them out of canonical books', async () => {
    const published: BookMessage[] = [];
    const result = await replayFile(adapter as never, fixture('okx', CAPTURE), {
      depth: 400,
      instruments: contractMetadata(),
      onOutput: (o) => o.type === 'book' && published.push(o.msg),
    });
    expect(result.stats.checksum_ok).toBe(290);
    expect(result.not_convertible.sort()).toEqual(['BTC-USD-220527', 'UNI-USD-SWAP']);
    expect(Object.keys(result.books)).toEqual(['BTC-USDT']);
    expect(new Set(published.map((m) => m.symbol))).toEqual(new Set(['BTC-USDT']));
    // the inverse trades are not published either: every published trade is the spot pair's
    expect(result.stats.trades).toBe(69);
  });

  it('publishes the spot book exactly as rebuilt: top of book equals the sync, 400 levels deep, never crossed', async () => {
    const engine = createReplayEngine(adapter as never, { depth: 400 });
    for (const [i, line] of fixtureLines('okx', CAPTURE).entries()) feedLine(engine, parseCaptureLine(line, i + 1)!);
    const entry = engine.books.get('BTC-USDT')!;
    const sync = entry.sync as unknown as OkxBookSync;
    expect(entry.state).toBe('live');
    expect(sync.book.bids.length).toBe(400);
    expect(sync.book.asks.length).toBe(400);
    const { books } = replayResult(engine, 400);
    const book = books['BTC-USDT']!;
    expect(book.bids[0]).toEqual(sync.book.levels(true, 1)[0]);
    expect(book.asks[0]).toEqual(sync.book.levels(false, 1)[0]);
    expect(Number(book.bids[0]![0])).toBeLessThan(Number(book.asks[0]![0]));
  });

  it('a corrupted size in one recorded update fails its checksum and resyncs only that symbol', () => {
    const engine = createReplayEngine(adapter as never, { depth: 400 });
    const lines = fixtureLines('okx', CAPTURE).map((l, i) => parseCaptureLine(l, i + 1)!);
    // the first BTC-USDT update: change one size by one digit, keeping the string well-formed
    const k = lines.findIndex((l) => l.raw.includes('"instId":"BTC-USDT"}') && l.raw.includes('"action":"update"'));
    const outs: EngineOutput[] = [];
    const corrupted = lines[k]!.raw.replace('["30243.5","1.2112"', '["30243.5","1.2113"');
    expect(corrupted).not.toBe(lines[k]!.raw);
    for (const [i, line] of lines.entries()) outs.push(...feedLine(engine, i === k ? { ...line, raw: corrupted } : line));
    expect(engine.stats.checksum_failed).toBe(1);
    const mismatch = outs.find((o) => o.type === 'problem' && o.code === 'CHECKSUM_MISMATCH');
    expect(mismatch).toMatchObject({ venueSymbol: 'BTC-USDT' });
    expect(outs).toContainEqual({ type: 'resubscribe', venueSymbol: 'BTC-USDT' });
    expect(engine.books.get('BTC-USDT')!.state).toBe('resyncing');
    // the other two books carry on verifying
    expect(engine.books.get('UNI-USD-SWAP')!.state).toBe('live');
    expect(engine.books.get('BTC-USD-220527')!.state).toBe('live');
    expect(engine.stats.checksum_ok).toBe(99 + 93 + 1);
  });
});

describe('okx instrument conversion (instruments-swap-20220513.json)', () => {
  const instruments = contractMetadata();
  const byId = (id: string) => instruments.find((i) => i.venueSymbol === id)!;

  it('BTC-USDT-SWAP is BTC-USDT perp with ctVal 0.01 BTC: 12 contracts are exactly 0.12 BTC', () => {
    const btc = byId('BTC-USDT-SWAP');
    expect(btc).toMatchObject({ symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'perp', tickSize: '0.1', lotSize: '1' });
    expect(btc.conversion).toEqual({ size: { mantissa: 1, exp: -2 }, price: { mantissa: 1, exp: 0 } });
    const engine = createReplayEngine(adapter as never, { depth: 400, instruments });
    const outs = engine.onFrame('{"arg":{"channel":"trades","instId":"BTC-USDT-SWAP"},"data":[{"instId":"BTC-USDT-SWAP","tradeId":"130639474","px":"42219.9","sz":"12","side":"buy","ts":"1630048897897"}]}', 1);
    expect(outs).toEqual([
      { type: 'trade', msg: { v: 1, venue: 'okx-swap', symbol: 'BTC-USDT', id: '130639474', price: '42219.9', qty: '0.12', side: 'buy', ts: 1630048897897, recv_ts: 1 } },
    ]);
  });

  it('converts book sizes from contracts too, exactly', () => {
    const engine = createReplayEngine(adapter as never, { depth: 400, instruments });
    const outs = engine.onFrame(
      '{"arg":{"channel":"books","instId":"BTC-USDT-SWAP"},"action":"snapshot","data":[{"asks":[["30250.1","3","0","1"]],"bids":[["30250","7","0","2"],["30249.9","1234","0","9"]],"ts":"1652459225000","checksum":0}]}',
      1,
    );
    const book = outs.find((o) => o.type === 'book')!;
    expect(book.type === 'book' && book.msg).toMatchObject({ kind: 'snapshot', symbol: 'BTC-USDT', bids: [['30250', '0.07'], ['30249.9', '12.34']], asks: [['30250.1', '0.03']] });
  });

  it('UNI-USD-SWAP and BTC-USD-220527 are inverse: not convertible, with the reason', () => {
    for (const id of ['UNI-USD-SWAP', 'BTC-USD-220527']) {
      const i = byId(id);
      expect(i.conversion).toBeNull();
      expect(i.notConvertible).toMatch(/inverse contract/);
    }
    expect(byId('UNI-USD-SWAP')).toMatchObject({ symbol: 'UNI-USD', kind: 'perp' });
    expect(byId('BTC-USD-220527')).toMatchObject({ symbol: 'BTC-USD-220527', kind: 'future' });
  });

  it('every live linear swap converts by ctVal × ctMult, checked against decimal arithmetic', () => {
    const body = fixtureJson('okx', 'instruments-swap-20220513.json') as { data: Record<string, string>[] };
    const linear = body.data.filter((d) => d.ctType === 'linear' && d.state === 'live');
    expect(linear.length).toBeGreaterThan(50);
    for (const d of linear) {
      const conv = byId(d.instId!).conversion!;
      const factor = new Decimal(conv.size.mantissa).mul(new Decimal(10).pow(conv.size.exp));
      expect(factor.equals(new Decimal(d.ctVal!).mul(d.ctMult!))).toBe(true);
      expect(byId(d.instId!).base).toBe(d.ctValCcy);
    }
  });
});
