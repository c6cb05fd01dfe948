/**
 * An exact L2 order book fed with decimal strings. Prices and sizes are held as integers at a
 * per-book scale that only ever grows: when a value with more fractional digits arrives the whole
 * book is rescaled once, so no digit is ever dropped and no metadata guess is needed.
 */
import { BookfuseError } from './errors.js';
import { NEEDS_MORE_SCALE, fractionDigits, formatScaled, parseScaled, pow10 } from './fixed.js';
import { SideBook } from './side-book.js';

import type { Level } from "./model.js";

export class L2Book {
  readonly bids = new SideBook(true);
  readonly asks = new SideBook(false);
  private _priceScale: number;
  private _sizeScale: number;

  constructor(priceScale = 0, sizeScale = 0) {
    this._priceScale = priceScale;
    this._sizeScale = sizeScale;
  }

  get priceScale(): number {
    return this._priceScale;
  }

  get sizeScale(): number {
    return this._sizeScale;
  }

  side(isBid: boolean): SideBook {
    return isBid ? this.bids : this.asks;
  }

  /** Integer form of a price string at this book's scale (rescaling the book if needed). */
  priceInt(s: string): number {
    const v = parseScaled(s, this._priceScale);
    if (v !== NEEDS_MORE_SCALE) return v;
    this.rescale(fractionDigits(s), this._sizeScale);
    return parseScaled(s, this._priceScale);
  }

  sizeInt(s: string): number {
    const v = parseScaled(s, this._sizeScale);
    if (v !== NEEDS_MORE_SCALE) return v;
    this.rescale(this._priceScale, fractionDigits(s));
    return parseScaled(s, this._sizeScale);
  }

  /** Set a level from venue strings; returns the previous size as an integer (0 = was absent). */
  setLevel(isBid: boolean, price: string, size: string): number {
    const p = this.priceInt(price);
    const q = this.sizeInt(size);
    return (isBid ? this.bids : this.asks).set(p, q);
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  isCrossed(): boolean {
    return this.bids.length > 0 && this.asks.length > 0 && this.bids.bestPrice() >= this.asks.bestPrice();
  }

  formatPrice(v: number): string {
    return formatScaled(v, this._priceScale);
  }

  formatSize(v: number): string {
    return formatScaled(v, this._sizeScale);
  }

  /** Best `depth` levels of one side as canonical decimal strings, best first. */
  levels(isBid: boolean, depth: number): Level[] {
    const out: Level[] = [];
    (isBid ? this.bids : this.asks).forEachTop(depth, (p, q) => {
      out.push([formatScaled(p, this._priceScale), formatScaled(q, this._sizeScale)]);
    });
    return out;
  }

  /** Mid price as a decimal string at one more digit than the price scale; null if a side is empty. */
  mid(): string | null {
    if (this.bids.length === 0 || this.asks.length === 0) return null;
    const sum = this.bids.bestPrice() + this.asks.bestPrice();
    return formatScaled(sum * 5, this._priceScale + 1);
  }

  private rescale(priceScale: number, sizeScale: number): void {
    if (priceScale < this._priceScale || sizeScale < this._sizeScale) {
      throw new BookfuseError('PRECISION_EXCEEDED', 'scales only grow');
    }
    const pf = pow10(priceScale - this._priceScale);
    const sf = pow10(sizeScale - this._sizeScale);
    this.bids.rescale(pf, sf);
    this.asks.rescale(pf, sf);
    this._priceScale = priceScale;
    this._sizeScale = sizeScale;
  }
}
