/**
 * Live fan-out: at once while the writes fit, a paced rotation under load. Arriving events are
 * sealed into a chunk every turn (chunk-log.ts) and clients are visited in a round-robin, each
 * handed everything after its `lastSeq` as one buffer: one socket write.
 *
 * Why two modes: a socket write is a syscall whose cost hardly depends on its size (on loopback
 * here 6–9 µs for 300 B or for 6 kB), so what a fan-out costs is clients × writes per second.
 * While that is small, pacing only adds latency: every turn's events go to every client at once,
 * drawing on a budget of write time that refills at `writeShare` of wall time (after a quiet
 * spell it holds a write for every client, so a lone event is never paced). When a turn finds
 * the budget spent — 500 clients at 2k events/s would take a whole core written per turn — the
 * hub paces: each client is written once per rotation, the rotation's writes spread over it.
 * The rotation is as short as the write share allows (every client once at the measured cost of
 * a write), but no shorter than a floor the readers set: it starts at `intervalMs`, eases down
 * while no reader falls behind, and doubles (up to the interval) when one does. Writes then carry
 * a rotation's events: at 20k events/s to 100 readers that keep up, one every ~2 ms; at
 * saturation, where writes that often cost the readers (on the same cores) more than they could
 * spare and most fell behind (measured), readers falling behind hold it at the interval. It writes
 * at once again when writing every turn's events would take under half the write share. What a
 * write costs is measured without counting the time the process was preempted (write-cost.ts).
 *
 * A client whose socket has a backlog (frames wait in its queue, or the kernel has not taken all
 * it was handed) is not reading at our pace: it is written once per `intervalMs`, with everything
 * since, rather than in slivers every turn.
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
  /** its socket has not taken everything it was handed yet: it is behind our pace */
  readonly backlogged: boolean;
  matches(symbol: string, venue: string): boolean;
  /** write `frame` (holding `messages` messages) now, through the client's bounded queue */
  deliver(frame: Buffer, messages: number): void;
}

export interface PacingOptions {
  /** a client whose socket has a backlog is written once per this interval */
  intervalMs: number;
  /** most of the loop's time the writes may take under load (0 < share ≤ 1) */
  writeShare: number;
}

/** a turn that finds the budget spent retries after this; Node timers do not go finer than 1 ms */
const TICK_MS = 1;
/** first guess at what handing a frame to a socket costs, until measured */
const INITIAL_WRITE_COST_MS = 0.01;
/**
 * A burst this large is fanned out without waiting for the turn to end: a busy loop reads the log
 * in long stretches, and chunks of a few hundred events keep each write, and what a client's
 * socket must take at once, small.
 */
const TICK_AT_ITEMS = 512;
/** how often a paced hub checks whether writing every turn would fit again, and its readers' pace */
const DEMAND_WINDOW_MS = 100;
/** a window in which no reader fell behind takes this much off the rotation's floor */
const FLOOR_EASE = 0.8;

/** Wall clock with sub-millisecond resolution, comparable with JetStream timestamps. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

interface Slot<C> {
  conn: C;
  /** when it was last written (performance.now ms): a backlogged client waits an interval */
  writtenMs: number;
  /** its socket had a backlog when last visited */
  behind: boolean;
}

