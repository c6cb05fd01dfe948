/**
 * The merger service: NATS glue around the pure consensus logic of libs/consensus. It subscribes
 * to the venue books, trades, liquidations and collector status of the consensus symbols it owns,
 * rebuilds every venue book from collector snapshots at start (new epoch), asks again on a gap,
 * and publishes consensus snapshots/deltas, alerts and the merged tape. Liquidations take the
 * durable path of liq-consumer.ts (collectors' JetStream stream → the consensus log).
 */
import { headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from 'nats';
import type { Logger } from 'pino';
import { asBookMessage, asStatusMessage, asTradeMessage, decodeJson, encode, ensureAlertStream, ensureWindowStream, leaseKeys, subjects } from '../../libs/bus/index.js';
import { errorCode, type AlertMessage, type BookMessage, type ConsensusBookMessage, type LiquidationMessage, msOfUs, nowMs, nowUs } from '../../libs/core/index.js';
import { ConsensusBook, TradeMerger, largeLiquidationAlert, owns, parseWindowType, type VenueSlot, type WindowEvent } from '../../libs/consensus/index.js';
import type { Registry } from '../../libs/obs/index.js';
import type { MergerConfig } from './config.js';
import { MergerLease, NoLease, type DemoteReason, type Lease, type Role } from './lease.js';
import { CollectorIntake, splitSource } from './intake.js';
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
  /** the epoch of this merger's latest term as active (0 before its first) */
  readonly epoch: number;
  readonly role: Role;
  readonly books: ReadonlyMap<string, ConsensusBook>;
  start(): Promise<void>;
  stop(): Promise<void>;
  notReadyReason(): string | null;
  /** the lease fence: true only while this merger may publish */
  mayPublish(): boolean;
  /** what /healthz adds: role, shard, epoch */
  healthInfo(): MergerHealth;
}

export interface MergerHealth {
  role: Role;
  /** `i/n`, `symbols` or `all` */
  shard: string;
  symbols: string[];
  epoch: number;
  lease_key: string;
  /** per venue book (`venue.SYMBOL`): the collector line it is taken from, and the lines in sequence */
  venue_lines: Record<string, { line: string | null; in_sequence: string[] }>;
}

export function createMerger(config: Readonly<MergerConfig>, deps: MergerDeps): Merger {
  return new MergerService(config, deps);
}

const QUEUE = 'bookfuse-merger';

