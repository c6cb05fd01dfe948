/**
 * SIGTERM/SIGINT → dispose resources in reverse order of acquisition, then exit 0.
 * A second signal, or a disposer that hangs past the grace period, forces exit 1.
 */
import type { Logger } from 'pino';

export type Disposer = () => Promise<void> | void;

export class Lifecycle {
  private readonly disposers: { name: string; fn: Disposer }[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Register a resource's disposer; later registrations are disposed first. */
  defer(name: string, fn: Disposer): void {
    this.disposers.push({ name, fn });
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { name, fn } of [...this.disposers].reverse()) {
        try {
          await fn();
        } catch (e) {
          this.log.warn({ err: e, resource: name }, 'dispose failed');
        }
      }
    })();
    return this.stopping;
  }

  /** Install signal handlers for a service process. */
  installSignalHandlers(graceMs = 10_000): void {
    let signals = 0;
    const onSignal = (sig: string) => {
      signals++;
      if (signals > 1) process.exit(1);
      this.log.info({ signal: sig }, 'stopping');
      const timer = setTimeout(() => {
        this.log.error('shutdown grace period exceeded');
        process.exit(1);
      }, graceMs);
      timer.unref();
      void this.stop().then(() => {
        this.log.info('stopped');
        process.exit(0);
      });
    };
    process.on('SIGTERM', () => onSignal('SIGTERM'));
    process.on('SIGINT', () => onSignal('SIGINT'));
  }
}
