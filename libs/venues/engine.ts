/**
 * The venue engine: raw frames in, canonical messages out, with no IO of its own. The collector
 * feeds it from sockets and REST, `bookfuse replay` from a capture file, tests from fixtures; all
 * three therefore run the exact same parser, sync and book code.
 *
 * For every book it enforces the rules that hold on every venue (venues.md §8.6): nothing is
 * published from a book that is not live, a crossed book is a sync failure, a resync publishes a
 * fresh snapshot, and `seq` is contiguous per venue book.
 */
import { DepthWindow, errorCode, formatFactor, type BookMessage, type BookState, type Instrument, type Level } from '../core/index.js';
import type { BookSync, ParsedFrame, SyncResult, VenueAdapter } from './adapter.js';
import type { EngineOutput, EngineStats } from './engine-output.js';
import { DriftLog } from './drift.js';
import { liquidationMessages, tradeMessages } from './flow.js';

export type { EngineOutput, EngineStats } from './engine-output.js';

export interface EngineOptions {
  /** levels per side published (and kept exact) per book */
  depth: number;
  /** replay: metadata may be missing, so fall back to adapter.fallbackInstrument */
  allowFallbackInstruments?: boolean;
}

export interface BookEntry {
  instrument: Instrument;
  sync: BookSync<unknown>;
  seq: number;
  lastMsgTs: number;
  resyncs: number;
  state: BookState;
  bidWindow: DepthWindow;
  askWindow: DepthWindow;
  publishedScale: [number, number];
  /** no book message has been published since the last snapshot requirement */
  needsSnapshot: boolean;
}


export class VenueEngine {
  readonly stats: EngineStats = {
    frames: 0,
    snapshots: 0,
    deltas: 0,
    gaps: 0,
    resyncs: 0,
    checksum_ok: 0,
    checksum_failed: 0,
    crossed: 0,
    trades: 0,
    liquidations: 0,
    rejected: 0,
  };
  readonly books = new Map<string, BookEntry>();
  /** schema drift seen on this venue, per field and kind */
  readonly drift = new DriftLog();
  private readonly instruments = new Map<string, Instrument | null>();

  constructor(
    readonly adapter: VenueAdapter<unknown>,
    instruments: Instrument[],
    private readonly opts: EngineOptions,
  ) {
    for (const i of instruments) this.instruments.set(i.venueSymbol, i);
  }

  instrument(venueSymbol: string): Instrument | null {
    let i = this.instruments.get(venueSymbol);
    if (i === undefined) {
      i = this.opts.allowFallbackInstruments ? this.adapter.fallbackInstrument(venueSymbol) : null;
      this.instruments.set(venueSymbol, i);
    }
    return i;
  }

  /** Declare the books to keep (live mode) so they exist, `syncing`, before their first frame. */
  track(venueSymbol: string): BookEntry | null {
    const existing = this.books.get(venueSymbol);
    if (existing) return existing;
    const instrument = this.instrument(venueSymbol);
    if (!instrument) return null;
    const entry: BookEntry = {
      instrument,
      sync: this.adapter.createSync(instrument, { depth: this.opts.depth }),
      seq: 0,
      lastMsgTs: 0,
      resyncs: 0,
      state: 'syncing',
      bidWindow: new DepthWindow(),
      askWindow: new DepthWindow(),
      publishedScale: [-1, -1],
      needsSnapshot: true,
    };
    this.books.set(venueSymbol, entry);
    return entry;
  }

  /** One raw WebSocket text frame. */
  onFrame(raw: string, recvTs: number): EngineOutput[] {
    this.stats.frames++;
    const out = this.onParsedFrame(raw, recvTs);
    const drift = this.drift.take();
    if (drift.length === 0) return out;
    return [...drift.map((n): EngineOutput => ({ type: 'drift', ...n })), ...out];
  }

  private onParsedFrame(raw: string, recvTs: number): EngineOutput[] {
    let parsed: ParsedFrame<unknown>;
    try {
      parsed = this.adapter.parse(raw, recvTs, this.drift);
    } catch (e) {
      this.stats.rejected++;
      return [{ type: 'problem', code: errorCode(e), detail: (e as Error).message }];
    }
    switch (parsed.kind) {
      case 'book':
        return this.onBookFrame(parsed.venueSymbol, parsed.frame, recvTs);
      case 'trades':
        return tradeMessages(this.adapter.id, parsed.trades, recvTs, (s) => this.instrument(s), this.stats);
      case 'liquidations':
        return liquidationMessages(this.adapter.id, parsed.liquidations, recvTs, (s) => this.instrument(s), this.stats);
      case 'reconnect':
        return [{ type: 'reconnect', reason: parsed.reason }];
      case 'venue-error':
        return [{ type: 'problem', code: 'BAD_FRAME', detail: `venue error ${parsed.code}: ${parsed.message}` }];
      default:
        return [];
    }
  }

