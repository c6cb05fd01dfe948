/**
 * The firehose's view of the JetStream liquidation log. One consumer follows the log in order
 * from where this instance started ("deliver new", pinned to a sequence so replays can meet it
 * exactly); each entry is decoded, serialized and framed once, then handed to the hub.
 *
 * The consumer resumes at the next sequence after a NATS restart. What it cannot see is the log
 * itself changing under it, so this loop also watches for: seqs that jump (the log no longer
 * holds them: GAP missing), entries that are not liquidations (GAP bad_message), and a recreated
 * stream (GAP stream_reset). Clients are told; nothing is skipped silently.
 *
 * On a NATS cluster the consumer lives on one node. nats.js's own ordered consumer recovers from
 * that node's death only after 5–10 s or not at all (2.29, kill -9 of a node: it retries its
 * re-creation on the pull expiry, or hangs with no error). So the ordering is done here: a plain
 * ephemeral consumer (no acks, the stream's replicas, so it survives a node) from received + 1, and
 * one that is gone or stalled — entries in the stream that have not reached us for STALL_MS — is
 * replaced by a fresh consumer at received + 1.
 */
import type { Consumer, ConsumerMessages, JsMsg, NatsConnection, StreamInfo } from 'nats';
import { asLiquidationMessage, decodeJson, DeliveryCount, ensureLiqStream, LIQ_STREAM, readerConsumer } from '../../libs/bus/index.js';
import { RetryLoop, seqStep } from '../../libs/core/index.js';
import type { Logger } from '../../libs/obs/index.js';
import { textFrame } from '../../libs/ws/index.js';
import type { FeedConnection } from './connection.js';
import type { Hub, HubItem } from './hub.js';
import type { FirehoseMetrics } from './metrics.js';
import { gapPayload, liquidationPayload, type GapReason } from './payload.js';

/** How many entries the consumer pulls ahead; a batch of this size is one hub turn at most. */
export const PULL_BATCH = 1_024;
/** Pull expiry: heartbeats come every half of it, so a dead server is noticed within this. */
const PULL_EXPIRES_MS = 5_000;
const RETRY_MAX_MS = 1_000;
/** JetStream API calls during a node loss fail fast and are retried rather than waited on */
const API_TIMEOUT_MS = 2_000;
/**
 * the stream has entries past ours and none has arrived for this long, on two checks in a row: the
 * consumer is stuck. Longer than a consumer leader election (the consumer has the stream's
 * replicas and recovers by itself; replacing it needs the meta leader, which may be the one lost)
 */
export const STALL_MS = 4_000;
const STALL_CHECK_MS = 500;
/** consumer statuses after which it cannot be trusted to deliver again */
const DEAD_CONSUMER = new Set(['consumer_not_found', 'consumer_deleted']);

/** A log entry as a hub item, or undefined when it is not a valid liquidation. */
export function decodeEntry(m: JsMsg): HubItem | undefined {
  let liq;
  try {
    liq = asLiquidationMessage(decodeJson(m.data));
  } catch {
    return undefined;
  }
  return { seq: m.seq, frame: textFrame(liquidationPayload(liq, m.seq)), symbol: liq.symbol, venue: liq.venue, publishedMs: m.info.timestampNanos / 1e6 };
}

export function gapItem(fromSeq: number, toSeq: number, reason: GapReason): HubItem {
  return { seq: toSeq, frame: textFrame(gapPayload(fromSeq, toSeq, reason)) };
}

/** Stream info, creating the stream when the merger has not yet (it is idempotent). */
export async function liqStreamInfo(nc: NatsConnection, retentionMs: number, replicas = 1): Promise<StreamInfo> {
  const jsm = await nc.jetstreamManager();
  try {
    return await jsm.streams.info(LIQ_STREAM);
  } catch {
    await ensureLiqStream(nc, { maxAgeMs: retentionMs, replicas });
    return jsm.streams.info(LIQ_STREAM);
  }
}

/**
 * A consumer delivering the log from `startSeq`, with as many replicas as the stream, said
 * explicitly: it outlives the loss of a node, so nothing needs the meta leader (itself possibly on
 * the lost node) to re-create it.
 */
export function logConsumer(nc: NatsConnection, startSeq: number, replicas: number): Promise<Consumer> {
  return readerConsumer(nc, LIQ_STREAM, { opt_start_seq: startSeq }, { replicas, apiTimeoutMs: API_TIMEOUT_MS });
}

export interface LiveLogDeps {
  nc: NatsConnection;
  hub: Hub<FeedConnection>;
  log: Logger;
  metrics: FirehoseMetrics;
  retentionMs: number;
  /** LIQ_REPLICAS, used only when the firehose creates the log */
  replicas?: number;
  /** a replaying client whose log was reset under it */
  onReplayBroken(conn: FeedConnection): void;
}

export class LiveLog {
  /** last seq read from the log (handed to the hub, possibly not yet fanned out) */
  private received = 0;
  private lastEntryAt = 0;
  /** the stream's replicas, which its consumer gets too */
  private replicas = 1;
  /** `received` when a stall was first suspected */
  private suspect: number | undefined;
  private current: ConsumerMessages | undefined;
  private created = '';
  private running = false;
  private readonly loop: RetryLoop;

  constructor(private readonly deps: LiveLogDeps) {
    this.loop = new RetryLoop((running) => this.follow(running), {
      maxDelayMs: RETRY_MAX_MS,
      onError: (e) => {
        deps.metrics.consumerRestarts.inc({ reason: 'error' });
        deps.log.warn({ err: e, after: this.received }, 'liquidation log consumer failed; retrying');
      },
    });
  }

