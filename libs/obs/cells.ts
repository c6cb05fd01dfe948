/**
 * One label set of a counter or histogram, resolved once, for call sites that count per frame.
 * prom-client builds and hashes a label string, validates the labels and (histograms) turns each
 * bucket bound into a property name on every inc()/observe(): in the collector that was about
 * 6,400 instructions per venue frame. A cell counts into plain numbers and hands them over when
 * the metric is read (its `collect`, which every scrape and get() runs first), so what is
 * exposed is what direct calls would have exposed.
 */
import client from 'prom-client';

type Labels = Record<string, string>;

/**
 * Cells of one metric in the order they first counted: flushing in that order creates
 * prom-client's series in the order direct calls would have, so even the exposition's line order
 * is unchanged.
 */
type Listing = { flush(): void }[];

export class CounterCell {
  private pending = 0;
  private listed = false;

  constructor(
    private readonly counter: client.Counter<string>,
    private readonly labels: Labels,
    private readonly listing: Listing,
  ) {}

  inc(): void {
    if (!this.listed) {
      this.listed = true;
      this.listing.push(this);
    }
    this.pending++;
  }

  flush(): void {
    // a series appears only once it was counted, as with direct inc()
    if (this.pending === 0) return;
    this.counter.inc(this.labels, this.pending);
    this.pending = 0;
  }
}

/** The parts of prom-client's per-series histogram state that a flush adds to. */
interface HistogramSeries {
  labels: Labels;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

export class HistogramCell {
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;
  private listed = false;

  constructor(
    private readonly histogram: client.Histogram<string>,
    private readonly bounds: readonly number[],
    private readonly labels: Labels,
    private readonly listing: Listing,
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    if (!this.listed) {
      this.listed = true;
      this.listing.push(this);
    }
    const b = this.bounds;
    // the first bound at or above the value; above them all only +Inf (the count) holds it
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }

  flush(): void {
    if (this.count === 0) return;
    const series = this.series();
    for (let i = 0; i < this.bounds.length; i++) {
      series.bucketValues[this.bounds[i]!]! += this.counts[i]!;
      this.counts[i] = 0;
    }
    series.sum += this.sum;
    series.count += this.count;
    this.sum = 0;
    this.count = 0;
  }

  /**
   * prom-client's own record of this label set, made through its public zero() when absent.
   * Looked up at every flush (scrapes are rare) since reset() replaces the records;
   * test/unit/obs/cells.test.ts pins the exposition against direct observe() calls.
   */
  private series(): HistogramSeries {
    const find = () => Object.values((this.histogram as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap).find((s) => sameLabels(s.labels, this.labels));
    let s = find();
    if (!s) {
      this.histogram.zero(this.labels);
      s = find()!;
    }
    return s;
  }
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

/** A counter whose per-frame call sites take cells; other call sites use `.metric` as usual. */
export class CellCounter {
  readonly metric: client.Counter<string>;
  private readonly cells: Listing = [];

  constructor(config: client.CounterConfiguration<string>) {
    const cells = this.cells;
    this.metric = new client.Counter({
      ...config,
      collect() {
        for (const c of cells) c.flush();
      },
    });
  }

  cell(labels: Labels): CounterCell {
    return new CounterCell(this.metric, labels, this.cells);
  }
}

export class CellHistogram {
  readonly metric: client.Histogram<string>;
  private readonly cells: Listing = [];
  private readonly bounds: readonly number[];

  constructor(config: client.HistogramConfiguration<string> & { buckets: number[] }) {
    const cells = this.cells;
    this.bounds = [...config.buckets];
    this.metric = new client.Histogram({
      ...config,
      collect() {
        for (const c of cells) c.flush();
      },
    });
  }

  cell(labels: Labels): HistogramCell {
    return new HistogramCell(this.metric, this.bounds, labels, this.cells);
  }
}
