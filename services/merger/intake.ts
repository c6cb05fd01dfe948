/**
 * The merger's intake of collector books: each venue book (venue + symbol) goes through a
 * LineArbiter that keeps every collector line's copy warm and feeds the consensus books from one
 * line; this module carries out what the arbiters and books ask for: collector snapshot requests
 * (naming the line, `{"line":"B"}`), retries while a book is out of sequence, line switches.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { asBookMessage, decodeJson, encode, subjects } from '../../libs/bus/index.js';
import { errorCode, type BookMessage, type StatusMessage } from '../../libs/core/index.js';
import { DEFAULT_LINE, LineArbiter, type ConsensusBook, type LineStep } from '../../libs/consensus/index.js';
import type { ErrorCodeName } from '../../libs/client/index.js';
import type { MergerConfig } from './config.js';
import type { MergerMetrics } from './metrics.js';

export interface IntakeHooks {
  /** a consensus book changed: publish (or coalesce) */
  changed(book: ConsensusBook): void;
  stopped(): boolean;
  now(): number;
}

const EMPTY = new Uint8Array(0);

export class CollectorIntake {
  /** `${venue}.${symbol}` → the owned books it feeds */
  readonly bySource = new Map<string, ConsensusBook[]>();
  private readonly arbiters = new Map<string, LineArbiter>();
  /** `${source}|${line}` of requests in flight, and when each may be asked again */
  private readonly inflight = new Set<string>();
  private readonly retryAt = new Map<string, number>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly config: Readonly<MergerConfig>,
    private readonly m: MergerMetrics,
    private readonly log: Logger,
    private readonly hooks: IntakeHooks,
  ) {}

  add(book: ConsensusBook): void {
    for (const s of book.slots) {
      const key = `${s.venue}.${s.symbol}`;
      const list = this.bySource.get(key);
      if (list) list.push(book);
      else this.bySource.set(key, [book]);
      if (!this.arbiters.has(key)) this.arbiters.set(key, new LineArbiter(s.venue, s.symbol, this.config.lineSilenceMs));
    }
  }

  /** The first snapshot of every venue book (from whichever line answers first). */
  startup(): Promise<void[]> {
    return Promise.all([...this.bySource.keys()].map((key) => this.requestSnapshot(key, undefined)));
  }

  book(msg: BookMessage): void {
    const key = `${msg.venue}.${msg.symbol}`;
    const arbiter = this.arbiters.get(key);
    if (arbiter === undefined) return;
    this.run(key, arbiter, arbiter.onBook(msg, this.hooks.now()));
  }

  status(msg: StatusMessage): void {
    const now = this.hooks.now();
    for (const [key, arbiter] of this.arbiters) if (arbiter.venue === msg.venue) this.run(key, arbiter, arbiter.onStatus(msg, now));
  }

  /** Line silence, and snapshots for venue books or line copies out of sequence. */
  tick(now: number): void {
    for (const [key, arbiter] of this.arbiters) {
      this.run(key, arbiter, arbiter.tick(now));
      for (const l of arbiter.lines.keys()) this.m.venueLine.set({ venue: arbiter.venue, symbol: arbiter.symbol, line: l }, l === arbiter.chosen ? 1 : 0);
      const slotWaits = this.bySource.get(key)!.some((b) => b.slot(arbiter.venue, arbiter.symbol)?.phase !== 'live');
      const ask = new Set<string | undefined>(arbiter.needsSnapshot());
      if (slotWaits) ask.add(arbiter.chosen);
      for (const line of ask) this.askWhenDue(key, line, now);
    }
  }

  /** Per venue book: the line it is taken from, and the lines whose copy is in sequence (for /healthz). */
  linesInfo(): Record<string, { line: string | null; in_sequence: string[] }> {
    const out: Record<string, { line: string | null; in_sequence: string[] }> = {};
    for (const [key, a] of this.arbiters) out[key] = { line: a.chosen ?? null, in_sequence: [...a.lines.values()].filter((l) => l.phase === 'live').map((l) => l.line).sort() };
    return out;
  }

  /** Ask a collector for a venue book: `line` names the collector line, undefined = any. */
  async requestSnapshot(key: string, line: string | undefined): Promise<void> {
    const flight = `${key}|${line ?? ''}`;
    if (this.inflight.has(flight) || this.hooks.stopped()) return;
    this.inflight.add(flight);
    const [venue, symbol] = splitSource(key);
    let result = 'ok';
    try {
      const reply = await this.nc.request(subjects.snapshot(venue, symbol), line === undefined ? EMPTY : encode({ line }), { timeout: this.config.snapshotTimeoutMs });
      const body = decodeJson(reply.data) as { error?: { code?: string; message?: string } };
      if (body && typeof body === 'object' && body.error) {
        result = body.error.code === ('NOT_LIVE' satisfies ErrorCodeName) ? 'not_live' : 'error';
      } else {
        const snap = asBookMessage(body);
        if (snap.kind !== 'snapshot') throw new Error('snapshot reply is not a snapshot');
        const arbiter = this.arbiters.get(key)!;
        const now = this.hooks.now();
        const step = arbiter.onBook(snap, now, true);
        this.run(key, arbiter, step);
        // the line's copy may be fine while a venue book is not (it failed to apply a message): the
        // reply rebuilds it, and the deltas it buffered meanwhile continue from the reply's seq
        const waiting = step.forward.includes(snap) || (snap.line ?? DEFAULT_LINE) !== arbiter.chosen ? [] : this.bySource.get(key)!.filter((b) => b.slot(venue, symbol)?.phase !== 'live');
        if (waiting.length > 0) this.apply(snap, waiting, now);
        else if (step.applied === 'ignored') result = 'late'; // the published stream got there first
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      result = code === 'TIMEOUT' ? 'timeout' : code === '503' ? 'no_responders' : 'error';
      this.log.debug({ err: e, venue, symbol, line }, 'snapshot request failed');
    } finally {
      this.inflight.delete(flight);
    }
    this.m.snapshotRequests.inc({ venue, result });
    if (result !== 'ok' && result !== 'late') this.retryAt.set(flight, this.hooks.now() + this.config.snapshotRetryMs);
    else this.retryAt.delete(flight);
  }

  private askWhenDue(key: string, line: string | undefined, now: number): void {
    if ((this.retryAt.get(`${key}|${line ?? ''}`) ?? 0) <= now) void this.requestSnapshot(key, line);
  }

  private run(key: string, arbiter: LineArbiter, step: LineStep): void {
    const now = this.hooks.now();
    const books = this.bySource.get(key)!;
    if (step.switched) {
      const { from, to, reason } = step.switched;
      this.m.lineSwitches.inc({ venue: arbiter.venue, reason });
      if (from !== undefined) this.log.warn({ venue: arbiter.venue, symbol: arbiter.symbol, from, to, reason }, 'venue book switched collector line');
      // deltas buffered from the old line belong to another seq chain
      for (const b of books) {
        const slot = b.slot(arbiter.venue, arbiter.symbol);
        if (slot) slot.pending = [];
      }
    }
    for (const line of step.resync) void this.requestSnapshot(key, line);
    for (const msg of step.forward) this.apply(msg, books, now);
    if (step.status) {
      for (const book of books) {
        for (const slot of book.applyStatus(step.status, now, arbiter.symbol)) this.onGap(book, slot.venue, slot.symbol);
        this.hooks.changed(book);
      }
    }
  }

  private apply(msg: BookMessage, books: ConsensusBook[], now: number): void {
    for (const book of books) {
      try {
        if (book.applyBook(msg, now) === 'gap') this.onGap(book, msg.venue, msg.symbol);
      } catch (e) {
        this.m.rejected.inc({ kind: 'book', reason: errorCode(e) });
        this.log.warn({ err: e, venue: msg.venue, symbol: msg.symbol, seq: msg.seq }, 'venue book message could not be applied: resyncing it');
        book.invalidate(msg.venue, msg.symbol, now, errorCode(e));
        this.onGap(book, msg.venue, msg.symbol);
      }
      this.hooks.changed(book);
    }
  }

  private onGap(book: ConsensusBook, venue: string, symbol: string): void {
    this.m.gaps.inc({ venue, symbol: book.symbol });
    const key = `${venue}.${symbol}`;
    void this.requestSnapshot(key, this.arbiters.get(key)?.chosen);
  }
}

export function splitSource(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