export class Hub<C extends FanoutClient> {
  readonly connections = new Set<C>();
  /** last seq handed to the live fan-out; everything at or below it was in the log before */
  lastSeq = 0;
  private readonly log = new ChunkLog();
  /** the connections in visiting order */
  private ring: Slot<C>[] = [];
  private cursor = 0;
  private pending: HubItem[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** write time (ms) the fan-out may still spend now; refills at `writeShare` of wall time (full at start) */
  private budgetMs = Infinity;
  private refilledMs = performance.now();
  /**
   * The writes did not fit: every client is written once per rotation (`pacedPeriodMs`), the
   * rotation's writes spread over it, until writing each turn would fit again.
   */
  private paced = false;
  private lastTickMs = -Infinity;
  /** clients owed a visit in the paced rotation (fractional: a tick is often shorter than one client's share of it) */
  private owed = 0;
  /** turns that brought events since `demandFromMs`: what writing every turn would cost */
  private dataTurns = 0;
  private demandFromMs = 0;
  private readonly writeCost = new WriteCost(INITIAL_WRITE_COST_MS);
  /**
   * The paced rotation's shortest period: the interval until the readers show they keep up, then
   * eased toward what the write share allows; doubled back (up to the interval) in any window in
   * which a reader fell behind.
   */
  private floorMs: number;
  /** readers whose socket turned backlogged since `demandFromMs` */
  private fellBehind = 0;

  constructor(
    private readonly metrics: FirehoseMetrics,
    private readonly pacing: PacingOptions,
  ) {
    this.floorMs = pacing.intervalMs;
  }

  add(conn: C): void {
    this.connections.add(conn);
    this.ring.push({ conn, writtenMs: -Infinity, behind: false });
  }

  remove(conn: C): void {
    if (!this.connections.delete(conn)) return;
    const i = this.ring.findIndex((s) => s.conn === conn);
    this.ring.splice(i, 1);
    if (i < this.cursor) this.cursor--;
  }

  /** Items must come in log order. */
  push(item: HubItem): void {
    this.pending.push(item);
    if (this.pending.length >= TICK_AT_ITEMS) this.tick();
    // while the budget is spent the timer's turn comes first: a turn now would write nobody
    else if (this.timer === undefined || (!this.paced && this.budgetMs > 0)) this.immediate ??= setImmediate(() => this.tick());
  }

  /** Hand everything pending to every live client now, budget or not (before a reset or a stop). */
  flush(): void {
    this.seal();
    this.visit(Infinity, Infinity, true);
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

  /** a client's longest wait for an event now: the paced rotation, or writing everyone once at the write share */
  get periodMs(): number {
    return this.paced ? this.pacedPeriodMs : (this.ring.length * this.writeCost.ms) / this.pacing.writeShare;
  }

  /** the paced rotation: writing every client once at the write share, no shorter than the readers' floor */
  private get pacedPeriodMs(): number {
    return Math.max(this.floorMs, (this.ring.length * this.writeCost.ms) / this.pacing.writeShare);
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
    this.refill(now);
    if (this.pending.length > 0) this.dataTurns++;
    this.seal();
    this.followDemand(now);
    if (this.paced) {
      const clients = this.ring.length;
      // a tick after a quiet spell owes everyone a visit, not infinitely many (nor NaN with no clients)
      this.owed = Math.min(clients, this.owed + clients * Math.min(1, elapsed / this.pacedPeriodMs));
      const count = Math.ceil(this.owed - 1e-9);
      this.owed -= count;
      this.visit(count, Infinity, false);
    } else if (this.visit(this.ring.length, this.budgetMs, false)) {
      this.paced = true;
      this.owed = 0;
      this.dataTurns = 0;
      this.fellBehind = 0;
      this.demandFromMs = now;
    }
    if (!this.trim() || this.pending.length > 0) this.timer = setTimeout(() => this.tick(), TICK_MS);
  }

  /**
   * Paced, leave the rotation once writing every turn's events to every client would take less
   * than half the write share (the half keeps a load near the edge from flapping between the two).
   */
  private followDemand(now: number): void {
    if (!this.paced || now - this.demandFromMs < DEMAND_WINDOW_MS) return;
    this.followReaders();
    const demand = (this.dataTurns * this.ring.length * this.writeCost.ms) / (now - this.demandFromMs);
    this.dataTurns = 0;
    this.demandFromMs = now;
    if (demand >= this.pacing.writeShare / 2) return;
    this.paced = false;
    this.budgetMs = this.budgetCapMs;
  }

  /** Once per window while paced: the readers' floor (`floorMs`; the header says why they set it). */
  private followReaders(): void {
    this.floorMs = this.fellBehind > 0 ? Math.min(this.pacing.intervalMs, this.pacedPeriodMs * 2) : Math.max(TICK_MS, this.floorMs * FLOOR_EASE);
    this.fellBehind = 0;
  }

  /** at least one write for every client (or a share of an interval): after a quiet spell nobody waits */
  private get budgetCapMs(): number {
    return Math.max(this.ring.length * this.writeCost.ms, this.pacing.intervalMs * this.pacing.writeShare);
  }

  /** The budget earns `writeShare` of the time since the last turn, up to its cap. */
  private refill(now: number): void {
    this.budgetMs = Math.min(this.budgetCapMs, this.budgetMs + (now - this.refilledMs) * this.pacing.writeShare);
    this.refilledMs = now;
  }

  private seal(): void {
    if (this.pending.length === 0) return;
    this.log.seal(this.pending, performance.now());
    this.lastSeq = this.pending[this.pending.length - 1]!.seq;
    this.pending = [];
  }

  /**
   * The next `count` clients of the round-robin, each handed what it has not had in one write,
   * until the budget (ms of estimated write time) is spent; `all` ignores the backlog rule. True
   * when the budget ran out before every client was seen.
   */
  private visit(count: number, budgetMs: number, all: boolean): boolean {
    const started = performance.now();
    const ring = this.ring;
    const cost = this.writeCost.ms;
    let live = 0;
    let filtered = 0;
    let writes = 0;
    let seen = 0;
    for (; seen < count && seen < ring.length && writes * cost < budgetMs; seen++) {
      if (this.cursor >= ring.length) this.cursor = 0;
      const slot = ring[this.cursor++]!;
      const conn = slot.conn;
      if (!conn.live || conn.lastSeq >= this.lastSeq) continue;
      const behind = conn.backlogged;
      if (behind && !slot.behind) this.fellBehind++;
      slot.behind = behind;
      if (!all && behind && started - slot.writtenMs < this.pacing.intervalMs) continue;
      const slice = conn.unfiltered ? this.log.since(conn.lastSeq) : this.log.matching(conn.lastSeq, (i) => conn.matches(i.symbol!, i.venue!));
      conn.lastSeq = this.lastSeq;
      if (!slice) continue;
      conn.deliver(slice.frame, slice.messages);
      slot.writtenMs = started;
      writes++;
      if (conn.unfiltered) live += slice.messages;
      else filtered += slice.messages;
    }
    this.writeCost.add(performance.now() - started, writes);
    this.budgetMs -= writes * cost;
    if (live) this.metrics.eventsOut.inc({ path: 'live' }, live);
    if (filtered) this.metrics.eventsOut.inc({ path: 'live_filtered' }, filtered);
    return seen < Math.min(count, ring.length);
  }

  /** Drop what every live client has; true when every live client is up to date. */
  private trim(): boolean {
    let low = this.lastSeq;
    for (const { conn } of this.ring) if (conn.live && conn.lastSeq < low) low = conn.lastSeq;
    const done = this.log.trim(low);
    if (done.length) {
      const now = nowMs();
      for (const chunk of done) for (const i of chunk.items) if (i.publishedMs !== undefined) this.metrics.publishToWrite.observe((now - i.publishedMs) / 1000);
    }
    return low >= this.lastSeq;
  }
}
