/**
 * A session that must be running until stopped, for ever started again when it ends or fails: a
 * JetStream consumer (libs/bus/stream-follower.ts, the firehose's live log). Each attempt sets a
 * session up, calls `running(stop)` once it is going (`stop` ends it from outside; the wait
 * before the next attempt starts again from 100 ms) and returns when the session is over. A failed
 * attempt is reported, unless the loop was stopped, and the next one waits 100 ms doubling up to
 * `maxDelayMs`. Import-free, like backoff.ts.
 */
export interface RetryLoopOptions {
  maxDelayMs: number;
  /** an attempt failed (the loop tries again) */
  onError: (e: Error) => void;
}

export type RetryAttempt = (running: (stop: () => void) => void) => Promise<void>;

export class RetryLoop {
  private stopped = false;
  private stopCurrent: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly attempt: RetryAttempt,
    private readonly opts: RetryLoopOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Ends the running session and waits for the loop to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    const running = (stop: () => void) => {
      this.stopCurrent = stop;
      if (this.stopped) stop();
      failures = 0;
    };
    while (!this.stopped) {
      try {
        await this.attempt(running);
      } catch (e) {
        if (this.stopped) break;
        this.opts.onError(e as Error);
      } finally {
        this.stopCurrent = undefined;
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, Math.min(this.opts.maxDelayMs, 100 * 2 ** failures++)));
    }
  }
}
