/**
 * The merger's liquidation path: a DURABLE pull consumer on the collectors' stream
 * BOOKFUSE_VENUE_LIQ (explicit ack), deduplication by consensus id, and publication into the
 * consensus log BOOKFUSE_LIQ with Nats-Msg-Id = id. A venue liquidation is acknowledged only
 * once the log has acknowledged its consensus message, so a merger that dies, is stopped or
 * demoted leaves the rest to whoever reads the durable next, and a NATS restart loses nothing.
 *
 * Duplicates are dropped three ways: the log's duplicate window (LIQ_DUPLICATE_WINDOW_MS), the
 * merger's memory of recent ids (DEDUP_MEMORY), and, at start, the ids of the log's tail
 * (SEED_TAIL entries): a redelivery of what the previous merger published but had not yet
 * acknowledged is recognised however long the merger was away.
 *
 * One message at a time, in stream order, so the log keeps the order the collectors stored.
 * start()/stop() may be called repeatedly (an active/standby merger runs it only while active).
 */
import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerConfig, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { LIQ_STREAM, VENUE_LIQ_STREAM, asLiquidationMessage, decodeJson, encode, ensureLiqStream, ensureVenueLiqStream, mergerLiqDurable, subjects } from '../../libs/bus/index.js';
import { BookfuseError, errorCode, type LiquidationMessage } from '../../libs/core/index.js';
import { LiquidationDeduper, fnv1a, isUsdLike, owns, type ConsensusGroup, type Ownership } from '../../libs/consensus/index.js';
import type { MergerConfig } from './config.js';
import type { MergerMetrics } from './metrics.js';

export interface LiqConsumerDeps {
  nc: NatsConnection;
  log: Logger;
  metrics: MergerMetrics;
  /** the merger's lease fence, checked before every publish into the consensus log (absent: always) */
  mayPublish?: () => boolean;
  /** each liquidation once the consensus log has it (large-liquidation alerts, #16.4) */
  onPublished?: (l: LiquidationMessage, group: ConsensusGroup | undefined) => void;
}

type LiqConfig = Pick<MergerConfig, 'groups' | 'ownership' | 'liquidations' | 'liqRetentionMs' | 'liqReplicas' | 'dedupMemory'>;

const BATCH = 32;
const FETCH_EXPIRES_MS = 1000;
/** a pull that has not ended this long after its expiry is abandoned */
const FETCH_STALL_MS = 2000;
/**
 * A message not acknowledged within this long is delivered again (to us or a successor): what a
 * killed merger had fetched reaches its successor this much later. A redelivery to a merger still
 * busy with the first copy is a duplicate it drops.
 */
const ACK_WAIT_MS = 5000;
const PUBLISH_TIMEOUT_MS = 2000;
const SEED_TAIL = 2000;
/** a new durable starts this long before the consensus log's last entry (inside LIQ_DUPLICATE_WINDOW_MS) */
const NEW_DURABLE_OVERLAP_MS = 5 * 60_000;
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;

