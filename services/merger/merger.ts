/**
 * The merger service: NATS glue around the pure consensus logic of libs/consensus. It subscribes
 * to the venue books, trades, liquidations and collector status of the consensus symbols it owns,
 * rebuilds every venue book from collector snapshots at start (new epoch), asks again on a gap,
 * and publishes consensus snapshots/deltas, alerts and the merged tape. Liquidations take the
 * durable path of liq-consumer.ts (collectors' JetStream stream → the consensus log).
 */
import { type Msg, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { asBookMessage, asStatusMessage, asTradeMessage, decodeJson, encode, ensureAlertStream, ensureWindowStream, subjects } from '../../libs/bus/index.js';
import { errorCode, type AlertMessage, type BookMessage, type ConsensusBookMessage, type LiquidationMessage, msOfUs, nowMs, nowUs } from '../../libs/core/index.js';
import { ConsensusBook, TradeMerger, largeLiquidationAlert, owns, parseWindowType, type VenueSlot, type WindowEvent } from '../../libs/consensus/index.js';
import type { Registry } from '../../libs/obs/index.js';
import type { MergerConfig } from './config.js';
import { createMergerMetrics, type MergerMetrics } from './metrics.js';
import { LiqConsumer } from './liq-consumer.js';
import { MergerWindows } from './windows.js';

export interface MergerDeps {
  nc: NatsConnection;
  log: Logger;
  registry: Registry;
  /** wall clock; tests may pass their own */
  now?: () => number;
}

export interface Merger {
  readonly epoch: number;
  readonly books: ReadonlyMap<string, ConsensusBook>;
  start(): Promise<void>;
  stop(): Promise<void>;
  notReadyReason(): string | null;
}

export function createMerger(config: Readonly<MergerConfig>, deps: MergerDeps): Merger {
  return new MergerService(config, deps);
}

const EMPTY = new Uint8Array(0);
const QUEUE = 'bookfuse-merger';

class MergerService implements Merger {
  epoch = 0;
  readonly books = new Map<string, ConsensusBook>();
  private readonly nc: NatsConnection;
  private readonly log: Logger;
  private readonly now: () => number;
  /** the same clock in integer µs, for merge_us */
  private readonly nowUs: () => number;
  private readonly m: MergerMetrics;
  /** `${venue}.${symbol}` → the owned books it feeds */
  private readonly bySource = new Map<string, ConsensusBook[]>();
  private readonly tapes = new Map<string, TradeMerger>();
  /** the durable liquidation path (services/merger/liq-consumer.ts) */
  readonly liqs: LiqConsumer;
  private readonly subs: Subscription[] = [];
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inflight = new Set<string>();
  private readonly retryAt = new Map<string, number>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  private windows: MergerWindows | undefined;
  private live = false;
  private stopped = false;

  constructor(
    private readonly config: Readonly<MergerConfig>,
    deps: MergerDeps,
  ) {
    this.nc = deps.nc;
    this.log = deps.log;
    this.now = deps.now ?? nowMs;
    const injected = deps.now;
    this.nowUs = injected ? () => Math.round(injected() * 1000) : nowUs;
    this.m = createMergerMetrics(deps.registry);
    this.liqs = new LiqConsumer(config, { nc: this.nc, log: this.log, metrics: this.m, onPublished: (l, g) => this.onLiquidation(l, g?.symbol) });
  }

  async start(): Promise<void> {
    const now = this.now();
    // start time in ms: strictly increasing across restarts with no coordination
    this.epoch = Math.floor(now);
    for (const g of this.config.groups) {
      if (!owns(this.config.ownership, g.symbol)) continue;
      const book = new ConsensusBook(g, this.config.rules, this.epoch, now);
      this.books.set(g.symbol, book);
      this.tapes.set(g.symbol, new TradeMerger(g.symbol, { key: this.config.tradeDedupKey, windowMs: this.config.tradeDedupWindowMs, holdMs: this.config.tradeHoldMs, recentIds: this.config.dedupMemory }));
      for (const mem of g.members) {
        const key = `${mem.venue}.${mem.symbol}`;
        const list = this.bySource.get(key);
        if (list) list.push(book);
        else this.bySource.set(key, [book]);
      }
    }
    await this.liqs.start();
    // the alert log gives every ALERT its id (#16.3); alerts still go out on core NATS without it
    await ensureAlertStream(this.nc, { maxAgeMs: this.config.alertRetentionMs, replicas: this.config.liqReplicas, reconcile: true }).catch((e: unknown) => this.log.error({ err: e }, 'alert stream unavailable: alerts get no ids'));
    await ensureWindowStream(this.nc, { replicas: this.config.liqReplicas }).catch((e: unknown) => this.log.error({ err: e }, 'window stream unavailable: late gateways get no window snapshot'));
    this.windows = new MergerWindows([...this.books.keys()], this.config.windowTypes.map(parseWindowType), this.config.windowPriceTimeoutMs, now, (e) => this.publishWindow(e));
    this.subscribe();
    await this.nc.flush(); // subscriptions are in place before we ask, so no delta falls between
    const first = [...this.bySource.keys()].map((key) => this.requestSnapshot(key));
    await Promise.race([Promise.all(first), new Promise((r) => setTimeout(r, this.config.snapshotTimeoutMs + 200))]);
    this.live = true;
    for (const book of this.books.values()) this.publishBook(book);
    this.ticker = setInterval(() => this.tick(), this.config.tickMs);
    this.log.info({ epoch: this.epoch, symbols: [...this.books.keys()], venues: this.bySource.size }, 'merger started');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subs) s.unsubscribe();
    await this.liqs.stop();
    if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
  }

  notReadyReason(): string | null {
    if (!this.live) return 'rebuilding venue books from collector snapshots';
    return this.stopped ? 'stopped' : null;
  }

  // ---- inputs ------------------------------------------------------------------------------

  private subscribe(): void {
    const sub = (subject: string, fn: (m: Msg) => void, queue?: string) => {
      const opts = { callback: (err: Error | null, m: Msg) => (err ? this.log.warn({ err, subject }, 'subscription error') : fn(m)) };
      this.subs.push(this.nc.subscribe(subject, queue ? { ...opts, queue } : opts));
    };
    const venues = new Set<string>();
    for (const key of this.bySource.keys()) {
      const [venue, symbol] = splitSource(key);
      venues.add(venue);
      sub(subjects.book(venue, symbol), (m) => this.onBook(m));
      sub(subjects.trade(venue, symbol), (m) => this.onTrade(m));
    }
    for (const v of venues) sub(subjects.status(v), (m) => this.onStatus(m));
    for (const csym of this.books.keys()) sub(subjects.consensusSnapshot(csym), (m) => this.onSnapshotRequest(csym, m), QUEUE);
  }

  private onBook(m: Msg): void {
    let msg: BookMessage;
    try {
      msg = asBookMessage(decodeJson(m.data));
    } catch (e) {
      this.m.rejected.inc({ kind: 'book', reason: errorCode(e) });
      return;
    }
    this.m.messagesIn.inc({ venue: msg.venue, kind: 'book' });
    this.applyBook(msg);
  }

  private applyBook(msg: BookMessage): void {
    const now = this.now();
    for (const book of this.bySource.get(`${msg.venue}.${msg.symbol}`) ?? []) {
      try {
        if (book.applyBook(msg, now) === 'gap') this.onGap(book, msg.venue, msg.symbol);
      } catch (e) {
        this.m.rejected.inc({ kind: 'book', reason: errorCode(e) });
        this.log.warn({ err: e, venue: msg.venue, symbol: msg.symbol, seq: msg.seq }, 'venue book message could not be applied: resyncing it');
        book.invalidate(msg.venue, msg.symbol, now, errorCode(e));
        this.onGap(book, msg.venue, msg.symbol);
      }
      this.changed(book);
    }
  }

  private onGap(book: ConsensusBook, venue: string, symbol: string): void {
    this.m.gaps.inc({ venue, symbol: book.symbol });
    void this.requestSnapshot(`${venue}.${symbol}`);
  }

  private onStatus(m: Msg): void {
    try {
      const msg = asStatusMessage(decodeJson(m.data));
      this.m.messagesIn.inc({ venue: msg.venue, kind: 'status' });
      const now = this.now();
      for (const book of this.books.values()) {
        for (const slot of book.applyStatus(msg, now)) this.onGap(book, slot.venue, slot.symbol);
        this.changed(book);
      }
    } catch (e) {
      this.m.rejected.inc({ kind: 'status', reason: errorCode(e) });
    }
  }

  private onTrade(m: Msg): void {
    try {
      const t = asTradeMessage(decodeJson(m.data));
      this.m.messagesIn.inc({ venue: t.venue, kind: 'trade' });
      const now = this.now();
      for (const book of this.bySource.get(`${t.venue}.${t.symbol}`) ?? []) {
        const verdict = this.tapes.get(book.symbol)!.add(t, now);
        if (verdict === 'duplicate') this.m.duplicates.inc({ kind: 'trade' });
        else if (verdict === 'merged') this.m.tradesMerged.inc({ symbol: book.symbol });
        this.drainTape(book.symbol);
      }
    } catch (e) {
      this.m.rejected.inc({ kind: 'trade', reason: errorCode(e) });
    }
  }

  private onSnapshotRequest(csym: string, m: Msg): void {
    const book = this.books.get(csym)!;
    let depth = book.depth;
    try {
      if (m.data.length > 0) {
        const body = decodeJson(m.data) as { depth?: unknown } | null;
        const d = body?.depth;
        if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 5000)) throw new Error('depth must be an integer 1..5000');
        if (typeof d === 'number') depth = d;
      }
    } catch (e) {
      m.respond(encode({ error: { code: 'BAD_MESSAGE', message: (e as Error).message } }));
      return;
    }
    this.publishBook(book); // the reply must not be ahead of a delta still to come
    m.respond(encode(book.snapshot(this.now(), depth)));
  }

  // ---- snapshots from collectors ------------------------------------------------------------

  private async requestSnapshot(key: string): Promise<void> {
    if (this.inflight.has(key) || this.stopped) return;
    this.inflight.add(key);
    const [venue, symbol] = splitSource(key);
    let result = 'ok';
    try {
      const reply = await this.nc.request(subjects.snapshot(venue, symbol), EMPTY, { timeout: this.config.snapshotTimeoutMs });
      const body = decodeJson(reply.data) as { error?: { code?: string; message?: string } };
      if (body && typeof body === 'object' && body.error) {
        result = body.error.code === 'NOT_LIVE' ? 'not_live' : 'error';
      } else {
        const snap = asBookMessage(body);
        if (snap.kind !== 'snapshot') throw new Error('snapshot reply is not a snapshot');
        const now = this.now();
        let used = false;
        for (const book of this.bySource.get(key) ?? []) {
          if (book.slot(venue, symbol)?.phase === 'live') continue; // rebuilt meanwhile from the stream
          used = true;
          if (book.applyBook(snap, now) === 'gap') this.m.gaps.inc({ venue, symbol: book.symbol });
          this.changed(book);
        }
        if (!used) result = 'late';
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      result = code === 'TIMEOUT' ? 'timeout' : code === '503' ? 'no_responders' : 'error';
      this.log.debug({ err: e, venue, symbol }, 'snapshot request failed');
    } finally {
      this.inflight.delete(key);
    }
    this.m.snapshotRequests.inc({ venue, result });
    if (result !== 'ok' && result !== 'late') this.retryAt.set(key, this.now() + this.config.snapshotRetryMs);
    else this.retryAt.delete(key);
  }

  // ---- outputs -----------------------------------------------------------------------------

  private changed(book: ConsensusBook): void {
    if (!this.live || this.stopped) return;
    if (this.config.coalesceMs === 0) return this.publishBook(book);
    const key = `book:${book.symbol}`;
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.publishBook(book);
      }, this.config.coalesceMs),
    );
  }

  private publishBook(book: ConsensusBook): void {
    if (!this.live || this.stopped) return;
    const us = this.nowUs();
    const now = msOfUs(us);
    const msg = book.flush(now);
    if (msg !== null) {
      msg.merge_us = us;
      this.publishConsensus(msg, now);
      this.windows?.update(book, now);
    }
    for (const a of book.drainAlerts()) this.publishAlert(a);
  }

  private publishConsensus(msg: ConsensusBookMessage, now: number): void {
    this.nc.publish(subjects.consensusBook(msg.symbol), encode(msg));
    this.m.published.inc({ kind: msg.kind === 'snapshot' ? 'book_snapshot' : 'book_delta' });
    this.m.mergeLatency.observe({ symbol: msg.symbol }, Math.max(0, now - msg.recv_ts) / 1000);
  }

  /** #16.4: a liquidation at or above LARGE_LIQUIDATION_USD is an alert of its own. */
  private onLiquidation(l: LiquidationMessage, csym: string | undefined): void {
    const a = largeLiquidationAlert(l, this.config.largeLiquidationUsd, csym);
    if (a) this.publishAlert(a);
  }

  private publishWindow(e: WindowEvent): void {
    this.nc.publish(subjects.consensusWindow(e.asset, e.marketType), encode({ v: 1, ...e }));
    this.m.published.inc({ kind: e.type === 'window_open' ? 'window' : 'window_error' });
  }

  private publishAlert(a: AlertMessage): void {
    this.nc.publish(subjects.consensusAlert(a.symbol), encode(a));
    this.m.alerts.inc({ kind: a.kind, symbol: a.symbol });
    this.m.published.inc({ kind: 'alert' });
    this.log.info({ alert: a.kind, symbol: a.symbol, venue: a.venue, detail: a.detail }, 'consensus alert');
  }

  private drainTape(csym: string): void {
    const tape = this.tapes.get(csym)!;
    for (const t of tape.drain(this.now())) {
      this.nc.publish(subjects.consensusTrade(csym), encode(t));
      this.m.published.inc({ kind: 'trade' });
    }
    const key = `tape:${csym}`;
    if (tape.held > 0 && !this.timers.has(key) && !this.stopped) {
      this.timers.set(
        key,
        setTimeout(() => {
          this.timers.delete(key);
          this.drainTape(csym);
        }, Math.max(1, this.config.tradeHoldMs)),
      );
    }
  }

  private tick(): void {
    const now = this.now();
    this.windows?.tick(now);
    for (const book of this.books.values()) {
      book.tick(now);
      for (const slot of book.needsSnapshot()) {
        const key = `${slot.venue}.${slot.symbol}`;
        if ((this.retryAt.get(key) ?? 0) <= now) void this.requestSnapshot(key);
      }
      this.publishBook(book);
      this.updateGauges(book);
    }
  }

  private updateGauges(book: ConsensusBook): void {
    for (const s of book.slots) this.gauge(book.symbol, s);
  }

  private gauge(symbol: string, s: VenueSlot): void {
    const labels = { venue: s.venue, symbol };
    this.m.stale.set(labels, s.stale ? 1 : 0);
    this.m.member.set(labels, s.member ? 1 : 0);
    this.m.divergent.set(labels, s.divergence.divergent ? 1 : 0);
    if (s.divergence.bps !== undefined) this.m.divergenceRatio.set(labels, s.divergence.bps / 10_000);
  }
}

function splitSource(key: string): [string, string] {
  const dot = key.indexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}
