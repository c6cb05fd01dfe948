/**
 * Hyperliquid book sync (venues.md §5): every `l2Book` push is the complete top of the book, with
 * no sequence numbers and no checksum. The first push is a snapshot; each later one becomes a delta
 * against the previous book (changed levels set, vanished levels deleted), so consumers get small
 * diffs instead of a new snapshot every push. Freshness is the only health signal: the state stays
 * live, and if the engine finds the book crossed it resubscribes.
 * https://hyperliquid.gitbook.io/hyperliquid-docs/for-developers/api/websocket/subscriptions
 */
import { L2Book, pow10, type Instrument } from '../../core/index.js';
import type { BookSync, Changes, SyncResult } from '../adapter.js';
import { asObj, bad, type RawLevel } from '../validate.js';
import { bookFrame, type HlBookFrame } from './parse.js';

/** Levels per side in a push: 20 by default, 5 on the fast feed (⚠ 2026). */
export const HL_BOOK_DEPTH = 20;
export const HL_FAST_BOOK_DEPTH = 5;

export class HyperliquidBookSync implements BookSync<HlBookFrame> {
  readonly book = new L2Book();
  readonly recovery = 'resubscribe' as const;
  state: 'syncing' | 'live' | 'resyncing' = 'syncing';
  private lastTime = 0;

  constructor(
    readonly instrument: Instrument,
    readonly exactDepth: number = HL_BOOK_DEPTH,
  ) {}

  reset(): void {
    this.book.clear();
    this.lastTime = 0;
    this.state = 'syncing';
  }

  onFrame(f: HlBookFrame, _recvTs: number): SyncResult {
    if (f.coin !== this.instrument.venueSymbol) throw bad(`l2Book for ${f.coin} sent to the ${this.instrument.venueSymbol} book`);
    // An older push arriving late would rewind the book; a push with the same time is a repeat.
    if (this.state === 'live' && f.time < this.lastTime) return { action: 'none' };
    const first = this.state !== 'live';
    const changes = this.replace(f.bids, f.asks);
    this.lastTime = f.time;
    this.state = 'live';
    return { action: 'applied', kind: first ? 'snapshot' : 'delta', changes, ts: f.time };
  }

  /** REST `{"type":"l2Book","coin":…}` has the WS push's shape. */
  onSnapshot(body: unknown, recvTs: number): SyncResult {
    return this.onFrame(bookFrame(asObj(body, 'l2Book snapshot')).frame, recvTs);
  }

  /** Book := this push; the changes are the levels whose size differs, vanished ones included. */
  private replace(bids: RawLevel[], asks: RawLevel[]): Changes {
    const before = { bids: this.sideMap(true), asks: this.sideMap(false), ps: this.book.priceScale, ss: this.book.sizeScale };
    this.book.clear();
    const set = (isBid: boolean, levels: RawLevel[]) => {
      for (const [px, sz] of levels) {
        // A repeated price would silently lose a level: the push is malformed.
        if (this.book.side(isBid).get(this.book.priceInt(px)) !== 0) throw bad(`l2Book ${this.instrument.venueSymbol}: price ${px} twice on one side`);
        this.book.setLevel(isBid, px, sz);
      }
    };
    set(true, bids);
    set(false, asks);
    const pf = pow10(this.book.priceScale - before.ps);
    const sf = pow10(this.book.sizeScale - before.ss);
    const diff = (isBid: boolean, prev: Map<number, number>): number[] => {
      const old = new Map([...prev].map(([p, q]) => [p * pf, q * sf]));
      const out: number[] = [];
      const side = this.book.side(isBid);
      side.forEachTop(Infinity, (p, q) => {
        if (old.get(p) !== q) out.push(p);
      });
      for (const p of old.keys()) if (side.get(p) === 0) out.push(p);
      return out;
    };
    return { bids: diff(true, before.bids), asks: diff(false, before.asks) };
  }

  private sideMap(isBid: boolean): Map<number, number> {
    const m = new Map<number, number>();
    this.book.side(isBid).forEachTop(Infinity, (p, q) => m.set(p, q));
    return m;
  }
}
