/**
 * The faults: each does its damage to a running topology and undoes it (restart, SIGCONT) as a
 * supervisor or an operator would, and resolves when the damaged part is running again.
 */
import type { ServiceKind, Topology } from './topology.js';

export interface Fault {
  /** the name bench:faults reports, e.g. `merger-kill`, `nats-stop-10s` */
  name: string;
  /** the kind of process it hits (readers/followers of that kind are expected to reconnect) */
  target: ServiceKind | 'nats';
  inject(t: Topology): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** kill -9 instance `index` of a service (or NATS node `index`), start it again after `downMs`. */
export function killFault(target: ServiceKind | 'nats', opts: { index?: number; downMs?: number; name?: string } = {}): Fault {
  const i = opts.index ?? 0;
  return {
    name: opts.name ?? `${target}-kill`,
    target,
    inject: async (t) => {
      const p = target === 'nats' ? t.nats[i] : t.of(target)[i];
      if (!p) throw new Error(`no ${target} ${i} in this topology`);
      await p.kill();
      await sleep(opts.downMs ?? 1000);
      await p.start();
    },
  };
}

/** SIGSTOP instance `index` for `ms`, then SIGCONT: a process that hangs and comes back. */
export function stopFault(target: ServiceKind | 'nats', ms: number, opts: { index?: number; name?: string } = {}): Fault {
  const i = opts.index ?? 0;
  return {
    name: opts.name ?? `${target}-stop-${Math.round(ms / 1000)}s`,
    target,
    inject: async (t) => {
      const p = target === 'nats' ? t.nats[i] : t.of(target)[i];
      if (!p) throw new Error(`no ${target} ${i} in this topology`);
      if (!p.signal('SIGSTOP')) throw new Error(`${target} ${i} is not running`);
      try {
        await sleep(ms);
      } finally {
        p.signal('SIGCONT');
      }
    },
  };
}

/** The faults of issue 13 item 9, in the order bench:faults runs them. */
export function standardFaults(opts: { natsStopMs?: number; downMs?: number } = {}): Fault[] {
  const down = { downMs: opts.downMs ?? 1000 };
  const natsStop = opts.natsStopMs ?? 10_000;
  return [
    killFault('nats', down),
    stopFault('nats', natsStop),
    killFault('merger', down),
    killFault('collector', down),
    killFault('firehose', down),
  ];
}
