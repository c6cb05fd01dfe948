/**
 * A local OKX v5 public endpoint (okx-swap or okx-spot): `/ws/v5/public` sessions that take one
 * batched `{"op":"subscribe","args":[…]}`, ack each arg, send a `books` snapshot (legacy; can be
 * turned off to act like OKX after its 2026 change) and then updates chained by
 * seqId/prevSeqId with the legacy checksum of the top 25; `trades`; `liquidation-orders` by
 * instType (swap only); the text `ping` answered with `pong`. REST: instruments (SWAP contracts
 * in CONTRACTS of ctVal = spec.contractSize base units, or SPOT) and /api/v5/market/books whose
 * seqId is the last one the stream has consumed.
 * https://www.okx.com/docs-v5/en/#order-book-trading-market-data-ws-order-book-channel
 *
 * skipSequence withholds the next update per symbol while consuming its seqId (and its change):
 * a client that checks prevSeqId resyncs, one that does not holds a wrong book.
 */
import type { Level } from '../../core/index.js';
import type { MarketEvent, SimClient, SimInstrumentSpec, SimSession, SimWorldView, VenueSimulator } from '../../simulator/index.js';
import { OKX_REST_BOOK_DEPTH } from './adapter.js';
import { parseOkxInstruments, type OkxVenue } from './metadata.js';
import { RawStringBook } from './raw-book.js';

export interface OkxSimOptions {
  /** send the legacy `action:"snapshot"` on subscribe (OKX stops in August 2026) */
  wsSnapshot: boolean;
  /** send the legacy checksum (OKX sends 0 since June 2026) */
  checksum: boolean;
}

export const OKX_SIM_DEFAULTS: OkxSimOptions = { wsSnapshot: true, checksum: true };
const FIRST_SEQ_ID = 9_000_000;
const BOOK_CHANNEL = 'books';

interface BookState {
  held: RawStringBook;
  seqId: number;
  skip: boolean;
}

type Arg = Record<string, string>;

export function createOkxSimulator(venue: OkxVenue, specs: SimInstrumentSpec[], world: SimWorldView, options: Partial<OkxSimOptions> = {}): VenueSimulator {
  const opt = { ...OKX_SIM_DEFAULTS, ...options };
  const swap = venue === 'okx-swap';
  const instType = swap ? 'SWAP' : 'SPOT';
  const bySymbol = new Map(specs.map((s) => [s.venueSymbol, s]));
  const books = new Map<string, BookState>();
  const sessions = new Set<OkxSession>();
  const body = instrumentsBody(specs, instType);
  let connId = 0;

  /** The book as subscribers hold it, started from the truth when first asked for (between steps). */
  const bookState = (instId: string): BookState => {
    let st = books.get(instId);
    if (!st) {
      const t = world.book(instId, OKX_REST_BOOK_DEPTH);
      st = { held: new RawStringBook(), seqId: FIRST_SEQ_ID, skip: false };
      st.held.apply(t.bids, t.asks, { bids: [], asks: [] });
      books.set(instId, st);
    }
    return st;
  };

  const bookFrame = (instId: string, st: BookState, action: 'snapshot' | 'update', bids: Level[], asks: Level[], prevSeqId: number, ts: number): string =>
    JSON.stringify({
      arg: { channel: BOOK_CHANNEL, instId },
      action,
      data: [{ asks: asks.map(level), bids: bids.map(level), ts: String(ts), checksum: opt.checksum ? st.held.checksum() : 0, prevSeqId, seqId: st.seqId }],
    });

  const snapshotFrame = (instId: string): string => {
    const st = bookState(instId);
    return bookFrame(instId, st, 'snapshot', st.held.book.levels(true, OKX_REST_BOOK_DEPTH), st.held.book.levels(false, OKX_REST_BOOK_DEPTH), -1, world.now());
  };

  const broadcast = (matches: (a: Arg) => boolean, text: string) => {
    for (const s of sessions) if (s.wants(matches)) s.client.send(text);
  };

  const onBook = (e: Extract<MarketEvent, { type: 'book' }>) => {
    const st = books.get(e.venueSymbol);
    if (!st) return; // nobody has asked for this book yet
    const prev = st.seqId;
    st.seqId += Math.max(1, e.bids.length + e.asks.length); // ids are not contiguous
    st.held.apply(e.bids, e.asks, { bids: [], asks: [] });
    st.held.truncate(OKX_REST_BOOK_DEPTH);
    if (st.skip) {
      st.skip = false;
      return;
    }
    broadcast((a) => a['channel'] === BOOK_CHANNEL && a['instId'] === e.venueSymbol, bookFrame(e.venueSymbol, st, 'update', e.bids, e.asks, prev, e.ts));
  };

  /** arg → the frames to send after its ack, or an error message */
  const subscribe = (a: Arg): string[] | string => {
    const ch = a['channel'];
    if (ch === 'liquidation-orders') return swap && a['instType'] === 'SWAP' ? [] : `Wrong URL or channel:${ch},instType:${a['instType'] ?? ''} doesn't exist`;
    if ((ch !== BOOK_CHANNEL && ch !== 'trades') || !bySymbol.has(a['instId'] ?? '')) return `Wrong URL or channel:${ch},instId:${a['instId'] ?? ''} doesn't exist`;
    if (ch !== BOOK_CHANNEL) return [];
    if (opt.wsSnapshot) return [snapshotFrame(a['instId']!)];
    bookState(a['instId']!); // from now on updates flow; the client bootstraps over REST
    return [];
  };

  return {
    venue,
    instruments: parseOkxInstruments(venue, [body]),
    serverPings: false,

    handleRest(method, path, query) {
      if (method !== 'GET') return undefined;
      if (path === '/api/v5/public/instruments') {
        const t = query.get('instType');
        if (!t) return { status: 400, body: { code: '51000', msg: 'Parameter instType error', data: [] } };
        return { status: 200, body: t === instType ? body : { code: '0', msg: '', data: [] } };
      }
      if (path === '/api/v5/market/books') {
        const instId = query.get('instId') ?? '';
        if (!bySymbol.has(instId)) return { status: 200, body: { code: '51001', msg: "Instrument ID doesn't exist.", data: [] } };
        const sz = Math.min(OKX_REST_BOOK_DEPTH, Math.max(1, Number(query.get('sz') ?? 1) || 1));
        const st = bookState(instId);
        const data = [{ asks: st.held.book.levels(false, sz).map(level), bids: st.held.book.levels(true, sz).map(level), ts: String(world.now()), seqId: st.seqId }];
        return { status: 200, body: { code: '0', msg: '', data } };
      }
      return undefined;
    },

    openSession(_path, _query, client) {
      const s: OkxSession = new OkxSession(client, `sim${++connId}`, subscribe, () => sessions.delete(s));
      sessions.add(s);
      return s;
    },

    publish(e: MarketEvent) {
      if (e.type === 'book') return onBook(e);
      if (e.type === 'trade') {
        const data = [{ instId: e.venueSymbol, tradeId: String(e.id), px: e.price, sz: e.qty, side: e.side, ts: String(e.ts), count: '1', source: '0' }];
        return broadcast((a) => a['channel'] === 'trades' && a['instId'] === e.venueSymbol, JSON.stringify({ arg: { channel: 'trades', instId: e.venueSymbol }, data }));
      }
      if (!swap) return; // spot has no liquidations
      const spec = bySymbol.get(e.venueSymbol);
      if (!spec) return;
      const family = `${spec.venueBase}-${spec.quote}`;
      // side = the closing order; in net mode OKX gives posSide "net", here the hedge-mode position
      const details = [{ side: e.side, posSide: e.side === 'buy' ? 'short' : 'long', bkPx: e.price, sz: e.qty, bkLoss: '0', ccy: '', ts: String(e.ts) }];
      const data = [{ instId: e.venueSymbol, instType: 'SWAP', instFamily: family, uly: family, details }];
      broadcast((a) => a['channel'] === 'liquidation-orders', JSON.stringify({ arg: { channel: 'liquidation-orders', instType: 'SWAP' }, data }));
    },

    skipSequence() {
      for (const st of books.values()) st.skip = true;
    },
  };
}

