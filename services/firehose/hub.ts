/**
 * Live fan-out, paced. Arriving events are sealed into a chunk every tick (chunk-log.ts); each
 * tick then visits the next clients in a round-robin and hands each one everything after its
 * `lastSeq` as one buffer: one socket write. Under load every client is written once per
 * rotation, and the rotation's writes are spread evenly over it instead of going out as one burst.
 *
 * Why: a socket write is a syscall whose cost hardly depends on its size (on loopback here 6–9 µs
 * for 300 B or for 6 kB), so what a fan-out costs is clients × writes per second, and the only
 * way to make it cheaper is fewer, fuller writes. Writing every turn's events to 500 clients at
 * 2k events/s takes all of a core; a burst of 500 writes also blocks the loop for ~5 ms, during
 * which the log is not read. A rotation of `intervalMs` (10 ms) costs a tenth of that per event,
 * and a client waits at most one rotation. When the clients do not fit in the interval at the
 * measured cost of a write, the rotation stretches so that writing takes at most `writeShare` of
 * the time, and reading the log keeps the rest (write-cost.ts says how that cost is measured
 * without counting the time the process was preempted).
 *
 * After a quiet spell the first tick writes to every client at once: a lone event is not paced.
 *
 * Every client has a `lastSeq`; an item reaches it only when `seq > lastSeq`. That one rule makes
 * the replay seam exact whichever side (replay or live) gets ahead. Nothing here waits on a
 * socket: a full queue is the connection's problem (it closes itself as a slow consumer).
 */
import { ChunkLog, type HubItem } from './chunk-log.js';
import type { FirehoseMetrics } from './metrics.js';
import { WriteCost } from './write-cost.js';

// the item type lives with the log that holds it; re-exported for the hub's users
export type { HubItem } from './chunk-log.js';

/** What the hub needs of a client (services/firehose/connection.ts is the real one). */
export interface FanoutClient {
  /** highest seq this client has been handed (or told is missing) */
  lastSeq: number;
  /** false while it replays or once it is closing: the live fan-out skips it */
  readonly live: boolean;
  readonly unfiltered: boolean;
  matches(symbol: string, venue: string): boolean;
  /** write `frame` (holding `messages` messages) now, through the client's bounded queue */
  deliver(frame: Buffer, messages: number): void;
}

export interface PacingOptions {
  /** under load, each client gets one write per this interval */
  intervalMs: number;
  /** most of the loop's time the writes may take: past it the interval stretches (0 < share ≤ 1) */
  writeShare: number;
}

/** ticks while anything is undelivered; Node timers do not go finer than 1 ms */
const TICK_MS = 1;
/** first guess at what handing a frame to a socket costs, until measured */
const INITIAL_WRITE_COST_MS = 0.01;
/**
 * A burst this large is fanned out without waiting for the timer: a busy loop reads the log in
 * long stretches, and chunks of a few hundred events keep each write, and what a client's socket
 * must take at once, small.
 */
const TICK_AT_ITEMS = 512;

