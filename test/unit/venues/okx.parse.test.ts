import { describe, expect, it } from 'vitest';
import { createOkxSpotAdapter, createOkxSwapAdapter, MAX_BOOK_CHANNELS_PER_CONNECTION } from '../../../libs/venues/okx/adapter.js';
import { parseOkxFrame } from '../../../libs/venues/okx/parse.js';
import { convertDecimal, type Instrument } from '../../../libs/core/index.js';
import { fixtureJson, fixtureLines } from '../../helpers/fixtures.js';

const single = fixtureLines('okx', 'single-messages-v5-tardis.ndjson');
const recorded = (channel: string, instId?: string) => single.find((l) => l.includes(`"channel":"${channel}"`) && (!instId || l.includes(`"instId":"${instId}"`)))!;
const swap = createOkxSwapAdapter();
/** sizes and prices pass through unchanged */
const identity = (i: Instrument) => !!i.conversion && convertDecimal('0.00012345', i.conversion.size) === '0.00012345' && convertDecimal('98765.4321', i.conversion.price) === '98765.4321';
const spot = createOkxSpotAdapter();

describe('okx parse: recorded single messages', () => {
  it('trades: side is the taker side as is, sz stays in venue units (contracts)', () => {
    expect(parseOkxFrame(recorded('trades', 'BTC-USDT-SWAP'), 0)).toEqual({
      kind: 'trades',
      trades: [{ venueSymbol: 'BTC-USDT-SWAP', id: '148266905', price: '48938.5', qty: '5', side: 'buy', ts: 1640131236050 }],
    });
    expect(parseOkxFrame(recorded('trades-all'), 0)).toEqual({
      kind: 'trades',
      trades: [{ venueSymbol: 'BSV-USDT', id: '84834539', price: '42.52', qty: '3.75', side: 'buy', ts: 1697760012017 }],
    });
  });

  it('liquidation-orders: details[].side is the closing order as is, posSide short ⇒ a short was liquidated, coverage partial', () => {
    expect(parseOkxFrame(recorded('liquidation-orders'), 0)).toEqual({
      kind: 'liquidations',
      liquidations: [{ venueSymbol: 'XRP-USD-230929', side: 'buy', liquidated: 'short', price: '0.55205', qty: '39', coverage: 'partial', ts: 1680173247614 }],
    });
  });

  it('liquidation-orders in net mode: a sell closes a long; a posSide contradicting the side is rejected', () => {
    const net = recorded('liquidation-orders').replace('"posSide":"short","side":"buy"', '"posSide":"net","side":"sell"');
    const p = parseOkxFrame(net, 0);
    expect(p.kind === 'liquidations' && p.liquidations[0]).toMatchObject({ side: 'sell', liquidated: 'long' });
    const contradiction = recorded('liquidation-orders').replace('"posSide":"short"', '"posSide":"long"');
    expect(() => parseOkxFrame(contradiction, 0)).toThrow(/cannot close a long/);
  });

  it('bbo-tbt is a whole-book frame; tickers, index, mark, open interest, funding and limits are ignored', () => {
    const bbo = parseOkxFrame(recorded('bbo-tbt'), 0);
    expect(bbo).toMatchObject({ kind: 'book', venueSymbol: 'BTC-USDT-SWAP', frame: { action: 'full', bids: [['38632.3', '990']], ts: 1651761120004, checksum: 0 } });
    for (const ch of ['tickers', 'index-tickers', 'mark-price', 'open-interest', 'funding-rate', 'price-limit']) {
      expect(parseOkxFrame(recorded(ch), 0)).toEqual({ kind: 'ignored', note: ch });
    }
  });

  it('control frames: the bare text pong, subscribe acks, errors, the service-upgrade notice', () => {
    expect(parseOkxFrame('pong', 0)).toEqual({ kind: 'control', note: 'pong' });
    expect(parseOkxFrame('{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}', 0)).toEqual({ kind: 'control', note: 'subscribe' });
    expect(parseOkxFrame('{"event":"error","code":"60012","msg":"Invalid request"}', 0)).toEqual({ kind: 'venue-error', code: '60012', message: 'Invalid request' });
    expect(parseOkxFrame('{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade. Please reconnect.","connId":"a4d3ae55"}', 0)).toMatchObject({ kind: 'reconnect' });
  });

  it('malformed frames are BAD_FRAME errors naming the problem', () => {
    const book = '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[],"ts":"1","checksum":0}]}';
    expect(() => parseOkxFrame('ping', 0)).toThrow(/not JSON/);
    expect(() => parseOkxFrame(book.replace('"action":"update",', ''), 0)).toThrow(/action must be snapshot or update/);
    expect(() => parseOkxFrame(book.replace('"data":[{', '"data":[{"asks":[],"bids":[],"ts":"1"},{'), 0)).toThrow(/expected one data entry/);
    expect(() => parseOkxFrame(book.replace('"bids":[]', '"bids":[[30000,"1"]]'), 0)).toThrow(/malformed level/);
    expect(() => parseOkxFrame(book.replace('"checksum":0', '"checksum":"x"'), 0)).toThrow(/checksum/);
    expect(() => parseOkxFrame('{"arg":{"channel":"no-such-channel"},"data":[]}', 0)).toThrow(/unknown channel/);
    expect(() => parseOkxFrame(recorded('trades', 'BTC-USDT-SWAP').replace('"side":"buy"', '"side":"up"'), 0)).toThrow(/side/);
  });
});