class OkxSession implements SimSession {
  private readonly args: Arg[] = [];

  constructor(
    readonly client: SimClient,
    private readonly connId: string,
    private readonly subscribe: (a: Arg) => string[] | string,
    private readonly onDone: () => void,
  ) {}

  wants(matches: (a: Arg) => boolean): boolean {
    return this.args.some(matches);
  }

  onMessage(text: string): void {
    if (text === 'ping') return this.client.send('pong');
    let m: { op?: unknown; args?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return this.error('60012', `Invalid request: ${text.slice(0, 40)}`);
    }
    const args = Array.isArray(m.args) ? (m.args as unknown[]).filter((a): a is Arg => typeof a === 'object' && a !== null) : [];
    if ((m.op !== 'subscribe' && m.op !== 'unsubscribe') || args.length === 0) return this.error('60012', `Invalid request: ${text.slice(0, 40)}`);
    for (const a of args) {
      const same = (x: Arg) => x['channel'] === a['channel'] && x['instId'] === a['instId'] && x['instType'] === a['instType'];
      if (m.op === 'unsubscribe') {
        const i = this.args.findIndex(same);
        if (i >= 0) this.args.splice(i, 1);
        this.client.send(JSON.stringify({ event: 'unsubscribe', arg: a, connId: this.connId }));
        continue;
      }
      const r = this.subscribe(a);
      if (typeof r === 'string') {
        this.error('60018', r);
        continue;
      }
      if (!this.args.some(same)) this.args.push(a);
      this.client.send(JSON.stringify({ event: 'subscribe', arg: a, connId: this.connId }));
      for (const f of r) this.client.send(f);
    }
  }

  onClose(): void {
    this.onDone();
  }

  private error(code: string, msg: string): void {
    this.client.send(JSON.stringify({ event: 'error', code, msg, connId: this.connId }));
  }
}

/** `[px, sz, "0" (deprecated), orderCount]` */
function level([p, q]: Level): string[] {
  return [p, q, '0', q === '0' ? '0' : '1'];
}

function instrumentsBody(specs: SimInstrumentSpec[], instType: 'SWAP' | 'SPOT'): unknown {
  const data = specs.map((s) =>
    instType === 'SWAP'
      ? {
          instId: s.venueSymbol,
          instType,
          instFamily: `${s.venueBase}-${s.quote}`,
          uly: `${s.venueBase}-${s.quote}`,
          baseCcy: '',
          quoteCcy: '',
          settleCcy: s.quote,
          ctType: 'linear',
          ctVal: s.contractSize,
          ctMult: '1',
          ctValCcy: s.venueBase,
          tickSz: s.tickSize,
          lotSz: s.lotSize,
          minSz: s.lotSize,
          state: 'live',
        }
      : { instId: s.venueSymbol, instType, baseCcy: s.venueBase, quoteCcy: s.quote, settleCcy: '', ctType: '', ctVal: '', ctMult: '', ctValCcy: '', tickSz: s.tickSize, lotSz: s.lotSize, minSz: s.lotSize, state: 'live' },
  );
  return { code: '0', msg: '', data };
}