export class LiqConsumer {
  private readonly dedup: LiquidationDeduper;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private attached = false;
  /** the log's tail has been read into the deduper since start() */
  private seeded = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly config: Readonly<LiqConfig>,
    private readonly deps: LiqConsumerDeps,
  ) {
    this.dedup = new LiquidationDeduper(config.dedupMemory);
  }

  /** the durable this merger reads: one per slice of the liquidations (shard), shared by its active/standby mergers */
  get durable(): string {
    return mergerLiqDurable(durableSlice(this.config.ownership, this.config.liquidations));
  }

  /** true while attached to the durable consumer */
  get live(): boolean {
    return this.attached && !this.stopping;
  }

  /**
   * Begin reading. Resolves once attached to the durable (so the streams exist), or after
   * `waitMs` while NATS is away: attaching goes on in the background.
   */
  async start(waitMs = 3000): Promise<void> {
    if (this.loop || this.config.liquidations === 'none') return;
    this.stopping = false;
    this.seeded = false;
    this.loop = this.run().finally(() => (this.loop = undefined));
    const deadline = Date.now() + waitMs;
    while (!this.attached && !this.stopping && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Stop after the message in hand; what was fetched and not handled is handed back (nak) at once. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let consumer: Consumer | undefined;
    let failures = 0;
    while (!this.stopping && !this.deps.nc.isClosed()) {
      try {
        consumer ??= await this.attach();
        await this.fetchBatch(consumer);
        failures = 0;
      } catch (e) {
        this.attached = false;
        consumer = undefined;
        this.deps.metrics.liqConsumerRestarts.inc({ reason: errorCode(e) });
        if (failures++ === 0) this.deps.log.warn({ err: (e as Error).message, durable: this.durable }, 'liquidation consumer interrupted; attaching again');
        await this.pause(backoff(failures));
      }
    }
    this.attached = false;
  }

  /**
   * One pull. A pull whose consumer leader died with its NATS node can stay open with nothing
   * coming (no expiry status from a server that is gone): a watchdog ends it, and the caller
   * attaches again to wherever the consumer lives now.
   */
  private async fetchBatch(consumer: Consumer): Promise<void> {
    const batch = await withTimeout(consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS }), FETCH_STALL_MS, 'pull request');
    let idleSince = Date.now();
    let handling = false;
    let stalled = false;
    const dog = setInterval(() => {
      if (!handling && Date.now() - idleSince > FETCH_EXPIRES_MS + FETCH_STALL_MS) {
        stalled = true;
        batch.stop();
      }
    }, 250);
    try {
      for await (const m of batch) {
        handling = true;
        if (this.stopping) m.nak();
        else await this.handle(m);
        handling = false;
        idleSince = Date.now();
      }
    } finally {
      clearInterval(dog);
    }
    if (stalled) throw new BookfuseError('TIMEOUT', 'pull request stalled (consumer leader lost?)');
  }

  private async attach(): Promise<Consumer> {
    const { nc, log } = this.deps;
    // streams ensured and the log's tail read once per start(): a re-attach after a node loss
    // only finds the consumer again (JetStream API calls stall while a cluster elects leaders)
    if (!this.seeded) {
      const r = await ensureVenueLiqStream(nc, { replicas: this.config.liqReplicas });
      if (r.problem) log.warn({ stream: VENUE_LIQ_STREAM, problem: r.problem }, 'stream replicas not as configured');
      await ensureLiqStream(nc, { maxAgeMs: this.config.liqRetentionMs, replicas: this.config.liqReplicas });
      await this.seedFromLog();
      this.seeded = true;
    }
    const jsm = await nc.jetstreamManager();
    const durable = this.durable;
    try {
      await jsm.consumers.info(VENUE_LIQ_STREAM, durable);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      await jsm.consumers.add(VENUE_LIQ_STREAM, { durable_name: durable, ...(await newDurableStart(jsm)), ack_policy: AckPolicy.Explicit, ack_wait: ACK_WAIT_MS * 1_000_000, max_ack_pending: 10 * BATCH, num_replicas: 0 /* as the stream */ });
      log.info({ durable }, 'liquidation durable created');
    }
    const consumer = await nc.jetstream().consumers.get(VENUE_LIQ_STREAM, durable);
    this.attached = true;
    log.info({ durable }, 'liquidation consumer attached');
    return consumer;
  }

  /** Remember the ids at the end of the consensus log, so a redelivery of what we published last is a duplicate. */
  private async seedFromLog(): Promise<void> {
    const jsm = await this.deps.nc.jetstreamManager();
    const { state } = await jsm.streams.info(LIQ_STREAM);
    if (state.messages === 0) return;
    const from = Math.max(state.first_seq, state.last_seq - SEED_TAIL + 1);
    const seqs = Array.from({ length: state.last_seq - from + 1 }, (_, i) => from + i);
    for (let i = 0; i < seqs.length; i += 100) {
      const got = await Promise.all(seqs.slice(i, i + 100).map((seq) => jsm.streams.getMessage(LIQ_STREAM, { seq }).catch(() => undefined)));
      for (const sm of got) {
        const id = sm?.header?.get('Nats-Msg-Id');
        if (id) this.dedup.commit(id);
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const { metrics } = this.deps;
    if (m.redelivered) metrics.liqRedeliveries.inc();
    let l: LiquidationMessage;
    try {
      l = asLiquidationMessage(decodeJson(m.data));
    } catch (e) {
      metrics.rejected.inc({ kind: 'liq', reason: errorCode(e) });
      m.term('not a liquidation message');
      return;
    }
    metrics.messagesIn.inc({ venue: l.venue, kind: 'liq' });
    const group = groupOf(this.config.groups, l.venue, l.symbol);
    if (!ownsLiquidation(this.config, group, `${l.venue}.${l.symbol}`)) {
      m.ack();
      return;
    }
    const out = this.dedup.prepare(l, group !== undefined && isUsdLike(group.symbol.split('-')[1] ?? ''));
    if (out === null) {
      metrics.duplicates.inc({ kind: 'liq' });
      m.ack();
      return;
    }
    if (!(await this.publish(out))) {
      m.nak(); // stopping: the next reader of the durable publishes it
      return;
    }
    this.dedup.commit(out);
    m.ack();
    this.deps.onPublished?.(out, group);
  }

  /** Publish into the consensus log until it acknowledges (true), or until stop (false). */
  private async publish(out: LiquidationMessage): Promise<boolean> {
    const js = this.deps.nc.jetstream();
    const data = encode(out);
    for (let attempt = 0; ; attempt++) {
      // fenced: a merger that lost its lease hands the message back (nak) to the next reader
      if (this.deps.mayPublish && !this.deps.mayPublish()) return false;
      try {
        const ack = await js.publish(subjects.consensusLiq(), data, { msgID: out.id, timeout: PUBLISH_TIMEOUT_MS });
        if (ack.duplicate) this.deps.metrics.duplicates.inc({ kind: 'liq' });
        else this.deps.metrics.published.inc({ kind: 'liq' });
        return true;
      } catch (e) {
        this.deps.metrics.liqPublishRetries.inc({ reason: errorCode(e) });
        if (attempt === 0) this.deps.log.warn({ err: (e as Error).message, id: out.id }, 'consensus log did not acknowledge a liquidation; retrying');
        if (this.stopping || this.deps.nc.isClosed()) return false;
        await this.pause(backoff(attempt + 1));
        if (this.stopping) return false;
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.wake = () => {
        clearTimeout(t);
        r();
      };
    });
  }
}

/**
 * Where a new durable (first start, or a new shard layout) begins. On a fresh system (an empty
 * consensus log) at the stream's first message: what the collectors stored before any merger
 * ran. Otherwise NEW_DURABLE_OVERLAP_MS before the log's last entry: what came earlier was
 * published by the consumers this one replaces, and the overlap is inside the log's duplicate
 * window, so it is dropped there rather than published twice.
 */
async function newDurableStart(jsm: JetStreamManager): Promise<Partial<ConsumerConfig>> {
  const { state } = await jsm.streams.info(LIQ_STREAM);
  if (state.messages === 0) return { deliver_policy: DeliverPolicy.All };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(Date.parse(state.last_ts) - NEW_DURABLE_OVERLAP_MS).toISOString() };
}