  /** A REST snapshot body for one symbol. */
  onSnapshot(venueSymbol: string, body: unknown, recvTs: number): EngineOutput[] {
    const entry = this.track(venueSymbol);
    if (!entry) return [{ type: 'problem', code: 'UNKNOWN_SYMBOL', venueSymbol, detail: 'snapshot for an unknown instrument' }];
    return this.guard(entry, venueSymbol, () => entry.sync.onSnapshot(body, recvTs), recvTs);
  }

  /** The socket carrying these books dropped: they are down until they sync again. */
  onDisconnect(venueSymbols: Iterable<string>): EngineOutput[] {
    const out: EngineOutput[] = [];
    for (const s of venueSymbols) {
      const entry = this.books.get(s);
      if (!entry) continue;
      entry.sync.reset();
      entry.needsSnapshot = true;
      out.push(...this.setState(entry, s, 'down'));
    }
    return out;
  }

  /** A socket (re)opened: its books start syncing. */
  onConnect(venueSymbols: Iterable<string>): EngineOutput[] {
    const out: EngineOutput[] = [];
    for (const s of venueSymbols) {
      const entry = this.track(s);
      if (!entry) continue;
      entry.sync.reset();
      entry.needsSnapshot = true;
      out.push(...this.setState(entry, s, 'syncing'));
    }
    return out;
  }

  /** Current top-N of a live book as a snapshot message (answers snapshot requests). */
  snapshotOf(venueSymbol: string, now: number): BookMessage | null {
    const entry = this.books.get(venueSymbol);
    if (!entry || entry.state !== 'live' || !entry.instrument.conversion) return null;
    return {
      v: 1,
      kind: 'snapshot',
      venue: this.adapter.id,
      symbol: entry.instrument.symbol,
      seq: entry.seq,
      prev_seq: entry.seq,
      ts: entry.lastMsgTs || now,
      recv_ts: now,
      depth: this.depthOf(entry),
      bids: this.levels(entry, true, Infinity),
      asks: this.levels(entry, false, Infinity),
    };
  }

  private onBookFrame(venueSymbol: string, frame: unknown, recvTs: number): EngineOutput[] {
    const entry = this.track(venueSymbol);
    if (!entry) {
      this.stats.rejected++;
      return [{ type: 'problem', code: 'UNKNOWN_SYMBOL', venueSymbol, detail: 'book frame for an unknown instrument' }];
    }
    return this.guard(entry, venueSymbol, () => entry.sync.onFrame(frame, recvTs), recvTs);
  }

  /** Run a sync step; a throw is a rejected frame that must not leave a half-applied book. */
  private guard(entry: BookEntry, venueSymbol: string, step: () => SyncResult, recvTs: number): EngineOutput[] {
    let result: SyncResult;
    try {
      result = step();
    } catch (e) {
      this.stats.rejected++;
      // The frame may have been partly applied before the bad value: the book cannot be trusted.
      const out: EngineOutput[] = [{ type: 'problem', code: errorCode(e), venueSymbol, detail: (e as Error).message }];
      if (entry.sync.state === 'live') {
        entry.sync.reset();
        out.push(...this.resync(entry, venueSymbol, { action: 'resync', code: errorCode(e), detail: (e as Error).message, recover: entry.sync.recovery }));
      }
      return out;
    }
    return this.afterSync(entry, venueSymbol, result, recvTs);
  }

