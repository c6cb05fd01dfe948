/**
 * One delta stream per (symbol, depth, detail): every subscriber with the same request shares it,
 * so a change is diffed and serialized once for all of them. The DepthWindow per side remembers
 * what this stream has published, so a depth-limited delta carries the levels that changed inside
 * the window, the ones that entered it (pushed in by a removal above) and the ones that left it
 * ("0"). A SNAPSHOT handed to a joining subscriber is the window itself at the current seq, so its
 * next BOOK is seq + 1. Pure apart from the cached frames.
 */
import { pow10, DepthWindow } from '../../libs/core/index.js';
import { textFrame } from '../../libs/ws/index.js';
import type { BookPayload, DeltaLevel, SnapshotPayload } from '../../libs/client/index.js';
import type { Changes, HeldBook } from './held-book.js';

const SNAPSHOT_REUSE_MS = 100;

export type GroupUpdate = { kind: 'delta'; payload: BookPayload } | { kind: 'resnapshot' } | { kind: 'none' };

export class BookGroup {
  /** seq of the last BOOK this stream published (a SNAPSHOT carries it) */
  seq = 0;
  epoch = -1;
  /** bumps whenever the window changes: snapshot-mode subscribers compare it */
  version = 0;
  private readonly bidWin = new DepthWindow();
  private readonly askWin = new DepthWindow();
  private scale: [number, number] = [-1, -1];
  private snapCache: { version: number; at: number; frame: Buffer } | undefined;

  constructor(
    readonly symbol: string,
    readonly depth: number,
    /** per-venue sizes on delta levels */
    readonly detail: boolean,
  ) {}

  static key(symbol: string, depth: number, detail: boolean): string {
    return `${symbol}|${depth}|${detail ? 'v' : 't'}`;
  }

  /** Align the window with the held book without publishing (first subscriber, or a new epoch). */
  reset(held: HeldBook): void {
    this.bidWin.reset(held.book.bids, this.depth);
    this.askWin.reset(held.book.asks, this.depth);
    this.scale = [held.book.priceScale, held.book.sizeScale];
    if (held.epoch !== this.epoch) this.seq = 0;
    this.epoch = held.epoch;
    this.version++;
  }

  /**
   * The held book changed: the BOOK delta for this stream, or 'resnapshot' when subscribers need
   * a SNAPSHOT instead (a new epoch restarts seq). `gwUs`: the send time in µs (`gw_us`), for
   * latency below 1 ms; absent, the delta carries `gw_ts` only.
   */
  update(held: HeldBook, c: Changes, now: number, gwUs?: number): GroupUpdate {
    if (held.epoch !== this.epoch) {
      this.reset(held);
      return { kind: 'resnapshot' };
    }
    // A finer decimal arrived and the book's integers were rescaled: rescale the windows the same
    // way and diff the whole window, since changed prices may have been noted at the old scale.
    let full = c.snapshot;
    const [ps, ss] = [held.book.priceScale, held.book.sizeScale];
    if (ps !== this.scale[0] || ss !== this.scale[1]) {
      const pf = pow10(ps - this.scale[0]);
      const sf = pow10(ss - this.scale[1]);
      this.bidWin.rescale(pf, sf);
      this.askWin.rescale(pf, sf);
      this.scale = [ps, ss];
      full = true;
    }
    const bids = this.diffSide(held, true, full ? null : c.bidPrices);
    const asks = this.diffSide(held, false, full ? null : c.askPrices);
    if (!bids.length && !asks.length && !c.venues && !c.crossedChanged) return { kind: 'none' };
    this.seq++;
    this.version++;
    const payload: BookPayload = { symbol: this.symbol, epoch: this.epoch, seq: this.seq, ts: held.ts, merge_ts: held.mergeTs, gw_ts: now, bids, asks };
    if (gwUs !== undefined) payload.gw_us = gwUs;
    if (c.venues) payload.venues = c.venues;
    if (c.crossedChanged) payload.crossed = held.crossed;
    return { kind: 'delta', payload };
  }

  /** `staleAfterMs`: venue views aged past it show stale (held-book.ts agedVenues). */
  snapshotPayload(held: HeldBook, now: number, staleAfterMs = Infinity): SnapshotPayload {
    const age = held.upstreamAgeMs(now);
    return {
      symbol: this.symbol,
      epoch: this.epoch,
      seq: this.seq,
      depth: this.depth,
      ts: held.ts,
      merge_ts: held.mergeTs,
      gw_ts: now,
      ...(age !== undefined ? { upstream_age_ms: age } : {}),
      bids: held.levels(true, this.depth),
      asks: held.levels(false, this.depth),
      venues: held.agedVenueViews(now, staleAfterMs),
      crossed: held.crossed,
    };
  }

  /** The SNAPSHOT frame for the current version, built once however many subscribers take it. */
  snapshotFrame(held: HeldBook, now: number, staleAfterMs = Infinity): Buffer {
    // reused within one fan-out, rebuilt when old, so its ages and gw_ts stay true
    if (this.snapCache?.version !== this.version || now - this.snapCache.at > SNAPSHOT_REUSE_MS) {
      this.snapCache = { version: this.version, at: now, frame: textFrame(JSON.stringify({ type: 'SNAPSHOT', payload: this.snapshotPayload(held, now, staleAfterMs) })) };
    }
    return this.snapCache.frame;
  }

  /**
   * Levels to send for one side. With `detail`, a level whose per-venue split changed while its
   * total did not is sent too (`touched` = prices the merger changed; null = all, after a snapshot).
   */
  private diffSide(held: HeldBook, isBid: boolean, touched: Set<string> | null): DeltaLevel[] {
    const book = held.book;
    const side = isBid ? book.bids : book.asks;
    const out: DeltaLevel[] = [];
    const sent = this.detail ? new Set<string>() : undefined;
    (isBid ? this.bidWin : this.askWin).diff(side, this.depth, (p, q) => {
      const price = book.formatPrice(p);
      sent?.add(price);
      out.push(this.detail && q !== 0 ? [price, book.formatSize(q), held.perVenueAt(isBid, price)] : [price, book.formatSize(q)]);
    });
    if (sent) {
      side.forEachTop(this.depth, (p, q) => {
        const price = book.formatPrice(p);
        if (!sent.has(price) && (touched === null || touched.has(price))) out.push([price, book.formatSize(q), held.perVenueAt(isBid, price)]);
      });
    }
    return out;
  }
}