class MergerService implements Merger {
  readonly books = new Map<string, ConsensusBook>();
  private readonly nc: NatsConnection;
  private readonly log: Logger;
  private readonly now: () => number;
  /** the same clock in integer µs, for merge_us */
  private readonly nowUs: () => number;
  private readonly m: MergerMetrics;
  private readonly intake: CollectorIntake;
  private readonly tapes = new Map<string, TradeMerger>();
  /** the durable liquidation path (services/merger/liq-consumer.ts) */
  readonly liqs: LiqConsumer;
  private readonly subs: Subscription[] = [];
  /** consensus snapshot requests: answered by the active only */
  private snapshotSubs: Subscription[] = [];
  /** undefined until start() has read the books in: nothing may go out before then */
  private lease: Lease | undefined;
  /** starts and stops of the liquidation consumer, one after the other (a demotion may follow a promotion closely) */
  private liqDuty: Promise<void> = Promise.resolve();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
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
    this.liqs = new LiqConsumer(config, { nc: this.nc, log: this.log, metrics: this.m, mayPublish: () => this.mayPublish(), onPublished: (l, g) => this.onLiquidation(l, g?.symbol) });
    this.intake = new CollectorIntake(this.nc, config, this.m, this.log, { changed: (b) => this.changed(b), stopped: () => this.stopped, now: () => this.now() });
  }

  get epoch(): number {
    return this.lease?.epoch ?? 0;
  }

  get role(): Role {
    return this.lease?.role ?? 'standby';
  }

  async start(): Promise<void> {
    const now = this.now();
    for (const g of this.config.groups) {
      if (!owns(this.config.ownership, g.symbol)) continue;
      // epoch 0 until this merger becomes active: a takeover starts a new epoch on the warm books
      const book = new ConsensusBook(g, this.config.rules, 0, now);
      this.books.set(g.symbol, book);
      this.tapes.set(g.symbol, new TradeMerger(g.symbol, { key: this.config.tradeDedupKey, windowMs: this.config.tradeDedupWindowMs, holdMs: this.config.tradeHoldMs, recentIds: this.config.dedupMemory }));
      this.intake.add(book);
    }
    // the alert log gives every ALERT its id (#16.3); alerts still go out on core NATS without it
    await ensureAlertStream(this.nc, { maxAgeMs: this.config.alertRetentionMs, replicas: this.config.liqReplicas, reconcile: true }).catch((e: unknown) => this.log.error({ err: e }, 'alert stream unavailable: alerts get no ids'));
    await ensureWindowStream(this.nc, { replicas: this.config.liqReplicas }).catch((e: unknown) => this.log.error({ err: e }, 'window stream unavailable: late gateways get no window snapshot'));
    this.windows = new MergerWindows([...this.books.keys()], this.config.windowTypes.map(parseWindowType), this.config.windowPriceTimeoutMs, now, (e) => this.publishWindow(e));
    this.subscribe();
    await this.nc.flush(); // subscriptions are in place before we ask, so no delta falls between
    await Promise.race([this.intake.startup(), new Promise((r) => setTimeout(r, this.config.snapshotTimeoutMs + 200))]);
    this.live = true;
    this.ticker = setInterval(() => this.tick(), this.config.tickMs);
    const events = { promoted: (epoch: number) => this.promoted(epoch), demoted: (reason: DemoteReason) => this.demoted(reason), renewFailed: (reason: string) => this.m.leaseRenewFailures.inc({ reason }) };
    this.lease =
      this.config.ha === 'off'
        ? new NoLease(events)
        : new MergerLease(this.nc, { key: this.leaseKey(), ttlMs: this.config.leaseTtlMs, renewMs: this.config.leaseRenewMs, marginMs: this.config.leaseMarginMs, replicas: this.config.leaseReplicas }, events, this.log);
    this.m.active.set(0);
    await this.lease.start();
    await this.nc.flush().catch(() => undefined); // an active's snapshot subscriptions are in place when start resolves
    await this.liqDuty; // an active merger is attached to the liquidation durable when start resolves
    this.log.info({ role: this.role, epoch: this.epoch, symbols: [...this.books.keys()], venues: this.intake.bySource.size }, 'merger started');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    // publishing stops and the lease is handed over first, so a standby takes over at once
    await this.lease?.stop();
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subs) s.unsubscribe();
    await this.liqDuty;
    await this.liqs.stop();
    if (!this.nc.isClosed()) await this.nc.flush().catch(() => undefined);
  }

  notReadyReason(): string | null {
    if (!this.live) return 'rebuilding venue books from collector snapshots';
    if (this.stopped) return 'stopped';
    return this.lease ? this.lease.problem() : 'no lease yet';
  }

  mayPublish(): boolean {
    return this.lease?.mayPublish() ?? false;
  }

  healthInfo(): MergerHealth {
    const o = this.config.ownership;
    return {
      role: this.role,
      shard: o.kind === 'shard' ? `${o.index}/${o.count}` : o.kind,
      symbols: [...this.books.keys()],
      epoch: this.epoch,
      lease_key: this.leaseKey(),
      venue_lines: this.intake.linesInfo(),
    };
  }

  // ---- role --------------------------------------------------------------------------------

  private leaseKey(): string {
    const o = this.config.ownership;
    const owned = [...this.books.keys()];
    return o.kind === 'shard' ? leaseKeys.mergerShard(o.index, o.count, owned) : o.kind === 'symbols' ? leaseKeys.mergerSymbols(owned) : leaseKeys.mergerAll(owned);
  }

  /** Active: a new epoch on the warm books (clients resnapshot), and answer snapshot requests. */
  private promoted(epoch: number): void {
    this.m.active.set(1);
    this.m.takeovers.inc();
    for (const csym of this.books.keys()) {
      const opts = { queue: QUEUE, callback: (err: Error | null, m: Msg) => (err ? this.log.warn({ err }, 'subscription error') : this.onSnapshotRequest(csym, m)) };
      this.snapshotSubs.push(this.nc.subscribe(subjects.consensusSnapshot(csym), opts));
    }
    for (const book of this.books.values()) {
      book.restartEpoch(epoch);
      this.publishBook(book);
    }
    this.syncLiquidations();
  }

  /** Standby: publishing has already stopped (the lease fences every publish); drop the duties. */
  private demoted(reason: DemoteReason): void {
    this.m.active.set(0);
    this.m.demotions.inc({ reason });
    for (const s of this.snapshotSubs) s.unsubscribe();
    this.snapshotSubs = [];
    this.syncLiquidations();
  }

  /**
   * Only the active reads the liquidation durable. A message a demoted merger still has in hand
   * may reach the consensus log after the takeover: the log stores it once (Nats-Msg-Id).
   */
  private syncLiquidations(): void {
    this.liqDuty = this.liqDuty
      .then(() => (this.role === 'active' && !this.stopped ? this.liqs.start() : this.liqs.stop()))
      .catch((e: unknown) => this.log.warn({ err: e }, 'liquidation consumer could not follow the role'));
  }

  /**
   * Every publish on a consensus subject goes through here: only the lease holder, before its
   * deadline. Trades are taken (and their hold timers run) from the moment start subscribes, before
   * the lease exists: nothing is published then.
   */
  private out(subject: string, data: Uint8Array, headers?: MsgHdrs): boolean {
    if (!this.mayPublish()) return false;
    this.nc.publish(subject, data, headers ? { headers } : undefined);
    return true;
  }

  // ---- inputs ------------------------------------------------------------------------------

  private subscribe(): void {
    const sub = (subject: string, fn: (m: Msg) => void, queue?: string) => {
      const opts = { callback: (err: Error | null, m: Msg) => (err ? this.log.warn({ err, subject }, 'subscription error') : fn(m)) };
      this.subs.push(this.nc.subscribe(subject, queue ? { ...opts, queue } : opts));
    };
    const venues = new Set<string>();
    for (const key of this.intake.bySource.keys()) {
      const [venue, symbol] = splitSource(key);
      venues.add(venue);
      sub(subjects.book(venue, symbol), (m) => this.onBook(m));
      sub(subjects.trade(venue, symbol), (m) => this.onTrade(m));
    }
    for (const v of venues) sub(subjects.status(v), (m) => this.onStatus(m));
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
    this.intake.book(msg);
  }

  private onStatus(m: Msg): void {
    try {
      const msg = asStatusMessage(decodeJson(m.data));
      this.m.messagesIn.inc({ venue: msg.venue, kind: 'status' });
      this.intake.status(msg);
    } catch (e) {
      this.m.rejected.inc({ kind: 'status', reason: errorCode(e) });
    }
  }

  private onTrade(m: Msg): void {
    try {
      const t = asTradeMessage(decodeJson(m.data));
      this.m.messagesIn.inc({ venue: t.venue, kind: 'trade' });
      const now = this.now();
      for (const book of this.intake.bySource.get(`${t.venue}.${t.symbol}`) ?? []) {
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
    if (!this.mayPublish()) return; // fenced: a standby's answer would be of no epoch clients know
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

  /** A standby flushes too (and drops the output), so its books stay in the shape the active's are. */
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
    if (!this.out(subjects.consensusBook(msg.symbol), encode(msg))) return;
    this.m.published.inc({ kind: msg.kind === 'snapshot' ? 'book_snapshot' : 'book_delta' });
    this.m.mergeLatency.observe({ symbol: msg.symbol }, Math.max(0, now - msg.recv_ts) / 1000);
  }

  /** #16.4: a liquidation at or above LARGE_LIQUIDATION_USD is an alert of its own. */
  private onLiquidation(l: LiquidationMessage, csym: string | undefined): void {
    const a = largeLiquidationAlert(l, this.config.largeLiquidationUsd, csym);
    if (!a) return;
    // a liquidation redelivered after a takeover raises it again: the alert log keeps it once
    const h = natsHeaders();
    h.set('Nats-Msg-Id', `LARGE_LIQUIDATION:${l.id}`);
    this.publishAlert(a, h);
  }

  private publishWindow(e: WindowEvent): void {
    // only the active merger publishes (a standby decides the same windows and stays quiet)
    if (!this.out(subjects.consensusWindow(e.asset, e.marketType), encode({ v: 1, ...e }))) return;
    this.m.published.inc({ kind: e.type === 'window_open' ? 'window' : 'window_error' });
  }

  private publishAlert(a: AlertMessage, headers?: MsgHdrs): void {
    if (!this.out(subjects.consensusAlert(a.symbol), encode(a), headers)) return;
    this.m.alerts.inc({ kind: a.kind, symbol: a.symbol });
    this.m.published.inc({ kind: 'alert' });
    this.log.info({ alert: a.kind, symbol: a.symbol, venue: a.venue, detail: a.detail }, 'consensus alert');
  }

  private drainTape(csym: string): void {
    const tape = this.tapes.get(csym)!;
    for (const t of tape.drain(this.now())) {
      if (this.out(subjects.consensusTrade(csym), encode(t))) this.m.published.inc({ kind: 'trade' });
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
    this.intake.tick(now);
    for (const book of this.books.values()) {
      book.tick(now);
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
