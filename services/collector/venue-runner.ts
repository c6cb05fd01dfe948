/**
 * One venue inside the collector: metadata → instruments → engine → sockets, and the engine's
 * outputs onto NATS. All venue knowledge stays in the adapter; all book logic in the engine.
 */
import type { NatsConnection } from 'nats';
import type { Logger } from 'pino';
import type { CounterCell, HistogramCell } from '../../libs/obs/index.js';
import { backoffDelayMs as backoffDelay, BookfuseError, isBookfuseError, msOfUs, nowMs, nowUs, type BookMessage, type Instrument, type StatusMessage, type SymbolStatus, type VenueState } from '../../libs/core/index.js';
import { encode, subjects } from '../../libs/bus/index.js';
import { type ConnectionSpec, type VenueAdapter, VenueEngine, type EngineOutput, Feed, RestClient, fetchMetadataBodies } from '../../libs/venues/index.js';
import type { CollectorMetrics } from './metrics.js';
import type { LiqPublisher } from './liq-publisher.js';
import type { VenueRunConfig } from './config.js';

export interface VenueRunnerDeps {
  nc: NatsConnection;
  log: Logger;
  metrics: CollectorMetrics;
  /** the durable path of liquidations (JetStream, buffered until acknowledged) */
  liqs: LiqPublisher;
}

export interface VenueRunnerOptions {
  bases: string[];
  quotes: string[];
  depth: number;
  /** the collector line stamped on every message (absent: none) */
  line?: string;
}

export class VenueRunner {
  readonly venue: string;
  private engine: VenueEngine | undefined;
  private feeds: { spec: ConnectionSpec; feed: Feed }[] = [];
  private readonly rest: RestClient;
  private readonly wsBase: string;
  private readonly pendingSnapshots = new Set<string>();
  private readonly snapshotAttempts = new Map<string, number>();
  private readonly bySymbol = new Map<string, string>();
  private stopped = false;
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | undefined;
  /** µs receive time of the frame being handled, for the recv_us of what it produces */
  private frameRecvUs: number | undefined;
  /** this venue's label sets of the per-frame metrics, resolved once */
  private readonly framesIn: CounterCell;
  private readonly venueLatency: HistogramCell;
  private readonly publishLatency: HistogramCell;
  private readonly messagesOut = new Map<string, CounterCell>();

  constructor(
    private readonly adapter: VenueAdapter<unknown>,
    private readonly cfg: VenueRunConfig,
    private readonly opts: VenueRunnerOptions,
    private readonly deps: VenueRunnerDeps,
  ) {
    this.venue = adapter.id;
    this.framesIn = deps.metrics.framesIn.cell({ venue: this.venue });
    this.venueLatency = deps.metrics.venueLatency.cell({ venue: this.venue });
    this.publishLatency = deps.metrics.publishLatency.cell({ venue: this.venue });
    this.wsBase = cfg.wsUrl ?? adapter.defaults.wsBaseUrl;
    this.rest = new RestClient({ baseUrl: cfg.restUrl ?? adapter.defaults.restBaseUrl, weightPerMinute: adapter.defaults.restWeightPerMinute });
  }

