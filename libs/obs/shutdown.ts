/**
 * How a service process starts and ends — the one place for it (issue 18 item 4):
 *  - `Lifecycle`: resources disposed in reverse order of acquisition;
 *  - `runService`: SIGTERM/SIGINT → stop → exit 0; a second signal, or a stop that hangs past the
 *    grace period, → exit 1;
 *  - the last line of defence (issue 13): an uncaught exception or unhandled rejection is logged
 *    with its code, counted (`bookfuse_process_fatal_errors_total{kind}`), and the process exits
 *    with EXIT_FATAL so that a supervisor restarts it. Network input never gets here: every
 *    server's edge (libs/ws/http-guard.ts) answers bad requests itself.
 */
import type { Logger } from 'pino';
import { fatalErrors } from './metrics.js';

export type Disposer = () => Promise<void> | void;

/** exit status after an uncaught exception / unhandled rejection (EX_SOFTWARE) */
export const EXIT_FATAL = 70;
export const DEFAULT_STOP_GRACE_MS = 10_000;

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
}

export type FatalKind = 'uncaught_exception' | 'unhandled_rejection';

export interface ProcessHooks {
  log: Logger;
  exit(code: number): void;
  graceMs?: number;
}

/** The stable code of anything thrown: ours carry `code` (BookfuseError, Node system errors). */
export function thrownCode(e: unknown): string {
  const c = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof c === 'string' || typeof c === 'number' ? String(c) : e instanceof Error ? e.name : typeof e;
}

/** What happens on a fatal error (exported for tests: `exit` is injected there). */
export function onFatal(kind: FatalKind, err: unknown, hooks: ProcessHooks): void {
  fatalErrors.inc({ kind });
  hooks.log.fatal({ err, code: thrownCode(err), kind }, 'fatal: exiting so that the supervisor restarts the service');
  hooks.exit(EXIT_FATAL);
}

/** Guard the process: uncaught exceptions and unhandled rejections end it, loudly. */
export function installFatalHandlers(hooks: ProcessHooks): void {
  process.on('uncaughtException', (e) => onFatal('uncaught_exception', e, hooks));
  process.on('unhandledRejection', (e) => onFatal('unhandled_rejection', e, hooks));
}

/**
 * Run a service until a signal: fatal errors guarded, SIGTERM/SIGINT stop what has started (also
 * during start-up: `starting` is awaited first), then exit 0.
 */
export function runService<T extends { stop(): Promise<void> }>(starting: Promise<T>, hooks: ProcessHooks): Promise<T> {
  installFatalHandlers(hooks);
  let signals = 0;
  const onSignal = (signal: string) => {
    if (++signals > 1) return hooks.exit(1);
    hooks.log.info({ signal }, 'stopping');
    setTimeout(() => {
      hooks.log.error({ grace_ms: hooks.graceMs ?? DEFAULT_STOP_GRACE_MS }, 'shutdown grace period exceeded');
      hooks.exit(1);
    }, hooks.graceMs ?? DEFAULT_STOP_GRACE_MS).unref();
    void starting
      .then((running) => running.stop())
      .then(
        () => {
          hooks.log.info('stopped');
          hooks.exit(0);
        },
        (e: unknown) => {
          hooks.log.error({ err: e, code: thrownCode(e) }, 'stop failed');
          hooks.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  return starting;
}
