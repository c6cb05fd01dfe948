/**
 * A seeded synthetic market for one instrument, in venue units: a random-walking mid, a realistic
 * ladder (sizes thin near the touch, most changes within a few ticks of it), trades that consume
 * the touch, and occasional liquidations. It keeps the true book, which `/truth` serves.
 */
import { L2Book, fractionDigits, formatScaled, parseScaled, type Level, type TakerSide } from '../core/index.js';
import { Rng } from './rng.js';
import type { MarketEvent, SimBook, SimInstrumentSpec } from './types.js';

export interface MarketRates {
  /** book changes per second */
  bookUpdatesPerS: number;
  tradesPerS: number;
  liquidationsPerS: number;
  /** levels per side kept in the ladder */
  levels: number;
}

export const DEFAULT_RATES: MarketRates = { bookUpdatesPerS: 50, tradesPerS: 5, liquidationsPerS: 0.3, levels: 200 };

export class SyntheticMarket {
  readonly book: L2Book;
  private readonly rng: Rng;
  private readonly tickInt: number;
  private readonly tickScale: number;
  private readonly lotInt: number;
  private readonly lotScale: number;
  /** best bid in ticks; best ask is at least mid + 1 */
  private mid: number;
  /** the mid reverts toward this, so venues quoting one asset stay near each other */
  private anchor: number;
  private tradeId = 1;
  private liqId = 1;
  /** content of the liquidations of the current millisecond */
  private readonly liqKeys = new Set<string>();
  private liqKeysTs = NaN;
  private carry = { book: 0, trade: 0, liq: 0 };

  constructor(
    readonly spec: SimInstrumentSpec,
    readonly rates: MarketRates,
    seed: number,
  ) {
    this.rng = new Rng(seed);
    this.tickScale = fractionDigits(spec.tickSize);
    this.tickInt = parseScaled(spec.tickSize, this.tickScale);
    this.lotScale = fractionDigits(spec.lotSize);
    this.lotInt = parseScaled(spec.lotSize, this.lotScale);
    const midScale = Math.max(this.tickScale, fractionDigits(spec.mid));
    this.mid = Math.round(parseScaled(spec.mid, midScale) / (this.tickInt * 10 ** (midScale - this.tickScale)));
    this.anchor = this.mid;
    this.book = new L2Book(this.tickScale, this.lotScale);
    for (let i = 0; i < rates.levels; i++) {
      this.book.bids.set(this.priceOf(this.mid - i), this.randomSize(i));
      this.book.asks.set(this.priceOf(this.mid + 1 + i), this.randomSize(i));
    }
  }

  get venueSymbol(): string {
    return this.spec.venueSymbol;
  }

  /** Advance by `dtMs`; returns the events in the order the venue would publish them. */
  step(dtMs: number, now: number): MarketEvent[] {
    const events: MarketEvent[] = [];
    const n = this.due('book', this.rates.bookUpdatesPerS, dtMs);
    if (n > 0) {
      const bids = new Map<number, number>();
      const asks = new Map<number, number>();
      for (let i = 0; i < n; i++) this.mutate(bids, asks);
      const ev = this.bookEvent(bids, asks, now);
      if (ev) events.push(ev);
    }
    for (let i = this.due('trade', this.rates.tradesPerS, dtMs); i > 0; i--) events.push(...this.trade(now));
    for (let i = this.due('liq', this.rates.liquidationsPerS, dtMs); i > 0; i--) events.push(this.liquidation(now));
    return events;
  }

  /** Move every level by `bps` basis points (the venue drifts away from the others). */
  shift(bps: number, now: number): MarketEvent {
    const delta = Math.round((this.mid * bps) / 10_000);
    const bids = new Map<number, number>();
    const asks = new Map<number, number>();
    const old: [boolean, number, number][] = [];
    this.book.bids.forEachTop(Infinity, (p, q) => old.push([true, p, q]));
    this.book.asks.forEachTop(Infinity, (p, q) => old.push([false, p, q]));
    this.book.clear();
    for (const [isBid, p] of old) (isBid ? bids : asks).set(p, 0);
    for (const [isBid, p, q] of old) {
      const np = p + delta * this.tickInt;
      if (np <= 0) continue;
      (isBid ? this.book.bids : this.book.asks).set(np, q);
      (isBid ? bids : asks).set(np, q);
    }
    this.mid += delta;
    this.anchor += delta;
    return this.bookEvent(bids, asks, now, true)!;
  }

  truth(depth: number): SimBook {
    return { bids: this.book.levels(true, depth), asks: this.book.levels(false, depth) };
  }

  private due(kind: 'book' | 'trade' | 'liq', perS: number, dtMs: number): number {
    this.carry[kind] += (perS * dtMs) / 1000;
    const n = Math.floor(this.carry[kind]);
    this.carry[kind] -= n;
    return n;
  }