  /** Resolves once metadata is loaded and sockets are opening; retries metadata with backoff. */
  async start(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        const instruments = await this.loadInstruments();
        this.begin(instruments);
        return;
      } catch (e) {
        const delay = backoffDelay(attempt++);
        this.deps.log.warn({ venue: this.venue, err: (e as Error).message, delay_ms: delay }, 'instrument metadata failed; retrying');
        await new Promise((r) => (this.retryTimer = setTimeout(r, delay)));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const f of this.feeds) f.feed.stop();
  }

  get instruments(): Instrument[] {
    return this.engine ? [...this.engine.books.values()].map((b) => b.instrument) : [];
  }

  /** The current book for a canonical symbol, for snapshot requests. */
  snapshot(symbol: string): BookMessage | null {
    const vs = this.bySymbol.get(symbol);
    const snap = vs && this.engine ? this.engine.snapshotOf(vs, Date.now()) : null;
    if (snap && this.opts.line) snap.line = this.opts.line;
    return snap;
  }

  status(): StatusMessage {
    const symbols: Record<string, SymbolStatus> = {};
    let live = 0;
    let total = 0;
    let resyncing = 0;
    for (const [, e] of this.engine?.books ?? []) {
      total++;
      if (e.state === 'live') live++;
      if (e.state === 'resyncing') resyncing++;
      const s: SymbolStatus = { state: e.state, seq: e.seq, last_msg_ts: Math.floor(e.lastMsgTs), resyncs: e.resyncs, convertible: e.instrument.conversion !== null };
      if (!e.instrument.conversion && e.instrument.notConvertible) s.reason = e.instrument.notConvertible;
      symbols[e.instrument.symbol] = s;
    }
    const bookFeedsDown = this.feeds.some((f) => f.spec.books && !f.feed.isOpen);
    let state: VenueState;
    if (!this.everConnected) state = 'connecting';
    else if (bookFeedsDown) state = 'down';
    else if (live === total && total > 0) state = 'live';
    else state = resyncing > 0 ? 'resyncing' : 'connecting';
    const msg: StatusMessage = { v: 1, venue: this.venue, state, symbols, ts: Date.now() };
    if (this.opts.line) msg.line = this.opts.line;
    msg.capabilities = { liquidations: this.adapter.liquidations.supported };
    if (this.adapter.liquidations.note) msg.capabilities.note = this.adapter.liquidations.note;
    return msg;
  }

  private async loadInstruments(): Promise<Instrument[]> {
    const bodies = await fetchMetadataBodies(this.adapter, (r) => this.rest.request(r));
    const all = this.adapter.parseInstruments(bodies);
    const chosen = this.choose(all);
    if (chosen.length === 0) throw new BookfuseError('UNKNOWN_SYMBOL', `no instrument matches bases ${this.opts.bases.join(',')} on ${this.venue}`);
    return chosen;
  }

  /** Explicit venue symbols win; else the first quote in preference order for each base. */
  private choose(all: Instrument[]): Instrument[] {
    if (this.cfg.symbols?.length) {
      const missing = this.cfg.symbols.filter((s) => !all.some((i) => i.venueSymbol === s));
      if (missing.length) this.deps.log.warn({ venue: this.venue, missing }, 'configured symbols not listed by the venue');
      return all.filter((i) => this.cfg.symbols!.includes(i.venueSymbol));
    }
    const out: Instrument[] = [];
    for (const base of this.opts.bases) {
      for (const q of this.opts.quotes) {
        const hit = all.find((i) => i.base === base && i.quote === q);
        if (hit) {
          out.push(hit);
          break;
        }
      }
    }
    return out;
  }

  private begin(instruments: Instrument[]): void {
    const engine = new VenueEngine(this.adapter, instruments, { depth: this.opts.depth });
    this.engine = engine;
    for (const i of instruments) {
      engine.track(i.venueSymbol);
      this.bySymbol.set(i.symbol, i.venueSymbol);
      this.deps.metrics.bookState.set({ venue: this.venue, symbol: i.symbol }, 0);
    }
    this.deps.log.info({ venue: this.venue, instruments: instruments.map((i) => `${i.venueSymbol}→${i.symbol}`) }, 'collecting');
    for (const spec of this.adapter.connections(instruments, { depth: this.opts.depth })) {
      const url = /^wss?:\/\//.test(spec.path) ? spec.path : `${this.wsBase}${spec.path}`;
      const feed = new Feed({
        url,
        subscribe: spec.subscribe,
        heartbeat: spec.heartbeat,
        silenceMs: this.cfg.silenceMs ?? this.adapter.defaults.silenceMs,
        ...(this.adapter.defaults.maxConnectionMs ? { maxLifetimeMs: this.adapter.defaults.maxConnectionMs - 10 * 60_000 } : {}),
        log: this.deps.log,
        onOpen: () => {
          this.everConnected = true;
          if (spec.books) this.handle(engine.onConnect(spec.symbols), spec);
        },
        onFrame: (text, recvTs, recvUs) => this.onFrame(engine, spec, text, recvTs, recvUs),
        onClose: (reason) => {
          this.deps.metrics.reconnects.inc({ venue: this.venue, reason });
          if (spec.books) {
            for (const s of spec.symbols) this.pendingSnapshots.delete(s);
            this.handle(engine.onDisconnect(spec.symbols), spec);
          }
        },
      });
      this.feeds.push({ spec, feed });
      feed.start();
    }
  }

  /** One venue text frame: everything the collector does with it (bench/collector-frames.ts drives this). */
  private onFrame(engine: VenueEngine, spec: ConnectionSpec, text: string, recvTs: number, recvUs: number): void {
    this.framesIn.inc();
    this.frameRecvUs = recvUs;
    this.handle(engine.onFrame(text, recvTs), spec);
    this.frameRecvUs = undefined;
  }

  private handle(outputs: EngineOutput[], spec: ConnectionSpec): void {
    for (const o of outputs) {
      switch (o.type) {
        case 'book':
          this.publishBook(o.msg);
          break;
        case 'trade':
          this.publish(subjects.trade(this.venue, o.msg.symbol), o.msg, 'trade');
          break;
        case 'liq':
          this.stamp(o.msg, 'liq');
          this.deps.liqs.publish(o.msg);
          break;
        case 'fetch-snapshot':
          this.fetchSnapshot(o.venueSymbol);
          break;
        case 'resubscribe': {
          const conn = this.feeds.find((f) => f.spec.books && f.spec.symbols.includes(o.venueSymbol));
          if (conn) for (const frame of this.adapter.resubscribe(conn.spec, o.venueSymbol)) conn.feed.send(frame);
          break;
        }
        case 'reconnect':
          for (const f of this.feeds) if (f.spec === spec) f.feed.restart('VENUE_RECONNECT');
          break;
        case 'problem':
          this.deps.metrics.problems.inc({ venue: this.venue, code: o.code });
          if (o.code === 'CHECKSUM_MISMATCH') this.deps.metrics.checksumFailures.inc({ venue: this.venue });
          if (['SEQUENCE_GAP', 'CHECKSUM_MISMATCH', 'CROSSED_BOOK', 'STALE_SNAPSHOT', 'BOOK_RESET'].includes(o.code)) {
            this.deps.metrics.resyncs.inc({ venue: this.venue, reason: o.code });
          }
          this.deps.log.warn({ venue: this.venue, code: o.code, symbol: o.venueSymbol, detail: o.detail.slice(0, 300) }, 'venue problem');
          break;
        case 'drift':
          this.deps.metrics.schemaDrift.inc({ venue: this.venue, field: o.field, kind: o.kind });
          if (o.first) this.deps.log.warn({ venue: this.venue, field: o.field, kind: o.kind }, 'venue schema drift (first occurrence)');
          break;
        case 'state': {
          const inst = this.engine?.books.get(o.venueSymbol)?.instrument;
          if (inst) this.deps.metrics.bookState.set({ venue: this.venue, symbol: inst.symbol }, o.state === 'live' ? 1 : 0);
          break;
        }
      }
    }
  }

  private publishBook(msg: BookMessage): void {
    this.venueLatency.observe(Math.max(0, msg.recv_ts - msg.ts) / 1000);
    this.publish(subjects.book(this.venue, msg.symbol), msg, 'book');
  }

  private publish(subject: string, msg: { recv_ts: number; recv_us?: number; pub_ts?: number; pub_us?: number; line?: string }, kind: string): void {
    this.stamp(msg, kind);
    this.deps.nc.publish(subject, encode(msg));
  }

  private stamp(msg: { recv_ts: number; recv_us?: number; pub_ts?: number; pub_us?: number; line?: string }, kind: string): void {
    if (this.opts.line) msg.line = this.opts.line;
    const us = nowUs();
    msg.pub_ts = msOfUs(us);
    msg.pub_us = us;
    // the µs twin of recv_ts exists only for what the frame being handled produced
    if (this.frameRecvUs !== undefined && msOfUs(this.frameRecvUs) === msg.recv_ts) msg.recv_us = this.frameRecvUs;
    this.messagesOutCell(kind).inc();
    this.publishLatency.observe(Math.max(0, us - (msg.recv_us ?? msg.recv_ts * 1000)) / 1e6);
  }

  private messagesOutCell(kind: string): CounterCell {
    let c = this.messagesOut.get(kind);
    if (!c) this.messagesOut.set(kind, (c = this.deps.metrics.messagesOut.cell({ venue: this.venue, subject: kind })));
    return c;
  }

  /** One REST snapshot in flight per symbol, through the venue's shared weight budget. */
  private fetchSnapshot(venueSymbol: string): void {
    if (this.pendingSnapshots.has(venueSymbol) || this.stopped || !this.adapter.snapshotRequest) return;
    this.pendingSnapshots.add(venueSymbol);
    const req = this.adapter.snapshotRequest(venueSymbol, this.opts.depth);
    this.rest
      .request(req)
      .then((body) => {
        this.pendingSnapshots.delete(venueSymbol);
        this.snapshotAttempts.delete(venueSymbol);
        this.deps.metrics.snapshotsFetched.inc({ venue: this.venue, result: 'ok' });
        const spec = this.feeds.find((f) => f.spec.books && f.spec.symbols.includes(venueSymbol))?.spec;
        if (spec && this.engine) this.handle(this.engine.onSnapshot(venueSymbol, body, nowMs()), spec);
      })
      .catch((e: unknown) => {
        this.pendingSnapshots.delete(venueSymbol);
        this.deps.metrics.snapshotsFetched.inc({ venue: this.venue, result: isBookfuseError(e) ? e.code : 'error' });
        const attempt = this.snapshotAttempts.get(venueSymbol) ?? 0;
        this.snapshotAttempts.set(venueSymbol, attempt + 1);
        const delay = backoffDelay(attempt);
        this.deps.log.warn({ venue: this.venue, symbol: venueSymbol, err: (e as Error).message, delay_ms: delay }, 'snapshot failed; retrying');
        setTimeout(() => {
          const entry = this.engine?.books.get(venueSymbol);
          if (entry && entry.state !== 'live' && entry.state !== 'down') this.fetchSnapshot(venueSymbol);
        }, delay);
      });
  }
}
