/**
 * The demo's process supervisor: each child that dies is restarted after a backoff of 1, 2, 4 …
 * 30 s (the client library's schedule, without jitter), logged and counted, the way Docker's or
 * Kubernetes' restart policy treats the same services in deploy/. A child that stayed up for
 * STABLE_MS before dying starts again from 1 s. `stopAll` (Ctrl-C) cancels pending restarts and
 * stops the children in reverse start order: SIGTERM, then SIGKILL after a grace period.
 *
 * `nextRestart` is the whole decision and is pure; `Supervisor` is the process IO around it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { backoffDelayMs } from '../../libs/core/index.js';

/** A child that ran at least this long before dying is considered to have been healthy. */
export const STABLE_MS = 60_000;
export const GRACE_MS = 10_000;

export interface RestartState {
  /** consecutive quick deaths (0 = the next restart waits the shortest delay) */
  attempt: number;
  /** restarts of this child so far */
  restarts: number;
}

/** What to do when a child that started at `startedAtMs` exits at `nowMs`. */
export function nextRestart(state: RestartState, startedAtMs: number, nowMs: number, stableMs = STABLE_MS): { delayMs: number; state: RestartState } {
  const attempt = nowMs - startedAtMs >= stableMs ? 0 : state.attempt;
  return { delayMs: backoffDelayMs(attempt, () => 0.5), state: { attempt: attempt + 1, restarts: state.restarts + 1 } };
}

export interface ChildSpec {
  /** unique, e.g. `merger` or `merger-2` */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** the child's stdout and stderr are appended here, across restarts */
  log: string;
}

/** Something the supervisor did not spawn but restarts when it dies (a nats-server node). */
export interface Restartable {
  alive(): boolean;
  start(): Promise<void>;
}

interface Watched {
  name: string;
  target: Restartable;
  startedAt: number;
  state: RestartState;
  restarting: boolean;
}

const WATCH_POLL_MS = 500;

interface Supervised {
  spec: ChildSpec;
  proc: ChildProcess | undefined;
  startedAt: number;
  state: RestartState;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface SupervisorOptions {
  /** one line of the supervisor's own log (restarts, exits) */
  say(line: string): void;
  /** also copy every child's output to this process's stdout/stderr */
  verbose?: boolean;
  now?: () => number;
}

export class Supervisor {
  private readonly children: Supervised[] = [];
  private readonly watched: Watched[] = [];
  private poll: ReturnType<typeof setInterval> | undefined;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private stopping = false;

  constructor(private readonly opts: SupervisorOptions) {}

  /** restarts of every child so far */
  get restarts(): number {
    return [...this.children, ...this.watched].reduce((n, c) => n + c.state.restarts, 0);
  }

  restartsOf(name: string): number {
    return [...this.children.map((c) => ({ name: c.spec.name, state: c.state })), ...this.watched].find((c) => c.name === name)?.state.restarts ?? 0;
  }

  /** Restart `target` with the same backoff when it is found dead (polled; it runs already). */
  watch(name: string, target: Restartable): void {
    this.watched.push({ name, target, startedAt: this.now(), state: { attempt: 0, restarts: 0 }, restarting: false });
    this.poll ??= setInterval(() => this.checkWatched(), WATCH_POLL_MS);
  }

  /** the live children's pids by name (a child waiting for its restart is absent) */
  pids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const c of this.children) if (c.proc?.pid !== undefined) out[c.spec.name] = c.proc.pid;
    return out;
  }

  start(spec: ChildSpec): void {
    const c: Supervised = { spec, proc: undefined, startedAt: 0, state: { attempt: 0, restarts: 0 }, timer: undefined };
    this.children.push(c);
    this.spawn(c);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    clearInterval(this.poll);
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.children) clearTimeout(c.timer);
    // reverse order: consumers first, what they depend on last
    for (const c of [...this.children].reverse()) if (c.proc) await stopProcess(c.proc);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private spawn(c: Supervised): void {
    const out = createWriteStream(c.spec.log, { flags: 'a' });
    const proc = spawn(c.spec.command, c.spec.args, { env: c.spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.pipe(out);
    proc.stderr?.pipe(out);
    if (this.opts.verbose) {
      proc.stdout?.pipe(process.stdout, { end: false });
      proc.stderr?.pipe(process.stderr, { end: false });
    }
    c.proc = proc;
    c.startedAt = this.now();
    // a command that cannot start at all (ENOENT) is an exit like any other
    proc.once('error', (e) => this.opts.say(`${c.spec.name}: ${e.message}`));
    proc.once('close', (code, signal) => {
      out.end();
      if (c.proc === proc) c.proc = undefined;
      if (!this.stopping) this.onExit(c, signal ?? code);
    });
  }

  private onExit(c: Supervised, how: number | string | null): void {
    const ranMs = this.now() - c.startedAt;
    const next = nextRestart(c.state, c.startedAt, this.now());
    c.state = next.state;
    this.opts.say(
      `${c.spec.name} exited (${how ?? 'unknown'}) after ${(ranMs / 1000).toFixed(1)} s; restart #${c.state.restarts} in ${next.delayMs / 1000} s ` +
        `(restarts: ${this.restarts} in all); last lines of ${c.spec.log}:\n${tail(c.spec.log)}`,
    );
    c.timer = setTimeout(() => {
      c.timer = undefined;
      if (this.stopping) return;
      this.spawn(c);
      this.opts.say(`${c.spec.name} restarted (pid ${c.proc?.pid ?? '?'}, restart #${c.state.restarts})`);
    }, next.delayMs);
  }

  private checkWatched(): void {
    for (const w of this.watched) {
      if (this.stopping || w.restarting || w.target.alive()) continue;
      const next = nextRestart(w.state, w.startedAt, this.now());
      w.state = next.state;
      w.restarting = true;
      this.opts.say(`${w.name} died; restart #${w.state.restarts} in ${next.delayMs / 1000} s (restarts: ${this.restarts} in all)`);
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (this.stopping) return;
        w.startedAt = this.now();
        w.target.start().then(
          () => this.opts.say(`${w.name} restarted (restart #${w.state.restarts})`),
          (e: unknown) => this.opts.say(`${w.name} did not start: ${(e as Error).message}`),
        ).finally(() => (w.restarting = false));
      }, next.delayMs);
      this.timers.add(t);
    }
  }
}

export function stopProcess(proc: ChildProcess, graceMs = GRACE_MS): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

function tail(path: string, lines = 15): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