  /** true while a consumer is attached to the log and not suspected stalled (readiness reads it) */
  get consuming(): boolean {
    return this.running && this.suspect === undefined;
  }

  async start(): Promise<void> {
    const info = await liqStreamInfo(this.deps.nc, this.deps.retentionMs, this.deps.replicas);
    this.created = info.created;
    this.received = info.state.last_seq;
    this.deps.hub.lastSeq = this.received;
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One consumer from received + 1, until it ends, fails or is replaced (the loop starts the next). */
  private async follow(running: (stop: () => void) => void): Promise<void> {
    await this.followResets();
    const consumer = await logConsumer(this.deps.nc, this.received + 1, this.replicas);
    const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS, abort_on_missing_resource: true });
    running(() => messages.stop());
    this.running = true;
    this.lastEntryAt = Date.now();
    this.current = messages;
    void this.watch(messages);
    const guard = setInterval(() => void this.checkStall(messages), STALL_CHECK_MS);
    const count = new DeliveryCount();
    try {
      for await (const m of messages) {
        // lost deliveries are still in the log: read them again from a fresh consumer rather than
        // tell clients they are missing
        const skip = count.skipBefore(m);
        if (skip) throw skip;
        this.onEntry(m);
      }
    } finally {
      this.running = false;
      clearInterval(guard);
      messages.stop();
      void consumer.delete().catch(() => undefined);
    }
  }

  private onEntry(m: JsMsg): void {
    const seq = m.seq;
    this.lastEntryAt = Date.now();
    const step = seqStep(this.received, seq);
    if (step === 'duplicate') return; // never twice: a replaced consumer starts after what was read
    const { hub, metrics } = this.deps;
    if (step === 'gap') this.gap(this.received + 1, seq - 1, 'missing');
    this.received = seq;
    const item = decodeEntry(m);
    if (item) {
      metrics.eventsIn.inc();
      hub.push(item);
    } else {
      metrics.badEvents.inc();
      this.deps.log.warn({ seq }, 'log entry is not a valid liquidation');
      this.gap(seq, seq, 'bad_message');
    }
  }

  private gap(from: number, to: number, reason: GapReason): void {
    this.deps.metrics.gaps.inc({ reason });
    this.deps.log.warn({ from_seq: from, to_seq: to, reason }, 'gap in the liquidation log');
    this.deps.hub.push(gapItem(from, to, reason));
  }

  /** On consumer trouble, look whether the stream itself was recreated; if so restart on it. */
  private async watch(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const s of await messages.status()) {
        if (s.type === 'debug' || s.type === 'next' || s.type === 'discard') continue;
        if (DEAD_CONSUMER.has(s.type)) return this.replace(messages, s.type);
        const info = await liqStreamInfo(this.deps.nc, this.deps.retentionMs, this.deps.replicas).catch(() => undefined);
        if (info && this.wasReset(info)) {
          this.deps.metrics.consumerRestarts.inc({ reason: 'stream_reset' });
          messages.stop();
        }
      }
    } catch {
      // the status feed ends with the consumer
    }
  }

  /** Entries in the stream past ours, none delivered for STALL_MS: the consumer is stuck. */
  private async checkStall(messages: ConsumerMessages): Promise<void> {
    if (Date.now() - this.lastEntryAt < STALL_MS) return void (this.suspect = undefined);
    // a look fails fast and creates nothing: while the cluster elects, looks time out, and with
    // the default 5 s timeout and a stream re-creation after each, the looks begun every
    // STALL_CHECK_MS piled up on the recovering nodes (with 2 s, at most four are in flight; one
    // begun after the election answers at once, so the looks are not made to wait for each other)
    const info = await this.deps.nc
      .jetstreamManager({ timeout: API_TIMEOUT_MS, checkAPI: false })
      .then((jsm) => jsm.streams.info(LIQ_STREAM))
      .catch(() => undefined);
    if (!info || info.state.last_seq <= this.received || Date.now() - this.lastEntryAt < STALL_MS) return void (this.suspect = undefined);
    if (this.suspect === this.received) this.replace(messages, 'stalled');
    else this.suspect = this.received;
  }

  private replace(messages: ConsumerMessages, why: string): void {
    if (this.current !== messages) return;
    this.current = undefined;
    this.suspect = undefined;
    this.deps.metrics.consumerRestarts.inc({ reason: 'stalled' });
    this.deps.log.warn({ after: this.received, why }, 'liquidation log consumer stalled; starting a fresh one');
    messages.stop();
  }

  private wasReset(info: StreamInfo): boolean {
    return info.created !== this.created || info.state.last_seq < this.received;
  }

  private async followResets(): Promise<void> {
    const info = await liqStreamInfo(this.deps.nc, this.deps.retentionMs, this.deps.replicas);
    this.replicas = info.config.num_replicas;
    if (!this.wasReset(info)) return;
    const { hub, log, metrics } = this.deps;
    const from = this.received + 1;
    // the new log is read from its start: those entries were never sent to anyone
    const restart = Math.max(0, info.state.first_seq - 1);
    log.warn({ old_last_seq: this.received, new_first_seq: info.state.first_seq }, 'liquidation stream was recreated; following the new log');
    metrics.gaps.inc({ reason: 'stream_reset' });
    this.created = info.created;
    this.received = restart;
    hub.resetLog(restart, textFrame(gapPayload(from, null, 'stream_reset')), this.deps.onReplayBroken);
  }
}
