/** `bookfuse collector`: read env → config → connect NATS → collect; SIGTERM disposes in reverse. */
import { startService, type ServiceStart } from '../../libs/bus/index.js';
import { createRegistry, startOpsServer } from '../../libs/obs/index.js';
import { loadCollectorConfig, type CollectorConfig } from './config.js';
import { Collector } from './collector.js';

/** The collector and its ops server on a connection it is given (alone, or beside a merger: `bookfuse colocated`). */
export async function runCollector(config: CollectorConfig, { nc, log, life }: ServiceStart, health: () => object = () => ({})) {
  const registry = createRegistry('collector');
  const collector = new Collector(config, { nc, log, registry });
  await collector.start();
  life.defer('collector', () => collector.stop());
  const ops = await startOpsServer({ host: config.host, port: config.metricsPort, registry, ready: () => collector.notReadyReason(), health: () => ({ line: config.line, venues: config.venues, ...health() }) });
  life.defer('collector ops', () => ops.close());
  return { collector, url: ops.url };
}

export async function main(env: NodeJS.ProcessEnv) {
  const config = loadCollectorConfig(env);
  const { log, life, nc } = await startService('collector', config);
  const { url } = await runCollector(config, { nc, log, life });
  log.info({ line: config.line, venues: config.venues, ops: url }, 'collector started');
  return { stop: () => life.stop(), listening: { collector: url }, lifecycle: life };
}