  private priceOf(ticks: number): number {
    return ticks * this.tickInt;
  }

  private randomSize(distance: number): number {
    // thinner at the touch, thicker further out
    const lots = 1 + Math.floor(this.rng.next() * (5 + distance * 2));
    return lots * this.lotInt;
  }

  private mutate(bids: Map<number, number>, asks: Map<number, number>): void {
    const r = this.rng.next();
    if (r < 0.08) {
      // the mid walks one tick, leaning back toward its anchor; the level it walks over leaves
      // the other side
      const pull = Math.max(-0.4, Math.min(0.4, (this.anchor - this.mid) / 50));
      if (this.rng.chance(0.5 + pull)) {
        const p = this.priceOf(this.mid + 1);
        if (this.book.asks.get(p) > 0) {
          this.book.asks.set(p, 0);
          asks.set(p, 0);
        }
        this.mid++;
      } else {
        const p = this.priceOf(this.mid);
        if (this.book.bids.get(p) > 0) {
          this.book.bids.set(p, 0);
          bids.set(p, 0);
        }
        this.mid--;
      }
      return;
    }
    const isBid = this.rng.chance(0.5);
    // 90 % of changes within ~20 ticks of the touch
    const distance = this.rng.chance(0.9) ? Math.floor(-Math.log(1 - this.rng.next()) * 5) : this.rng.int(0, this.rates.levels - 1);
    const ticks = isBid ? this.mid - distance : this.mid + 1 + distance;
    if (ticks <= 0) return;
    const p = this.priceOf(ticks);
    const side = isBid ? this.book.bids : this.book.asks;
    const size = this.rng.chance(0.3) ? 0 : this.randomSize(distance);
    side.set(p, size);
    (isBid ? bids : asks).set(p, size);
    // keep the ladder from thinning out: refill the far end
    if (side.length < this.rates.levels / 2) {
      const far = isBid ? this.mid - this.rates.levels : this.mid + this.rates.levels;
      if (far > 0) {
        const fp = this.priceOf(far);
        const fs = this.randomSize(this.rates.levels);
        side.set(fp, fs);
        (isBid ? bids : asks).set(fp, fs);
      }
    }
  }

  private trade(now: number): MarketEvent[] {
    const side: TakerSide = this.rng.chance(0.5) ? 'buy' : 'sell';
    const resting = side === 'buy' ? this.book.asks : this.book.bids;
    if (resting.length === 0) return [];
    const price = resting.bestPrice();
    const avail = resting.get(price);
    const lots = Math.max(1, Math.min(avail / this.lotInt, this.rng.int(1, 5)));
    const qty = lots * this.lotInt;
    const left = avail - qty;
    resting.set(price, left);
    const change = new Map<number, number>([[price, left]]);
    const book = this.bookEvent(side === 'buy' ? new Map() : change, side === 'buy' ? change : new Map(), now)!;
    return [
      { type: 'trade', venueSymbol: this.venueSymbol, id: this.tradeId++, price: this.fmtPrice(price), qty: this.fmtSize(qty), side, ts: now },
      book,
    ];
  }

  private liquidation(now: number): MarketEvent {
    const side: TakerSide = this.rng.chance(0.5) ? 'buy' : 'sell';
    const best = side === 'buy' ? this.book.asks.bestPrice() : this.book.bids.bestPrice();
    const price = this.fmtPrice(Number.isNaN(best) ? this.priceOf(this.mid) : best);
    let qty = this.rng.int(1, 50) * this.lotInt;
    // Venues give no liquidation ids, so the content is the id (libs/venues/engine.ts): two in
    // one millisecond must differ in something, as two real ones would.
    if (now !== this.liqKeysTs) {
      this.liqKeysTs = now;
      this.liqKeys.clear();
    }
    while (this.liqKeys.has(`${side}-${price}-${qty}`)) qty += this.lotInt;
    this.liqKeys.add(`${side}-${price}-${qty}`);
    return { type: 'liq', venueSymbol: this.venueSymbol, id: this.liqId++, price, qty: this.fmtSize(qty), side, ts: now };
  }

  private bookEvent(bids: Map<number, number>, asks: Map<number, number>, now: number, _whole = false): MarketEvent | null {
    if (bids.size === 0 && asks.size === 0) return null;
    const lv = (m: Map<number, number>): Level[] => [...m].map(([p, q]) => [this.fmtPrice(p), this.fmtSize(q)]);
    return { type: 'book', venueSymbol: this.venueSymbol, bids: lv(bids), asks: lv(asks), ts: now };
  }

  fmtPrice(p: number): string {
    return formatScaled(p, this.tickScale);
  }

  fmtSize(q: number): string {
    return formatScaled(q, this.lotScale);
  }
}
