/**
 * One NATS connection per process, reconnecting forever: a NATS restart must never take a
 * service down. Status changes are logged so a reconnect is visible.
 */
import { connect, type NatsConnection } from 'nats';
import type { Logger } from 'pino';

export interface BusOptions {
  url: string;
  name: string;
  log?: Logger;
}

export async function connectBus(opts: BusOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: opts.url.split(',').map((s) => s.trim()),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    waitOnFirstConnect: true,
  });
  if (opts.log) {
    const log = opts.log;
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'pingTimer') continue;
        log.info({ nats: s.type, data: typeof s.data === 'string' ? s.data : undefined }, 'nats status');
      }
    })().catch(() => undefined);
  }
  return nc;
}

/** Drain (flush pending publishes, end subscriptions) and close; never throws. */
export async function closeBus(nc: NatsConnection | undefined): Promise<void> {
  if (!nc || nc.isClosed()) return;
  try {
    await nc.drain();
  } catch {
    await nc.close().catch(() => undefined);
  }
}
