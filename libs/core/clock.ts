/**
 * Wall-clock milliseconds with sub-millisecond resolution. Every service stamps its hop with it
 * (recv_ts, pub_ts, merge_ts, gw_ts) so per-hop latency is measurable below 1 ms; Date.now()
 * would round each stamp down to a whole millisecond.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