function isNotFound(e: unknown): boolean {
  const err = e as { code?: string; api_error?: { err_code?: number } };
  return err.code === '404' || err.api_error?.err_code === 10014;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BookfuseError('TIMEOUT', `${what} did not answer within ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function backoff(failures: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(failures, 5));
}

/** `all`, `shard-0-of-2`, `symbols-<fnv1a>`; merged with the liquidation duty when it is `all` (every merger publishes every one). */
export function durableSlice(o: Ownership, duty: MergerConfig['liquidations']): string {
  const slice = o.kind === 'all' ? 'all' : o.kind === 'shard' ? `shard-${o.index}-of-${o.count}` : `symbols-${fnv1a([...o.symbols].sort().join(',')).toString(16)}`;
  return duty === 'all' && o.kind !== 'all' ? `every-${slice}` : slice;
}

function groupOf(groups: readonly ConsensusGroup[], venue: string, symbol: string): ConsensusGroup | undefined {
  return groups.find((g) => g.members.some((mem) => mem.venue === venue && mem.symbol === symbol));
}

function ownsLiquidation(config: Readonly<LiqConfig>, group: ConsensusGroup | undefined, source: string): boolean {
  if (config.liquidations === 'all') return true;
  if (group !== undefined) return owns(config.ownership, group.symbol);
  return config.ownership.kind === 'shard' ? owns(config.ownership, source) : true;
}
