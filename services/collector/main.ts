/** `bookfuse collector`: read env → config → connect NATS → collect; SIGTERM disposes in reverse. */
import { connectBus, closeBus } from '../../libs/bus/index.js';
import { createLogger, createRegistry, startOpsServer, Lifecycle } from '../../libs/obs/index.js';
import { loadCollectorConfig } from './config.js';
import { Collector } from './collector.js';

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadCollectorConfig(env);
  const log = createLogger('collector', config.logLevel);
  const life = new Lifecycle(log);
  const registry = createRegistry('collector');
  const nc = await connectBus({ url: config.natsUrl, name: 'bookfuse-collector', log });
  life.defer('nats', () => closeBus(nc));
  const collector = new Collector(config, { nc, log, registry });
  await collector.start();
  life.defer('collector', () => collector.stop());
  const ops = await startOpsServer({ host: config.host, port: config.metricsPort, registry, ready: () => collector.notReadyReason(), health: () => ({ line: config.line, venues: config.venues }) });
  life.defer('ops', () => ops.close());
  log.info({ line: config.line, venues: config.venues, ops: ops.url }, 'collector started');
  return { stop: () => life.stop(), listening: { collector: ops.url }, lifecycle: life };
}
