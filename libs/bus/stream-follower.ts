/**
 * Reading a JetStream stream in order, for ever: `prepare` (find or create the stream, learn
 * where to start), then every entry in order to `onEntry`; on any failure wait (100 ms doubling to
 * 5 s) and start again where `start()` says (normally right after the last entry read).
 *
 * The consumer is a plain ephemeral one made here (`readerConsumer`), not nats.js's ordered
 * consumer: that one re-creates itself in the background after a reconnect, and a re-creation
 * that meets a draining connection rejects where no caller can catch it (an unhandled
 * CONNECTION_DRAINING ended a gateway's test run), or retries for ever on a closed one. Here a
 * missing consumer or a skipped delivery ends the attempt, and RetryLoop starts a fresh consumer
 * after the last entry read, so every retry is ours and every error is reported.
 */
import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerConfig, type JsMsg, type NatsConnection } from 'nats';
import { RetryLoop } from '../core/index.js';

const RETRY_MAX_MS = 5_000;
const PULL_BATCH = 256;
/** pull expiry: heartbeats come every half of it, so a dead server is noticed within this */
const PULL_EXPIRES_MS = 5_000;
/** a consumer whose reader is gone (with its process or its node) is removed after this */
const INACTIVE_THRESHOLD_MS = 10_000;

/** Where a reader starts: right after what it has, or at the newest entry of every subject. */
export type ReaderStart = { opt_start_seq: number } | { deliver_policy: DeliverPolicy.LastPerSubject };

export interface ReaderConsumerOptions {
  /** the stream's replicas; an ephemeral consumer left at 0 is placed on one node only */
  replicas: number;
  /** JetStream API timeout (a cluster losing a node fails fast and is retried) */
  apiTimeoutMs?: number;
}

/** A consumer delivering `stream` in order from `start`, each entry once, no acks. */
export async function readerConsumer(nc: NatsConnection, stream: string, start: ReaderStart, opts: ReaderConsumerOptions): Promise<Consumer> {
  const timeout = opts.apiTimeoutMs === undefined ? {} : { timeout: opts.apiTimeoutMs };
  const from: Partial<ConsumerConfig> =
    'opt_start_seq' in start
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, start.opt_start_seq) }
      : // the server wants a filter with last-per-subject; '>' is every subject of the stream
        { deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: '>' };
  const jsm = await nc.jetstreamManager(timeout);
  const ci = await jsm.consumers.add(stream, {
    ...from,
    ack_policy: AckPolicy.None,
    num_replicas: opts.replicas,
    inactive_threshold: INACTIVE_THRESHOLD_MS * 1_000_000,
  });
  return nc.jetstream(timeout).consumers.get(stream, ci.name);
}

/**
 * The deliveries of one `readerConsumer`, counted: with no acks, a delivery lost in transit (a
 * reconnect mid-pull) is never sent again, and only the delivery sequence shows it. Its entries
 * are still in the stream, so a reader that meets a skip reads again from what it has.
 */
export class DeliveryCount {
  private delivered = 0;

  /** The skip before `m`, as an error to report, or undefined when `m` is the next delivery. */
  skipBefore(m: JsMsg): Error | undefined {
    const d = m.info.deliverySequence;
    if (d === ++this.delivered) return undefined;
    return new Error(`${m.info.stream} consumer skipped deliveries ${this.delivered}..${d - 1}`);
  }
}

export interface FollowOptions {
  stream: string;
  /** run before each (re)start */
  prepare?: () => Promise<void>;
  /** where the consumer starts */
  start: () => ReaderStart;
  onEntry: (m: JsMsg) => void;
  /** called on a consumer failure (the follower retries) */
  onError: (e: Error) => void;
}

export class StreamFollower {
  private readonly loop: RetryLoop;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: FollowOptions,
  ) {
    this.loop = new RetryLoop((running) => this.follow(running), { maxDelayMs: RETRY_MAX_MS, onError: opts.onError });
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async follow(running: (stop: () => void) => void): Promise<void> {
    await this.opts.prepare?.();
    const { stream } = this.opts;
    const info = await (await this.nc.jetstreamManager()).streams.info(stream);
    const consumer = await readerConsumer(this.nc, stream, this.opts.start(), { replicas: info.config.num_replicas });
    // a consumer deleted under us (or lost with a restarted server) ends the pull with an error
    const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS, abort_on_missing_resource: true });
    running(() => messages.stop());
    const count = new DeliveryCount();
    try {
      for await (const m of messages) {
        const skip = count.skipBefore(m);
        if (skip) throw skip;
        this.opts.onEntry(m);
      }
    } finally {
      messages.stop();
      void consumer.delete().catch(() => undefined);
    }
  }
}
