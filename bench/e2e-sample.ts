/**
 * Which messages bench:e2e times. A consensus message or BOOK frame carries `ts`, the venue event
 * time of the last venue change the book holds, so a message sent for another reason carries the
 * `ts` of a change it was not caused by. The merger re-sends the venue views each second
 * (VIEWS_REFRESH_MS): when its 100 ms tick, not a venue book, is the first flush after that second,
 * the views go out alone, up to 100 ms after the last change, stamped with that change's `ts`.
 * Joined to that change's send, each such frame was timed as a late delivery of it: 100 of 5,640
 * samples in one run (p99 22.6 ms, 8.1 ms without them). Which flush takes the views stays the
 * same for a whole run once it is set (the tick's deadlines then fall on ticks), so some runs had
 * them and others not (docs/latency.md, sixth pass).
 *
 * So a message is the effect of a venue book change only when it changes a level. The floor's
 * frames carry no levels at all (`bids` is absent): each is a change of its own.
 */
export interface LevelChanges {
  bids?: readonly unknown[];
  asks?: readonly unknown[];
}

export function changesALevel(p: LevelChanges): boolean {
  if (p.bids === undefined && p.asks === undefined) return true;
  return (p.bids?.length ?? 0) + (p.asks?.length ?? 0) > 0;
}
