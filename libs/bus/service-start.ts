/**
 * How the main of every NATS service begins (collector, merger, gateway, firehose): its logger,
 * the lifecycle that disposes what the service starts in reverse order, and its one NATS
 * connection, registered first so that it closes last.
 */
import type { NatsConnection } from 'nats';
import { createLogger, Lifecycle, type Logger } from '../obs/index.js';
import { closeBus, connectBus } from './connection.js';

export interface ServiceStart {
  log: Logger;
  life: Lifecycle;
  nc: NatsConnection;
}

export async function startService(service: string, config: { logLevel: string; natsUrl: string }): Promise<ServiceStart> {
  const log = createLogger(service, config.logLevel);
  const life = new Lifecycle(log);
  const nc = await connectBus({ url: config.natsUrl, name: `bookfuse-${service}`, log });
  life.defer('nats', () => closeBus(nc));
  return { log, life, nc };
}
