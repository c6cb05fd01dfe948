/**
 * Follow a JetStream stream with an ordered consumer, for ever: `prepare` (find or create the
 * stream, learn where to start), then every entry in order to `onEntry`; on any failure wait
 * (100 ms doubling to 5 s) and start again where `start()` says (normally right after the last
 * entry read). The ordered consumer itself already rides NATS reconnects.
 */
import type { JsMsg, NatsConnection, OrderedConsumerOptions } from 'nats';

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
  private stopped = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly opts: FollowOptions,
  ) {}

  start(): void {
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
        await this.opts.prepare?.();
        const consumer = await this.nc.jetstream().consumers.get(this.opts.stream, this.opts.start());
        const messages = await consumer.consume({ max_messages: PULL_BATCH, expires: PULL_EXPIRES_MS });
        this.stopCurrent = () => messages.stop();
        if (this.stopped) messages.stop();
        failures = 0;
        for await (const m of messages) this.opts.onEntry(m);
      } catch (e) {
        if (this.stopped) break;
        this.opts.onError(e as Error);
      } finally {
        this.stopCurrent = undefined;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(RETRY_MAX_MS, 100 * 2 ** failures++)));
    }
  }
}
