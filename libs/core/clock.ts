/**
 * The one time rule of the wire (docs/protocol.md "Times"): every `*_ts` is an integer count of
 * milliseconds since the epoch. Per-hop latency needs more than whole milliseconds, so the hop
 * stamps the benchmarks read (`recv_ts`, `pub_ts` on venue messages, `merge_ts` on consensus books)
 * carry an integer microsecond twin (`recv_us`, `pub_us`, `merge_us`) taken from the same reading.
 */

/** Wall clock in integer µs since the epoch (a safe integer until the year 2255). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The millisecond stamp of a µs reading: floor, so `*_ts` never lies ahead of its `*_us` twin. */
export function msOfUs(us: number): number {
  return Math.floor(us / 1000);
}

/** Wall clock in integer ms since the epoch: what every `*_ts` field carries. */
export function nowMs(): number {
  return msOfUs(nowUs());
}
