/**
 * A seeded stream of L2 deltas around a random-walking mid, as decimal strings the way a venue
 * sends them after JSON.parse ("60000.10", "1.250"). Every book under test is fed the same frames,
 * so the comparison is of the books alone. Generation is untimed and deterministic per seed.
 */
import { Rng } from '../../libs/simulator/index.js';

export type StringLevel = [price: string, size: string];

export interface L2Frame {
  bids: StringLevel[];
  asks: StringLevel[];
}

export interface L2StreamOptions {
  deltas: number;
  seed: number;
  /** target resting levels per side (the ladder is sized so inserts and deletes balance there) */
  levelsPerSide: number;
  /** "near the mid" = within this many ticks */
  nearTicks: number;
  /** share of deltas that land near the mid */
  nearShare: number;
  /** share of deltas that delete a level */
  deleteShare: number;
  /** chance per delta that the mid moves one tick */
  walkChance: number;
  /** mean levels per frame (frames are 1 … 2·mean−1 levels, like venue depth events) */
  meanFrameLevels: number;
}

export const DEFAULT_STREAM: L2StreamOptions = {
  deltas: 1_000_000,
  seed: 20240808,
  levelsPerSide: 1000,
  nearTicks: 50,
  nearShare: 0.9,
  deleteShare: 0.3,
  walkChance: 0.02,
  meanFrameLevels: 10,
};

export interface L2StreamStats {
  deltas: number;
  frames: number;
  deletes: number;
  near: number;
  /** deletes forced by the mid walking through a resting level */
  walkDeletes: number;
  midMovedTicks: number;
  finalBidLevels: number;
  finalAskLevels: number;
}

export interface L2Stream {
  options: L2StreamOptions;
  snapshot: L2Frame;
  frames: L2Frame[];
  stats: L2StreamStats;
}

/** BTC-like instrument: tick 0.10 printed with two decimals, lot 0.001. */
const START_MID_TICKS = 600_000;
const MAX_LOTS = 50_000;
/** ticks the mid may wander either way (the generator's ladder is a flat array over this span) */
const WALK_SPAN_TICKS = 100_000;

/**
 * With deletes always hitting a resting level and upserts landing uniformly, the ladder settles
 * at a fill ratio f where (1 − deleteShare)(1 − f) = deleteShare; the range is sized so that
 * f · range ≈ levelsPerSide.
 */
export function ladderRangeTicks(o: L2StreamOptions): number {
  const fill = 1 - o.deleteShare / (1 - o.deleteShare);
  if (!(fill > 0)) throw new Error(`deleteShare ${o.deleteShare} leaves no resting levels`);
  return Math.max(o.nearTicks + 1, Math.round(o.levelsPerSide / fill));
}

export function generateL2Stream(partial: Partial<L2StreamOptions> = {}): L2Stream {
  const o: L2StreamOptions = { ...DEFAULT_STREAM, ...partial };
  const g = new Generator(o);
  return g.run();
}

class Generator {
  private readonly rng: Rng;
  private readonly range: number;
  /** occupancy by tick offset from `base`: 0 empty, 1 resting */
  private readonly bid: Uint8Array;
  private readonly ask: Uint8Array;
  /** tick of ladder slot 0 */
  private readonly base: number;
  /** bids rest at ticks ≤ m, asks at ticks ≥ m + 1 */
  private m = START_MID_TICKS;
  private bidCount = 0;
  private askCount = 0;
  private readonly priceText = new Map<number, string>();
  private readonly stats: L2StreamStats = { deltas: 0, frames: 0, deletes: 0, near: 0, walkDeletes: 0, midMovedTicks: 0, finalBidLevels: 0, finalAskLevels: 0 };

  constructor(private readonly o: L2StreamOptions) {
    this.rng = new Rng(o.seed);
    this.range = ladderRangeTicks(o);
    this.base = START_MID_TICKS - WALK_SPAN_TICKS - this.range - 2;
    const span = 2 * (START_MID_TICKS - this.base);
    this.bid = new Uint8Array(span);
    this.ask = new Uint8Array(span);
  }

  run(): L2Stream {
    const snapshot = this.snapshot();
    const frames: L2Frame[] = [];
    const o = this.o;
    while (this.stats.deltas < o.deltas) {
      const want = Math.min(o.deltas - this.stats.deltas, this.rng.int(1, 2 * o.meanFrameLevels - 1));
      const frame: L2Frame = { bids: [], asks: [] };
      for (let k = 0; k < want && this.stats.deltas < o.deltas; k++) this.delta(frame);
      frames.push(frame);
    }
    this.stats.frames = frames.length;
    this.stats.finalBidLevels = this.bidCount;
    this.stats.finalAskLevels = this.askCount;
    return { options: o, snapshot, frames, stats: this.stats };
  }

