/**
 * Live fan-out. Events that arrive in one event-loop turn are collected, and once per turn each
 * event's frame (serialized and framed once) is joined into one batch buffer shared by every
 * unfiltered client: N clients cost N queue pushes of the same bytes, not N×events writes.
 * Filtered clients get the frames that match. Nothing here waits on a socket: a full queue is the
 * connection's problem (it closes itself as a slow consumer), never another client's.
 *
 * Every client has a `lastSeq`; an item reaches it only when `seq > lastSeq`. That one rule makes
 * the replay seam exact whichever side (replay or live) gets ahead.
 */
import type { FeedConnection } from './connection.js';
import type { FirehoseMetrics } from './metrics.js';

export interface HubItem {
  /** log seq; for a GAP, the last seq it covers */
  seq: number;
  frame: Buffer;
  /** absent on control items (GAP), which reach every client */
  symbol?: string;
  venue?: string;
  /** NATS publish time (JetStream store time), ms since the epoch, for the latency histogram */
  publishedMs?: number;
}

const FANOUT_COST_FACTOR = 3;

/** Wall clock with sub-millisecond resolution, comparable with JetStream timestamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export class Hub {
  readonly connections = new Set<FeedConnection>();
  /** last seq fanned out to live clients; everything at or below it was in the log before */
  lastSeq = 0;
  private pending: HubItem[] = [];
  private scheduled = false;
  private lastFlushMs = 0;
  /** current coalescing window, adapted to what a fan-out costs */
  private windowMs = 0;

  /**
   * Fan-outs are spaced by a window of FANOUT_COST_FACTOR times what the last one cost (its
   * pushes plus the socket writes they caused), capped at `maxWindowMs`. An event after a quiet
   * spell goes out on the next turn; under load, events coalesce, so each socket gets one write
   * per window instead of one per event (a write is a syscall: 500 clients x 2k events/s would
   * otherwise be a million a second) and fan-out never takes more than about a third of the loop.
   */
  constructor(
    private readonly metrics: FirehoseMetrics,
    private readonly maxWindowMs = 0,
  ) {}

  add(conn: FeedConnection): void {
    this.connections.add(conn);
  }

  remove(conn: FeedConnection): void {
    this.connections.delete(conn);
  }

  /** Items must come in log order. */
  push(item: HubItem): void {
    this.pending.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.lastFlushMs + this.windowMs - performance.now();
    if (wait < 1) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), wait);
  }

  /** Fan out what is pending now (also called before anything that must not overtake it). */
  flush(): void {
    this.scheduled = false;
    const items = this.pending;
    if (items.length === 0) return;
    this.lastFlushMs = performance.now();
    this.pending = [];
    const first = items[0]!.seq;
    const last = items[items.length - 1]!.seq;
    let batch: Buffer | undefined;
    let fanned = 0;
    let filteredOut = 0;
    for (const conn of this.connections) {
      if (!conn.live || conn.lastSeq >= last) continue;
      if (conn.unfiltered && conn.lastSeq < first) {
        batch ??= Buffer.concat(items.map((i) => i.frame));
        conn.queue.push(batch, items.length);
        fanned += items.length;
      } else {
        const frames: Buffer[] = [];
        for (const i of items) {
          if (i.seq > conn.lastSeq && (i.symbol === undefined || conn.matches(i.symbol, i.venue!))) frames.push(i.frame);
        }
        if (frames.length) conn.queue.push(frames.length === 1 ? frames[0]! : Buffer.concat(frames), frames.length);
        filteredOut += frames.length;
      }
      conn.lastSeq = last;
    }
    this.lastSeq = last;
    if (fanned) this.metrics.eventsOut.inc({ path: 'live' }, fanned);
    if (filteredOut) this.metrics.eventsOut.inc({ path: 'live_filtered' }, filteredOut);
    // The queues flush in the next check phase, ahead of this callback: it times the hand-over.
    const started = this.lastFlushMs;
    setImmediate(() => {
      const done = performance.now();
      this.windowMs = Math.min(this.maxWindowMs, (done - started) * FANOUT_COST_FACTOR);
      const now = nowMs();
      for (const i of items) if (i.publishedMs !== undefined) this.metrics.publishToWrite.observe(now - i.publishedMs);
    });
  }

  /**
   * The log restarted its numbering: flush what came from the old log, tell every live client,
   * and follow the new log from `newLastSeq` (replays of the old log cannot continue).
   */
  resetLog(newLastSeq: number, frame: Buffer, onReplaying: (conn: FeedConnection) => void): void {
    this.flush();
    for (const conn of this.connections) {
      if (!conn.live) {
        onReplaying(conn);
        continue;
      }
      conn.queue.push(frame);
      conn.lastSeq = newLastSeq;
    }
    this.lastSeq = newLastSeq;
  }

  /** Total and deepest queue, for the gauges (read at scrape time, not per event). */
  queueStats(): { depth: number; maxDepth: number; bytes: number } {
    let depth = 0;
    let maxDepth = 0;
    let bytes = 0;
    for (const c of this.connections) {
      const d = c.queue.depth;
      depth += d;
      if (d > maxDepth) maxDepth = d;
      bytes += c.queue.queuedBytes + c.queue.socketBytes;
    }
    return { depth, maxDepth, bytes };
  }
}