  private afterSync(entry: BookEntry, venueSymbol: string, result: SyncResult, recvTs: number): EngineOutput[] {
    switch (result.action) {
      case 'none':
        return [];
      case 'need-snapshot':
        return [{ type: 'fetch-snapshot', venueSymbol }];
      case 'resync':
        return this.resync(entry, venueSymbol, result);
      case 'applied': {
        if (result.checksum === 'ok') this.stats.checksum_ok++;
        if (!entry.sync.allowCrossed && entry.sync.book.isCrossed()) {
          this.stats.crossed++;
          entry.sync.reset();
          return this.resync(entry, venueSymbol, {
            action: 'resync',
            code: 'CROSSED_BOOK',
            detail: `best bid ${entry.sync.book.bids.bestPrice()} >= best ask ${entry.sync.book.asks.bestPrice()}`,
            recover: entry.sync.recovery,
          });
        }
        if (result.kind === 'snapshot') this.stats.snapshots++;
        else this.stats.deltas++;
        entry.lastMsgTs = recvTs;
        const out = this.setState(entry, venueSymbol, 'live');
        const msg = this.publishable(entry, result.kind === 'snapshot', result.ts, recvTs);
        if (msg) out.push({ type: 'book', msg });
        return out;
      }
    }
  }

  private resync(entry: BookEntry, venueSymbol: string, r: Extract<SyncResult, { action: 'resync' }>): EngineOutput[] {
    this.stats.resyncs++;
    entry.resyncs++;
    if (r.code === 'SEQUENCE_GAP') this.stats.gaps++;
    if (r.code === 'CHECKSUM_MISMATCH') this.stats.checksum_failed++;
    entry.needsSnapshot = true;
    const out: EngineOutput[] = [{ type: 'problem', code: r.code, venueSymbol, detail: r.detail }, ...this.setState(entry, venueSymbol, 'resyncing')];
    if (r.recover === 'rest-snapshot') out.push({ type: 'fetch-snapshot', venueSymbol });
    else if (r.recover === 'resubscribe') out.push({ type: 'resubscribe', venueSymbol });
    return out;
  }

  private setState(entry: BookEntry, venueSymbol: string, state: BookState): EngineOutput[] {
    if (entry.state === state) return [];
    entry.state = state;
    return [{ type: 'state', venueSymbol, state }];
  }

  private depthOf(entry: BookEntry): number {
    return Math.min(this.opts.depth, entry.sync.exactDepth);
  }

  /** The book message for this change, or null when nothing inside the published depth moved. */
  private publishable(entry: BookEntry, isSnapshot: boolean, ts: number, recvTs: number): BookMessage | null {
    const conv = entry.instrument.conversion;
    if (!conv) return null; // kept in sync and counted, but never published in wrong units
    const book = entry.sync.book;
    const depth = this.depthOf(entry);
    const scaleMoved = entry.publishedScale[0] !== book.priceScale || entry.publishedScale[1] !== book.sizeScale;
    if (isSnapshot || entry.needsSnapshot || scaleMoved) {
      entry.bidWindow.reset(book.bids, depth);
      entry.askWindow.reset(book.asks, depth);
      entry.publishedScale = [book.priceScale, book.sizeScale];
      entry.needsSnapshot = false;
      const prev = entry.seq;
      entry.seq++;
      // one literal, not a spread of a shared part: same keys in the same order, no copy per message
      return { v: 1, venue: this.adapter.id, symbol: entry.instrument.symbol, ts, recv_ts: recvTs, depth, kind: 'snapshot', seq: entry.seq, prev_seq: prev, bids: this.levels(entry, true, depth), asks: this.levels(entry, false, depth) };
    }
    const bids: Level[] = [];
    const asks: Level[] = [];
    entry.bidWindow.diff(book.bids, depth, (p, q) => bids.push(this.level(entry, p, q)));
    entry.askWindow.diff(book.asks, depth, (p, q) => asks.push(this.level(entry, p, q)));
    if (bids.length === 0 && asks.length === 0) return null;
    const prev = entry.seq;
    entry.seq++;
    return { v: 1, venue: this.adapter.id, symbol: entry.instrument.symbol, ts, recv_ts: recvTs, depth, kind: 'delta', seq: entry.seq, prev_seq: prev, bids, asks };
  }

  private levels(entry: BookEntry, isBid: boolean, depth: number): Level[] {
    const out: Level[] = [];
    (isBid ? entry.sync.book.bids : entry.sync.book.asks).forEachTop(Math.min(depth, this.depthOf(entry)), (p, q) => out.push(this.level(entry, p, q)));
    return out;
  }

  private level(entry: BookEntry, price: number, size: number): Level {
    const conv = entry.instrument.conversion!;
    const book = entry.sync.book;
    return [formatFactor(price, book.priceScale, conv.price), formatFactor(size, book.sizeScale, conv.size)];
  }
}
