/**
 * The firehose's view of the JetStream liquidation log. One ordered consumer follows the log
 * from where this instance started ("deliver new", pinned to a sequence so replays can meet it
 * exactly); each entry is decoded, serialized and framed once, then handed to the hub.
 *
 * The ordered consumer already resumes at the next sequence after a NATS restart. What it cannot
 * see is the log itself changing under it, so this loop also watches for: seqs that jump (the log
 * no longer holds them: GAP missing), entries that are not liquidations (GAP bad_message), and a
 * recreated stream (GAP stream_reset). Clients are told; nothing is skipped silently.
 */
import type { ConsumerMessages, JsMsg, NatsConnection, StreamInfo } from 'nats';
import { asLiquidationMessage, decodeJson, ensureLiqStream, LIQ_STREAM } from '../../libs/bus/index.js';
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
const RETRY_MAX_MS = 5_000;

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
  private created = '';
  private stopped = false;
  private running = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: LiveLogDeps) {}

  /** true while a consumer is attached to the log */
  get consuming(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    const info = await liqStreamInfo(this.deps.nc, this.deps.retentionMs, this.deps.replicas);
    this.created = info.created;
    this.received = info.state.last_seq;
    this.deps.hub.lastSeq = this.received;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        await this.followResets();
        const consumer = await this.deps.nc.jetstream().consumers.get(LIQ_STREAM, { opt_start_seq: this.received + 1 });
        const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS, abort_on_missing_resource: true });
        this.stopCurrent = () => messages.stop();
        if (this.stopped) messages.stop();
        this.running = true;
        failures = 0;
        void this.watch(messages);
        for await (const m of messages) this.onEntry(m);
      } catch (e) {
        if (this.stopped) break;
        this.deps.metrics.consumerRestarts.inc({ reason: 'error' });
        this.deps.log.warn({ err: e, after: this.received }, 'liquidation log consumer failed; retrying');
      } finally {
        this.running = false;
        this.stopCurrent = undefined;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(RETRY_MAX_MS, 100 * 2 ** failures++)));
    }
  }

  private onEntry(m: JsMsg): void {
    const seq = m.seq;
    if (seq <= this.received) return; // never twice; an ordered consumer does not go back
    const { hub, metrics } = this.deps;
    if (seq > this.received + 1) this.gap(this.received + 1, seq - 1, 'missing');
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

  private wasReset(info: StreamInfo): boolean {
    return info.created !== this.created || info.state.last_seq < this.received;
  }

  private async followResets(): Promise<void> {
    const info = await liqStreamInfo(this.deps.nc, this.deps.retentionMs, this.deps.replicas);
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
