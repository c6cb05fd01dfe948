/**
 * The three order books the book suite races, behind one small interface. Every contender starts
 * from the same decimal strings (a venue frame after JSON.parse), so each pays for turning them
 * into whatever it stores: bookfuse exact scaled integers, ccxt and tardis-dev doubles.
 */
import ccxt from 'ccxt';
import { OrderBook as TardisOrderBook } from 'tardis-dev';
import type { BookChange } from 'tardis-dev';
import { L2Book } from '../libs/core/index.js';
import type { L2Frame } from './lib/l2-stream.js';

export type ContenderName = 'bookfuse' | 'tardis' | 'ccxt';

/** Preallocated destination of a top-N read: prices and sizes, best first, per side. */
export interface TopBuffers {
  bidPrices: Float64Array;
  bidSizes: Float64Array;
  askPrices: Float64Array;
  askSizes: Float64Array;
}

export function topBuffers(depth: number): TopBuffers {
  return { bidPrices: new Float64Array(depth), bidSizes: new Float64Array(depth), askPrices: new Float64Array(depth), askSizes: new Float64Array(depth) };
}

export interface BookContender {
  readonly name: ContenderName;
  /** Start over with an empty book and load a snapshot (not timed). */
  load(snapshot: L2Frame): void;
  apply(frame: L2Frame): void;
  /** Apply frames in order; each class has its own loop so no call site is shared between books. */
  applyAll(frames: readonly L2Frame[]): void;
  /** Copy the best `depth` levels of both sides into `out`; returns the levels copied. */
  readTop(depth: number, out: TopBuffers): number;
  /** The best `depth` levels per side as numbers, for the agreement check. */
  top(depth: number): { bids: number[][]; asks: number[][] };
}

export function createContender(name: ContenderName): BookContender {
  switch (name) {
    case 'bookfuse':
      return new BookfuseContender();
    case 'tardis':
      return new TardisContender();
    case 'ccxt':
      return new CcxtContender();
  }
}

/** libs/core L2Book fed with the strings: exact integers, rescaled as finer strings arrive. */
class BookfuseContender implements BookContender {
  readonly name = 'bookfuse' as const;
  private book = new L2Book();

  load(snapshot: L2Frame): void {
    this.book = new L2Book();
    this.apply(snapshot);
  }

  applyAll(frames: readonly L2Frame[]): void {
    for (let i = 0; i < frames.length; i++) this.apply(frames[i]!);
  }

  apply(frame: L2Frame): void {
    const book = this.book;
    const bids = frame.bids;
    for (let i = 0; i < bids.length; i++) book.setLevel(true, bids[i]![0], bids[i]![1]);
    const asks = frame.asks;
    for (let i = 0; i < asks.length; i++) book.setLevel(false, asks[i]![0], asks[i]![1]);
  }

  readTop(depth: number, out: TopBuffers): number {
    return this.book.bids.copyTop(depth, out.bidPrices, out.bidSizes) + this.book.asks.copyTop(depth, out.askPrices, out.askSizes);
  }

  top(depth: number): { bids: number[][]; asks: number[][] } {
    const num = (l: [string, string]) => [Number(l[0]), Number(l[1])];
    return { bids: this.book.levels(true, depth).map(num), asks: this.book.levels(false, depth).map(num) };
  }
}

/** tardis-dev's OrderBook (a red-black tree) fed normalized book changes, built as its mappers do. */
class TardisContender implements BookContender {
  readonly name = 'tardis' as const;
  private book = new TardisOrderBook();
  private readonly when = new Date(0);

  load(snapshot: L2Frame): void {
    this.book = new TardisOrderBook();
    this.book.update(this.change(snapshot, true));
  }

  applyAll(frames: readonly L2Frame[]): void {
    for (let i = 0; i < frames.length; i++) this.apply(frames[i]!);
  }

  apply(frame: L2Frame): void {
    this.book.update(this.change(frame, false));
  }

  readTop(depth: number, out: TopBuffers): number {
    return copyLevels(this.book.bids(), depth, out.bidPrices, out.bidSizes) + copyLevels(this.book.asks(), depth, out.askPrices, out.askSizes);
  }

  top(depth: number): { bids: number[][]; asks: number[][] } {
    const take = (it: Iterable<{ price: number; amount: number }>) => {
      const out: number[][] = [];
      for (const l of it) {
        if (out.length === depth) break;
        out.push([l.price, l.amount]);
      }
      return out;
    };
    return { bids: take(this.book.bids()), asks: take(this.book.asks()) };
  }

  /** tardis mappers turn venue strings into `{price: Number(p), amount: Number(q)}` per level. */
  private change(frame: L2Frame, isSnapshot: boolean): BookChange {
    return {
      type: 'book_change',
      symbol: 'BTCUSDT',
      exchange: 'binance-futures',
      isSnapshot,
      bids: frame.bids.map(([p, q]) => ({ price: Number(p), amount: Number(q) })),
      asks: frame.asks.map(([p, q]) => ({ price: Number(p), amount: Number(q) })),
      timestamp: this.when,
      localTimestamp: this.when,
    };
  }
}

function copyLevels(it: Iterator<{ price: number; amount: number }>, depth: number, prices: Float64Array, sizes: Float64Array): number {
  let k = 0;
  for (let r = it.next(); k < depth && !r.done; r = it.next(), k++) {
    prices[k] = r.value.price;
    sizes[k] = r.value.amount;
  }
  return k;
}

interface CcxtSide extends Array<[number, number]> {
  store(price: number, size: number): void;
}

/**
 * ccxt's WebSocket OrderBook (ccxt.pro keeps one per symbol). Its exchange classes read levels
 * with safeFloat; plain parseFloat is the cheapest honest string → number step, so ccxt is
 * charged less here than in its own handlers.
 */
class CcxtContender implements BookContender {
  readonly name = 'ccxt' as const;
  private readonly exchange = new ccxt.Exchange();
  private bids!: CcxtSide;
  private asks!: CcxtSide;

  constructor() {
    this.reset();
  }

  load(snapshot: L2Frame): void {
    this.reset();
    this.apply(snapshot);
  }

  applyAll(frames: readonly L2Frame[]): void {
    for (let i = 0; i < frames.length; i++) this.apply(frames[i]!);
  }

  apply(frame: L2Frame): void {
    const bids = frame.bids;
    for (let i = 0; i < bids.length; i++) this.bids.store(parseFloat(bids[i]![0]), parseFloat(bids[i]![1]));
    const asks = frame.asks;
    for (let i = 0; i < asks.length; i++) this.asks.store(parseFloat(asks[i]![0]), parseFloat(asks[i]![1]));
  }

  readTop(depth: number, out: TopBuffers): number {
    return copyRows(this.bids, depth, out.bidPrices, out.bidSizes) + copyRows(this.asks, depth, out.askPrices, out.askSizes);
  }

  top(depth: number): { bids: number[][]; asks: number[][] } {
    return { bids: this.bids.slice(0, depth).map((l) => [l[0], l[1]]), asks: this.asks.slice(0, depth).map((l) => [l[0], l[1]]) };
  }

  private reset(): void {
    const ob = this.exchange.orderBook();
    this.bids = ob.bids as unknown as CcxtSide;
    this.asks = ob.asks as unknown as CcxtSide;
  }
}

function copyRows(side: CcxtSide, depth: number, prices: Float64Array, sizes: Float64Array): number {
  const n = Math.min(depth, side.length);
  for (let k = 0; k < n; k++) {
    const row = side[k]!;
    prices[k] = row[0];
    sizes[k] = row[1];
  }
  return n;
}
