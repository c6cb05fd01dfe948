/**
 * Follow a JetStream stream with an ordered consumer, for ever: `prepare` (find or create the
 * stream, learn where to start), then every entry in order to `onEntry`; on any failure wait
 * (100 ms doubling to 5 s) and start again where `start()` says (normally right after the last
 * entry read). The ordered consumer itself already rides NATS reconnects.
 */
import type { JsMsg, NatsConnection, OrderedConsumerOptions } from 'nats';
import { RetryLoop } from '../core/index.js';

const RETRY_MAX_MS = 5_000;
const PULL_BATCH = 256;
const PULL_EXPIRES_MS = 5_000;

export interface FollowOptions {
  stream: string;
  /** run before each (re)start */
  prepare?: () => Promise<void>;
  /** where the consumer starts */
  start: () => Partial<OrderedConsumerOptions>;
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
    const consumer = await this.nc.jetstream().consumers.get(this.opts.stream, this.opts.start());
    const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS });
    running(() => messages.stop());
    for await (const m of messages) this.opts.onEntry(m);
  }
}