  private snapshot(): L2Frame {
    const snap: L2Frame = { bids: [], asks: [] };
    const fill = this.o.levelsPerSide / this.range;
    for (let d = 1; d <= this.range; d++) {
      if (this.rng.chance(fill)) snap.bids.push(this.rest(true, this.tickOf(true, d)));
      if (this.rng.chance(fill)) snap.asks.push(this.rest(false, this.tickOf(false, d)));
    }
    return snap;
  }

  private delta(frame: L2Frame): void {
    if (this.rng.chance(this.o.walkChance)) this.walk(frame);
    if (this.stats.deltas >= this.o.deltas) return;
    const isBid = this.rng.chance(0.5);
    const near = this.rng.chance(this.o.nearShare);
    const d = near ? this.rng.int(1, this.o.nearTicks) : this.rng.int(this.o.nearTicks + 1, this.range);
    const out = isBid ? frame.bids : frame.asks;
    if (this.rng.chance(this.o.deleteShare) && (isBid ? this.bidCount : this.askCount) > 0) {
      const t = this.restingNear(isBid, d);
      out.push(this.remove(isBid, t));
      if ((isBid ? this.m + 1 - t : t - this.m) <= this.o.nearTicks) this.stats.near++;
    } else {
      out.push(this.rest(isBid, this.tickOf(isBid, d)));
      if (near) this.stats.near++;
    }
    this.stats.deltas++;
  }

  /** Move the mid one tick; a level the mid walks through is deleted (it was taken). */
  private walk(frame: L2Frame): void {
    const up = this.rng.chance(0.5);
    const drift = this.m - START_MID_TICKS;
    const step = Math.abs(drift) >= WALK_SPAN_TICKS ? -Math.sign(drift) : up ? 1 : -1;
    // up: the best ask tick m+1 becomes bid territory; down: the best bid tick m becomes ask territory
    const t = step > 0 ? this.m + 1 : this.m;
    const isBid = step < 0;
    if ((isBid ? this.bid : this.ask)[t - this.base] === 1) {
      (isBid ? frame.bids : frame.asks).push(this.remove(isBid, t));
      this.stats.walkDeletes++;
      this.stats.near++;
      this.stats.deltas++;
    }
    this.m += step;
    this.stats.midMovedTicks++;
  }

  private tickOf(isBid: boolean, distance: number): number {
    return isBid ? this.m + 1 - distance : this.m + distance;
  }

  /** The resting level closest to `distance` on the side, searching away from the mid first. */
  private restingNear(isBid: boolean, distance: number): number {
    const lad = isBid ? this.bid : this.ask;
    const t0 = this.tickOf(isBid, distance) - this.base;
    const away = isBid ? -1 : 1;
    for (let k = 0; ; k++) {
      const outward = t0 + away * k;
      if (outward >= 0 && outward < lad.length && lad[outward] === 1) return outward + this.base;
      const inward = t0 - away * k;
      const inside = isBid ? inward + this.base <= this.m : inward + this.base > this.m;
      if (inside && lad[inward] === 1) return inward + this.base;
      if (k > lad.length) throw new Error('no resting level although the count says so');
    }
  }

  private rest(isBid: boolean, t: number): StringLevel {
    const lad = isBid ? this.bid : this.ask;
    if (lad[t - this.base] === 0) {
      lad[t - this.base] = 1;
      if (isBid) this.bidCount++;
      else this.askCount++;
    }
    return [this.price(t), this.size()];
  }

  private remove(isBid: boolean, t: number): StringLevel {
    (isBid ? this.bid : this.ask)[t - this.base] = 0;
    if (isBid) this.bidCount--;
    else this.askCount--;
    this.stats.deletes++;
    return [this.price(t), '0.000'];
  }

  /** Venue-style fixed decimals ("60000.10"), built from integers; one string object per price. */
  private price(t: number): string {
    let s = this.priceText.get(t);
    if (s === undefined) {
      s = `${Math.floor(t / 10)}.${t % 10}0`;
      this.priceText.set(t, s);
    }
    return s;
  }

  /** 0.001 … 50.000 with three fixed decimals ("1.250"). */
  private size(): string {
    const lots = this.rng.int(1, MAX_LOTS);
    return `${Math.floor(lots / 1000)}.${String(lots % 1000).padStart(3, '0')}`;
  }
}
