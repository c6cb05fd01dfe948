/**
 * Durable hand-off of liquidations: each one is published into the JetStream stream
 * BOOKFUSE_VENUE_LIQ (on its usual subject `bookfuse.v1.liq.<venue>.<SYM>`, so core subscribers
 * still see it) with `Nats-Msg-Id` = `<venue>:<id>`, and stays in a bounded FIFO until the stream
 * acknowledges it. While NATS (or JetStream) is away the FIFO fills and the head is retried with
 * backoff; when full, the oldest is dropped and counted. One publish is in flight at a time, so
 * the stream stores liquidations in the order the venue sent them; a retry the stream already
 * holds is dropped by it as a duplicate (its duplicate window).
 */
import type { JetStreamClient, NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { encode, ensureVenueLiqStream, subjects } from '../../libs/bus/index.js';
import type { LiquidationMessage } from '../../libs/core/index.js';
import { consensusLiquidationId } from '../../libs/consensus/index.js';
import type { CollectorMetrics } from './metrics.js';

export interface LiqPublisherOptions {
  /** liquidations held while unacknowledged; over it the oldest is dropped */
  capacity: number;
  /** LIQ_REPLICAS */
  replicas: number;
  /** how long one publish waits for the stream's ack */
  ackTimeoutMs: number;
}

interface Pending {
  subject: string;
  msgId: string;
  data: Uint8Array;
  venue: string;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 2000;
/** consecutive "no responders" answers (~10 s of retries) before the stream is ensured again */
const NO_RESPONDERS_BEFORE_ENSURE = 10;

export class LiqPublisher {
  private readonly queue: Pending[] = [];
  private head = 0;
  private readonly js: JetStreamClient;
  private pumping = false;
  private stopped = false;
  private streamReady = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: LiqPublisherOptions,
    private readonly log: Logger,
    private readonly m: CollectorMetrics,
  ) {
    this.js = nc.jetstream();
  }

  /** liquidations waiting for the stream's ack */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  get capacity(): number {
    return this.opts.capacity;
  }

  publish(msg: LiquidationMessage): void {
    if (this.stopped) return;
    if (this.buffered >= this.opts.capacity) {
      this.head++; // the oldest goes: the newest are worth more to a live feed
      this.m.liqDropped.inc({ venue: this.queue[this.head - 1]!.venue });
      this.log.warn({ capacity: this.opts.capacity }, 'liquidation buffer full: dropped the oldest');
    }
    this.queue.push({ subject: subjects.liq(msg.venue, msg.symbol), msgId: consensusLiquidationId(msg.venue, msg.id), data: encode(msg), venue: msg.venue });
    this.m.liqBuffered.set(this.buffered);
    if (!this.pumping) void this.pump();
  }

  /** Wait (at most `ms`) for the buffer to drain, e.g. before a graceful exit. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.buffered > 0 && Date.now() < deadline && !this.nc.isClosed()) await new Promise((r) => setTimeout(r, 20));
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.wake?.();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    let failures = 0;
    let noResponders = 0;
    try {
      while (!this.stopped && this.buffered > 0 && !this.nc.isClosed()) {
        const p = this.queue[this.head]!;
        try {
          if (!this.streamReady) await this.ensureStream();
          await this.js.publish(p.subject, p.data, { msgID: p.msgId, timeout: this.opts.ackTimeoutMs });
          this.m.liqStored.inc({ venue: p.venue });
          failures = 0;
          // the head may have been dropped for overflow meanwhile: only advance past what was sent
          if (this.queue[this.head] === p) this.head++;
          this.compact();
          this.m.liqBuffered.set(this.buffered);
        } catch (e) {
          const code = (e as { code?: string }).code;
          // No responders: the stream's leader is being elected after a node loss (seconds), or
          // there is no stream at all (a NATS that lost its store). Only a long run of them is
          // worth the JetStream API calls that re-create it, which stall during an election.
          noResponders = code === '503' ? noResponders + 1 : 0;
          if (noResponders >= NO_RESPONDERS_BEFORE_ENSURE) {
            this.streamReady = false;
            noResponders = 0;
          }
          this.m.liqRetries.inc({ venue: p.venue, reason: code === '503' ? 'no_stream' : code === 'TIMEOUT' ? 'timeout' : 'error' });
          const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(failures++, 5));
          if (failures === 1) this.log.warn({ err: (e as Error).message, buffered: this.buffered }, 'liquidation not acknowledged by JetStream; holding and retrying');
          await new Promise<void>((r) => {
            this.wake = r;
            this.retryTimer = setTimeout(r, delay);
          });
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private async ensureStream(): Promise<void> {
    const r = await ensureVenueLiqStream(this.nc, { replicas: this.opts.replicas });
    if (r.problem) this.log.warn({ stream: 'BOOKFUSE_VENUE_LIQ', problem: r.problem }, 'liquidation stream replicas not as configured');
    this.streamReady = true;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