describe('okx metadata', () => {
  it('okx-spot: baseCcy/quoteCcy, identity conversion, venue tick and lot', () => {
    const instruments = spot.parseInstruments([fixtureJson('okx', 'instruments-spot-20220513.json')]);
    expect(instruments.length).toBeGreaterThan(400);
    const btc = instruments.find((i) => i.venueSymbol === 'BTC-USDT')!;
    expect(btc).toMatchObject({ venue: 'okx-spot', venueSymbol: 'BTC-USDT', symbol: 'BTC-USDT', base: 'BTC', quote: 'USDT', kind: 'spot', tickSize: '0.1', lotSize: '0.00000001' });
    expect(identity(btc)).toBe(true);
  });

  it('each venue id keeps only its own instrument types; only live instruments', () => {
    const bodies = ['spot', 'swap', 'futures'].map((t) => fixtureJson('okx', `instruments-${t}-20220513.json`));
    expect(new Set(swap.parseInstruments(bodies).map((i) => i.kind))).toEqual(new Set(['perp', 'future']));
    expect(new Set(spot.parseInstruments(bodies).map((i) => i.kind))).toEqual(new Set(['spot']));
    const all = (bodies[1] as { data: { state: string }[] }).data;
    expect(swap.parseInstruments([bodies[1]]).length).toBe(all.filter((d) => d.state === 'live').length);
    expect(() => swap.parseInstruments([{ code: '50011', msg: 'Too Many Requests', data: [] }])).toThrow(/50011/);
  });

  it('metadata requests: SWAP for okx-swap (FUTURES only when asked), SPOT for okx-spot', () => {
    expect(swap.metadataRequests().map((r) => r.path)).toEqual(['/api/v5/public/instruments?instType=SWAP']);
    expect(createOkxSwapAdapter({ futures: true }).metadataRequests().map((r) => r.path)).toEqual([
      '/api/v5/public/instruments?instType=SWAP',
      '/api/v5/public/instruments?instType=FUTURES',
    ]);
    expect(spot.metadataRequests().map((r) => r.path)).toEqual(['/api/v5/public/instruments?instType=SPOT']);
  });

  it('replay fallback: spot ids convert as they are, contracts are synced but not convertible', () => {
    expect(swap.fallbackInstrument('BTC-USDT')).toMatchObject({ symbol: 'BTC-USDT', kind: 'spot' });
    expect(identity(swap.fallbackInstrument('BTC-USDT')!)).toBe(true);
    expect(swap.fallbackInstrument('BTC-USDT-SWAP')).toMatchObject({ symbol: 'BTC-USDT', kind: 'perp', conversion: null, notConvertible: 'contract size unknown without instrument metadata' });
    expect(swap.fallbackInstrument('BTC-USD-220527')).toMatchObject({ symbol: 'BTC-USD-220527', kind: 'future', conversion: null });
    expect(swap.fallbackInstrument('BTC-USD-220527-30000-C')).toBeNull();
  });
});