/** Wall clock with sub-millisecond resolution, comparable with JetStream timestamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export class Hub<C extends FanoutClient> {
  readonly connections = new Set<C>();
  /** last seq handed to the live fan-out; everything at or below it was in the log before */
  lastSeq = 0;
  private readonly log = new ChunkLog();
  /** the connections in visiting order */
  private ring: C[] = [];
  private cursor = 0;
  private pending: HubItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastTickMs = -Infinity;
  /** clients owed a visit (fractional: a tick is often shorter than one client's share of the period) */
  private owed = 0;
  private readonly writeCost = new WriteCost(INITIAL_WRITE_COST_MS);

  constructor(
    private readonly metrics: FirehoseMetrics,
    private readonly pacing: PacingOptions,
  ) {}

  add(conn: C): void {
    this.connections.add(conn);
    this.ring.push(conn);
  }

  remove(conn: C): void {
    if (!this.connections.delete(conn)) return;
    const i = this.ring.indexOf(conn);
    this.ring.splice(i, 1);
    if (i < this.cursor) this.cursor--;
  }

  /** Items must come in log order. */
  push(item: HubItem): void {
    this.pending.push(item);
    if (this.pending.length >= TICK_AT_ITEMS) this.tick();
    else if (this.timer === undefined) this.immediate ??= setImmediate(() => this.tick());
  }

  /** Hand everything pending to every live client now, pacing or not (before a reset or a stop). */
  flush(): void {
    this.seal();
    this.visit(this.ring.length);
    this.trim();
  }

  /**
   * The log restarted its numbering: flush what came from the old log, tell every live client,
   * and follow the new log from `newLastSeq` (replays of the old log cannot continue).
   */
  resetLog(newLastSeq: number, frame: Buffer, onReplaying: (conn: C) => void): void {
    this.flush();
    this.log.clear();
    for (const conn of this.connections) {
      if (!conn.live) {
        onReplaying(conn);
        continue;
      }
      conn.deliver(frame, 1);
      conn.lastSeq = newLastSeq;
    }
    this.lastSeq = newLastSeq;
  }

  /** the rotation period now: the interval, stretched when the clients do not fit in it */
  get periodMs(): number {
    return Math.max(this.pacing.intervalMs, (this.ring.length * this.writeCost.ms) / this.pacing.writeShare);
  }

  /** chunks held for clients not yet written (bounded by one rotation) */
  get heldChunks(): number {
    return this.log.size;
  }

  private tick(): void {
    clearTimeout(this.timer);
    clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const now = performance.now();
    const elapsed = now - this.lastTickMs;
    this.lastTickMs = now;
    this.seal();
    const clients = this.ring.length;
    // a tick after a quiet spell owes everyone a visit, not infinitely many (nor NaN with no clients)
    this.owed = Math.min(clients, this.owed + clients * Math.min(1, elapsed / this.periodMs));
    const count = Math.ceil(this.owed - 1e-9);
    this.owed -= count;
    this.visit(count);
    if (!this.trim() || this.pending.length > 0) this.timer = setTimeout(() => this.tick(), TICK_MS);
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    this.log.seal(this.pending, performance.now());
    this.lastSeq = this.pending[this.pending.length - 1]!.seq;
    this.pending = [];
  }

  /** The next `count` clients of the round-robin, each handed what it has not had, in one write. */
  private visit(count: number): void {
    const started = performance.now();
    const ring = this.ring;
    let live = 0;
    let filtered = 0;
    let writes = 0;
    for (let seen = 0; seen < count && seen < ring.length; seen++) {
      if (this.cursor >= ring.length) this.cursor = 0;
      const conn = ring[this.cursor++]!;
      if (!conn.live || conn.lastSeq >= this.lastSeq) continue;
      const slice = conn.unfiltered ? this.log.since(conn.lastSeq) : this.log.matching(conn.lastSeq, (i) => conn.matches(i.symbol!, i.venue!));
      conn.lastSeq = this.lastSeq;
      if (!slice) continue;
      conn.deliver(slice.frame, slice.messages);
      writes++;
      if (conn.unfiltered) live += slice.messages;
      else filtered += slice.messages;
    }
    this.writeCost.add(performance.now() - started, writes);
    if (live) this.metrics.eventsOut.inc({ path: 'live' }, live);
    if (filtered) this.metrics.eventsOut.inc({ path: 'live_filtered' }, filtered);
  }

  /** Drop what every live client has; true when every live client is up to date. */
  private trim(): boolean {
    let low = this.lastSeq;
    for (const c of this.ring) if (c.live && c.lastSeq < low) low = c.lastSeq;
    const done = this.log.trim(low);
    if (done.length) {
      const now = nowMs();
      for (const chunk of done) for (const i of chunk.items) if (i.publishedMs !== undefined) this.metrics.publishToWrite.observe((now - i.publishedMs) / 1000);
    }
    return low >= this.lastSeq;
  }
}
