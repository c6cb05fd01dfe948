/**
 * What handing one client its frames costs, estimated from the wall time of the hub's recent
 * visits: the figure the rotation is stretched by when the clients do not fit in the interval.
 *
 * The estimate is the lower quartile of the last visits' per-write times, not their average.
 * On a busy machine the process is preempted in a fraction of visits (and the odd one holds a
 * GC pause); that time only ever adds to a visit, and averaging it in stretched the rotation to
 * 13–58 ms on the 2-core box where a write took 11–14 µs. The lower quartile is what a write
 * costs while the process runs, and a real change in cost (bigger writes at a higher event
 * rate, more work per client) moves it within a window of visits.
 *
 * Why not CPU time: Node 20 can only read it for the whole process (getrusage), which took
 * ~50 µs a call on the loaded box, 5–8 % of a core at 20k events/s for two calls a visit.
 */
export class WriteCost {
  private readonly samples: Float64Array;
  private readonly scratch: Float64Array;
  private count = 0;
  private estimateMs: number;

  constructor(initialMs: number, window = 32) {
    this.samples = new Float64Array(window);
    this.scratch = new Float64Array(window);
    this.estimateMs = initialMs;
  }

  /** one visit: `writes` clients written in `elapsedMs` of wall time */
  add(elapsedMs: number, writes: number): void {
    if (writes <= 0) return;
    this.samples[this.count++ % this.samples.length] = elapsedMs / writes;
    const n = Math.min(this.count, this.samples.length);
    const recent = this.scratch.subarray(0, n);
    recent.set(this.samples.subarray(0, n));
    recent.sort();
    this.estimateMs = recent[(n - 1) >> 2]!;
  }

  /** estimated cost of one client's write, ms */
  get ms(): number {
    return this.estimateMs;
  }
}