describe('okx connections', () => {
  const instruments = (n: number): Instrument[] => Array.from({ length: n }, (_, i) => swap.fallbackInstrument(`C${i}-USDT-SWAP`)!);

  it('batches every channel of a connection in one subscribe request, fewer than 30 book channels each', () => {
    const conns = swap.connections(instruments(70), { depth: 400 });
    expect(conns.map((c) => c.symbols.length)).toEqual([29, 29, 12]);
    for (const c of conns) {
      expect(c.subscribe).toHaveLength(1);
      const req = JSON.parse(c.subscribe[0]!) as { op: string; args: Record<string, string>[] };
      expect(req.op).toBe('subscribe');
      const books = req.args.filter((a) => a['channel'] === 'books');
      expect(books.length).toBeLessThan(30);
      expect(books.map((a) => a['instId'])).toEqual(c.symbols);
      expect(req.args.filter((a) => a['channel'] === 'trades').map((a) => a['instId'])).toEqual(c.symbols);
      expect(c.heartbeat).toEqual({ kind: 'client-message', intervalMs: 20_000, message: 'ping' });
      expect(c.path).toBe('/ws/v5/public');
    }
    const liq = conns.map((c) => (JSON.parse(c.subscribe[0]!) as { args: Record<string, string>[] }).args.filter((a) => a['channel'] === 'liquidation-orders'));
    expect(liq).toEqual([[{ channel: 'liquidation-orders', instType: 'SWAP' }], [], []]);
    expect(MAX_BOOK_CHANNELS_PER_CONNECTION).toBeLessThan(30);
  });

  it('okx-spot subscribes no liquidations; the book channel is configurable and checked', () => {
    const [c] = createOkxSpotAdapter({ bookChannel: 'books5' }).connections([spot.fallbackInstrument('BTC-USDT')!], { depth: 5 });
    expect(JSON.parse(c!.subscribe[0]!)).toEqual({ op: 'subscribe', args: [{ channel: 'books5', instId: 'BTC-USDT' }, { channel: 'trades', instId: 'BTC-USDT' }] });
    expect(spot.liquidations.supported).toBe(false);
    expect(() => createOkxSwapAdapter({ bookChannel: 'books9000' })).toThrow(/unknown book channel/);
  });

  it('drops liquidations of instruments it does not collect (the channel covers a whole instType), keeps the rest', () => {
    const a = createOkxSwapAdapter({ futures: true });
    expect(a.parse(recorded('liquidation-orders'), 0).kind).toBe('liquidations'); // replay: nothing chosen, keep all
    a.connections([a.fallbackInstrument('BTC-USDT-SWAP')!], { depth: 400 });
    expect(a.parse(recorded('liquidation-orders'), 0)).toEqual({ kind: 'ignored', note: 'liquidations of instruments not collected' });
    a.connections([a.fallbackInstrument('XRP-USD-230929')!], { depth: 400 });
    expect(a.parse(recorded('liquidation-orders'), 0)).toMatchObject({ kind: 'liquidations', liquidations: [{ venueSymbol: 'XRP-USD-230929' }] });
  });

  it('resubscribes one book, and bootstraps over REST from /api/v5/market/books with 400 levels', () => {
    const [c] = swap.connections(instruments(1), { depth: 400 });
    expect(swap.resubscribe(c!, 'C0-USDT-SWAP').map((f) => JSON.parse(f))).toEqual([
      { op: 'unsubscribe', args: [{ channel: 'books', instId: 'C0-USDT-SWAP' }] },
      { op: 'subscribe', args: [{ channel: 'books', instId: 'C0-USDT-SWAP' }] },
    ]);
    expect(swap.snapshotRequest!('BTC-USDT-SWAP', 400)).toEqual({ method: 'GET', path: '/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400', weight: 1 });
    expect(swap.snapshotSymbolFromUrl!('https://www.okx.com/api/v5/market/books?instId=BTC-USDT-SWAP&sz=400')).toBe('BTC-USDT-SWAP');
  });
});
